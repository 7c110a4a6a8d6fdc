package io.drctl.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads TSIG keys from references: a BIND key file (as {@code tsig-keygen} writes it) or an environment
 * variable {@code algorithm:name:base64secret}. Secrets are never inline in configuration and never appear
 * in messages.
 *
 * <p>Key file grammar (BIND named.conf subset): any number of
 * {@code key "name" { algorithm hmac-sha256; secret "base64"; };} statements; comments {@code //},
 * {@code #} and C-style; free whitespace. {@code algorithm} may be omitted (hmac-sha256).
 */
public final class TsigKeys {
    private TsigKeys() {
    }

    /**
     * Reads the key named {@code keyName} from a BIND key file; when {@code keyName} is empty the file must
     * hold exactly one key.
     */
    public static TsigKey fromFile(Path file, Optional<String> keyName) throws TsigKeyException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TsigKeyException(file.toString(), 0, "key file does not exist",
                    "create it with 'tsig-keygen -a hmac-sha256 NAME > " + file + "' or fix the path");
        } catch (IOException e) {
            throw new TsigKeyException(file.toString(), 0, "cannot read key file: " + e.getClass().getSimpleName(),
                    "check the file's permissions");
        }
        return select(parse(text, file.toString()), keyName, file.toString());
    }

    /** Picks a key by name (case-insensitive) from parsed keys, or the only one when no name is given. */
    static TsigKey select(List<TsigKey> keys, Optional<String> keyName, String source) throws TsigKeyException {
        if (keys.isEmpty()) {
            throw new TsigKeyException(source, 0, "no key statement found",
                    "expected key \"name\" { algorithm hmac-sha256; secret \"...\"; }; as tsig-keygen writes it");
        }
        List<String> names = keys.stream().map(TsigKey::name).toList();
        if (keyName.isEmpty()) {
            if (keys.size() > 1) {
                throw new TsigKeyException(source, 0, "file holds " + keys.size() + " keys " + names,
                        "say which key to use by name");
            }
            return keys.get(0);
        }
        String want = keyName.get().endsWith(".") ? keyName.get().substring(0, keyName.get().length() - 1) : keyName.get();
        return keys.stream().filter(k -> k.name().equalsIgnoreCase(want)).findFirst()
                .orElseThrow(() -> new TsigKeyException(source, 0, "no key named '" + want + "'", "the file holds " + names));
    }

    /**
     * Reads a key from environment variable {@code variable} of {@code env}, formatted
     * {@code algorithm:name:base64secret} (e.g. {@code hmac-sha256:drctl-update:c2VjcmV0...}).
     */
    public static TsigKey fromEnvironment(Map<String, String> env, String variable) throws TsigKeyException {
        Objects.requireNonNull(env, "env");
        String source = "env " + variable;
        String value = env.get(variable);
        String format = "format algorithm:name:base64secret, e.g. hmac-sha256:drctl-update:<secret>";
        if (value == null || value.isBlank()) {
            throw new TsigKeyException(source, 0, "environment variable is not set", format);
        }
        String[] parts = value.strip().split(":", 3);
        if (parts.length != 3) {
            throw new TsigKeyException(source, 0, "expected 3 fields separated by ':', found " + parts.length, format);
        }
        TsigAlgorithm alg = TsigAlgorithm.fromBindName(parts[0]).orElseThrow(() -> new TsigKeyException(source, 0,
                "unsupported algorithm " + shown(parts[0]), "use one of " + TsigAlgorithm.supported()));
        byte[] secret = decodeSecret(parts[2], source, 0);
        return build(parts[1], alg, secret, source, 0);
    }

    /** Parses every key statement of BIND key-file text; {@code source} names the text in errors. */
    public static List<TsigKey> parse(String text, String source) throws TsigKeyException {
        Lexer lx = new Lexer(text, source);
        List<TsigKey> keys = new ArrayList<>();
        Token t;
        while ((t = lx.next()) != null) {
            if (!t.isWord("key")) {
                if (looksLikeKeyMaterial(t.text)) {
                    throw new TsigKeyException(source, t.line, "the file holds a bare secret (" + shown(t)
                            + "), not a key statement", "wrap it as tsig-keygen writes it: key \"NAME\" "
                            + "{ algorithm hmac-sha256; secret \"<the base64 secret>\"; };");
                }
                throw new TsigKeyException(source, t.line, "found " + shown(t) + " where a key statement was expected",
                        "a key file holds only statements of the form key \"name\" { algorithm ...; secret \"...\"; };");
            }
            int keyLine = t.line;
            Token name = lx.expect("the key name after 'key'");
            if (name.kind == Kind.PUNCT) {
                throw new TsigKeyException(source, name.line, "missing key name after 'key'", "write key \"name\" { ... };");
            }
            lx.expectPunct("{", "after the key name");
            TsigAlgorithm alg = null;
            byte[] secret = null;
            int secretLine = 0;
            while (true) {
                Token field = lx.expect("'algorithm', 'secret' or '}'");
                if (field.isPunct("}")) {
                    break;
                }
                if (field.isWord("algorithm")) {
                    Token v = lx.expect("an algorithm name");
                    alg = TsigAlgorithm.fromBindName(v.text).orElseThrow(() -> new TsigKeyException(source, v.line,
                            "unsupported algorithm " + shown(v) + " in key " + shown(name),
                            "use one of " + TsigAlgorithm.supported()));
                    lx.expectPunct(";", "after the algorithm");
                } else if (field.isWord("secret")) {
                    Token v = lx.expect("the secret in double quotes");
                    if (v.kind != Kind.STRING) {
                        throw new TsigKeyException(source, v.line, "the secret of key " + shown(name) + " is not quoted",
                                "write secret \"base64\";");
                    }
                    secret = decodeSecret(v.text, source, v.line);
                    secretLine = v.line;
                    lx.expectPunct(";", "after the secret");
                } else {
                    throw new TsigKeyException(source, field.line, "found " + shown(field) + " in key " + shown(name)
                            + " where 'algorithm', 'secret' or '}' was expected",
                            "a key statement holds only 'algorithm' and 'secret'");
                }
            }
            lx.expectPunct(";", "after the closing '}' of key " + shown(name));
            if (secret == null) {
                throw new TsigKeyException(source, keyLine, "key " + shown(name) + " has no secret",
                        "add secret \"base64\"; (tsig-keygen writes one)");
            }
            keys.add(build(name.text, alg == null ? TsigAlgorithm.DEFAULT : alg, secret, source, secretLine));
        }
        return keys;
    }

    private static TsigKey build(String name, TsigAlgorithm alg, byte[] secret, String source, int line) throws TsigKeyException {
        try {
            return new TsigKey(name, alg, secret, source);
        } catch (IllegalArgumentException e) {
            // TsigKey's message quotes the name; a misplaced secret could stand where the name should
            throw new TsigKeyException(source, line, "not a TSIG key name: " + shown(name),
                    "key names are DNS names: letters, digits, '-', '_', '.'");
        }
    }

    private static final Pattern KEY_MATERIAL = Pattern.compile("[A-Za-z0-9+/]{16,}={0,2}");
    private static final Pattern KEY_NAME = Pattern.compile("(?i)\\bkey\\s+\"?([^\\s\"{;]+)");
    private static final Pattern QUOTED_SECRET = Pattern.compile("(?i)\\bsecret\\s+\"([^\"\\n]*)\"");
    /** An identifier in one letter case (options, hmac-md5, HMAC-SHA512., drctl-update). */
    private static final Pattern HARMLESS_WORD = Pattern.compile(
            "[A-Za-z][a-z0-9]*(?:[-_.][A-Za-z0-9]+)*\\.?|[A-Z][A-Z0-9]*(?:[-_.][A-Z0-9]+)*\\.?");

    /** Base64 text long enough to be a TSIG secret (16 characters hold 12 bytes). */
    static boolean looksLikeKeyMaterial(String s) {
        return KEY_MATERIAL.matcher(s).matches();
    }

    /**
     * {@code 'word'} when the word is harmless to show in a message (a keyword, a typo of one, an
     * algorithm or key name: at most 24 characters, shaped like an identifier in one letter case, not
     * base64 key material); otherwise only what it is and how long, never the text itself.
     */
    static String shown(String text) {
        if (text.length() <= 24 && HARMLESS_WORD.matcher(text).matches() && !looksLikeKeyMaterial(text)) {
            return "'" + text + "'";
        }
        return "a word of " + text.length() + " characters (not shown: it may be key material)";
    }

    private static String shown(Token t) {
        return switch (t.kind) {
            case PUNCT -> "'" + t.text + "'";
            case STRING -> "a quoted string of " + t.text.length() + " characters (not shown)";
            case WORD -> shown(t.text);
        };
    }

    /**
     * Every text in {@code keyFileText} that is or may be a secret, for redaction: each quoted value
     * after {@code secret}, every run of base64 characters that looks like key material (16 or more,
     * mixing cases and digits or padded) and is not a key name, and the whole text when it is one word
     * (a bare secret). Tolerant: it never fails, whatever the text (a bare secret, a half-written file).
     */
    public static List<String> secretTexts(String keyFileText) {
        Set<String> names = new HashSet<>();
        Matcher n = KEY_NAME.matcher(keyFileText);
        while (n.find()) {
            names.add(n.group(1));
        }
        Set<String> out = new LinkedHashSet<>();
        Matcher q = QUOTED_SECRET.matcher(keyFileText);
        while (q.find()) {
            if (!q.group(1).isBlank()) {
                out.add(q.group(1).strip());
            }
        }
        Matcher b = KEY_MATERIAL.matcher(keyFileText);
        while (b.find()) {
            String run = b.group();
            // random bytes in base64 mix cases and digits; a path or word in a comment does not
            boolean mixed = run.chars().anyMatch(Character::isUpperCase) && run.chars().anyMatch(Character::isLowerCase)
                    && run.chars().anyMatch(Character::isDigit);
            if ((mixed || run.endsWith("=")) && !names.contains(run)) {
                out.add(run);
            }
        }
        String whole = keyFileText.strip();
        if (!whole.isEmpty() && whole.chars().noneMatch(Character::isWhitespace) && !names.contains(whole)) {
            out.add(whole); // a bare secret of any shape
        }
        return List.copyOf(out);
    }

    private static byte[] decodeSecret(String b64, String source, int line) throws TsigKeyException {
        try {
            byte[] b = Base64.getDecoder().decode(b64.strip());
            if (b.length == 0) {
                throw new TsigKeyException(source, line, "the secret is empty", "generate one with tsig-keygen");
            }
            return b;
        } catch (IllegalArgumentException e) {
            // the message of the decoder may quote the offending character; never the secret itself
            throw new TsigKeyException(source, line, "the secret is not valid base64", "copy it exactly as tsig-keygen wrote it");
        }
    }

    private enum Kind { WORD, STRING, PUNCT }

    private record Token(Kind kind, String text, int line) {
        boolean isWord(String w) {
            return kind == Kind.WORD && text.equalsIgnoreCase(w);
        }

        boolean isPunct(String p) {
            return kind == Kind.PUNCT && text.equals(p);
        }
    }

    private static final class Lexer {
        private final String s;
        private final String source;
        private int pos;
        private int line = 1;

        Lexer(String s, String source) {
            this.s = s;
            this.source = source;
        }

        Token expect(String what) throws TsigKeyException {
            Token t = next();
            if (t == null) {
                throw new TsigKeyException(source, line, "file ends where " + what + " was expected",
                        "the statement is incomplete; compare with tsig-keygen output");
            }
            return t;
        }

        void expectPunct(String p, String where) throws TsigKeyException {
            Token t = expect("'" + p + "' " + where);
            if (!t.isPunct(p)) {
                throw new TsigKeyException(source, t.line, "expected '" + p + "' " + where + ", found " + shown(t),
                        "every value ends with ';' and every key block with '};'");
            }
        }


        Token next() throws TsigKeyException {
            skipSpaceAndComments();
            if (pos >= s.length()) {
                return null;
            }
            char c = s.charAt(pos);
            int startLine = line;
            if (c == '{' || c == '}' || c == ';') {
                pos++;
                return new Token(Kind.PUNCT, String.valueOf(c), startLine);
            }
            if (c == '"') {
                int end = pos + 1;
                while (end < s.length() && s.charAt(end) != '"') {
                    if (s.charAt(end) == '\n') {
                        throw new TsigKeyException(source, startLine, "unterminated string", "close the quote on the same line");
                    }
                    end++;
                }
                if (end >= s.length()) {
                    throw new TsigKeyException(source, startLine, "unterminated string", "close the quote");
                }
                String v = s.substring(pos + 1, end);
                pos = end + 1;
                return new Token(Kind.STRING, v, startLine);
            }
            int end = pos;
            while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && "{};\"".indexOf(s.charAt(end)) < 0
                    && !s.startsWith("//", end) && !s.startsWith("/*", end) && s.charAt(end) != '#') {
                end++;
            }
            String v = s.substring(pos, end);
            pos = end;
            return new Token(Kind.WORD, v, startLine);
        }

        private void skipSpaceAndComments() throws TsigKeyException {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '\n') {
                    line++;
                    pos++;
                } else if (Character.isWhitespace(c)) {
                    pos++;
                } else if (c == '#' || s.startsWith("//", pos)) {
                    while (pos < s.length() && s.charAt(pos) != '\n') {
                        pos++;
                    }
                } else if (s.startsWith("/*", pos)) {
                    int startLine = line;
                    int end = s.indexOf("*/", pos + 2);
                    if (end < 0) {
                        throw new TsigKeyException(source, startLine, "unterminated /* comment", "close it with */");
                    }
                    for (int i = pos; i < end; i++) {
                        if (s.charAt(i) == '\n') {
                            line++;
                        }
                    }
                    pos = end + 2;
                } else {
                    return;
                }
            }
        }
    }
}
