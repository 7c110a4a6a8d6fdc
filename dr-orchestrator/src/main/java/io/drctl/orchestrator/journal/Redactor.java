package io.drctl.orchestrator.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.drctl.dns.TsigKeys;
import io.drctl.host.HomeDir;
import io.drctl.orchestrator.config.load.InventoryLoader;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Provider;
import io.drctl.orchestrator.config.yaml.Problems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Defence in depth: replaces the value of every secret the inventory references with {@code ***} in
 * anything journaled or printed, in case a command or an error message echoes one. The secrets are
 * read from their references: environment variables ({@code dns.tsig.keyEnv},
 * {@code providers.*.passwordEnv}) and files (the TSIG key file {@code dns.tsig.keyFile}, whatever its
 * shape, the SSH identity files, the readiness store's password file and the webhook's header files). A base64 secret is also redacted unpadded, URL-safe, decoded
 * (when the bytes are text) and as hex.
 */
public final class Redactor {
    /** Shorter values would redact ordinary words. */
    static final int MIN_SECRET = 4;
    /** Key and identity files are small; anything larger is not read. */
    static final long MAX_FILE = 64 * 1024;

    private final List<String> secrets;

    private Redactor(Collection<String> secrets) {
        // longest first: a secret containing another is replaced whole
        this.secrets = secrets.stream().filter(s -> s.length() >= MIN_SECRET).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    public static Redactor none() {
        return new Redactor(List.of());
    }

    /**
     * The secrets {@code inv} references, read now. A reference that cannot be read (a variable not
     * set, a file missing or unreadable) contributes nothing; it never makes this fail.
     *
     * @param env the environment: secret variables, and {@code HOME} for {@code ~/} paths
     */
    public static Redactor of(Inventory inv, Map<String, String> env) {
        Refs refs = new Refs();
        refs.add(inv);
        return refs.read(env);
    }

    /**
     * The secrets the inventory in {@code file} references (e.g. a run's copy of its inventory). The
     * file is also scanned leniently for references ({@code keyFile}, {@code keyEnv},
     * {@code passwordEnv}, {@code identityFile} at any depth), so an inventory the loader rejects, or
     * half-accepts, still has its secrets redacted. An unreadable file gives {@link #none()}. Never throws.
     */
    public static Redactor forInventoryFile(Path file, Map<String, String> env) {
        Refs refs = new Refs();
        try {
            InventoryLoader.load(file, new Problems()).ifPresent(refs::add);
        } catch (RuntimeException e) {
            // the lenient scan below still applies
        }
        try {
            refs.scan(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
        } catch (IOException | RuntimeException e) {
            // what the loader found, if anything
        }
        return refs.read(env);
    }

    /** Whether this redactor knows no secret (nothing to redact). */
    public boolean isEmpty() {
        return secrets.isEmpty();
    }

    /** {@link #redact(String)} applied to every string inside {@code v}, at any depth (maps, lists); other values as they are. */
    public Object redactDeep(Object v) {
        if (v instanceof String s) {
            return redact(s);
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k instanceof String ks ? redact(ks) : k, redactDeep(x)));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            c.forEach(x -> out.add(redactDeep(x)));
            return out;
        }
        return v;
    }

    public String redact(String s) {
        if (s == null) {
            return null;
        }
        String out = s;
        for (String secret : secrets) {
            out = out.replace(secret, "***");
        }
        return out;
    }

    /** Secret references, collected from an inventory, then read. */
    private static final class Refs {
        final Set<String> tsigEnv = new LinkedHashSet<>();
        final Set<String> passwordEnv = new LinkedHashSet<>();
        final Set<String> keyFiles = new LinkedHashSet<>();
        /** Files holding one secret on their first line (readiness.store.passwordFile, webhook header files). */
        final Set<String> secretFiles = new LinkedHashSet<>();
        final Set<String> identityFiles = new LinkedHashSet<>();

        void add(Inventory inv) {
            inv.dns().flatMap(d -> d.tsig()).ifPresent(t -> {
                t.keyEnv().ifPresent(tsigEnv::add);
                t.keyFile().ifPresent(keyFiles::add);
            });
            for (Provider p : inv.providers().values()) {
                if (p instanceof Provider.Vsphere v) {
                    passwordEnv.add(v.passwordEnv());
                }
            }
            inv.readiness().store().flatMap(st -> st.password()).ifPresent(this::add);
            inv.readiness().webhook().ifPresent(w -> w.headers().values().forEach(this::add));
            inv.ssh().identityFile().ifPresent(identityFiles::add);
            for (Host h : inv.hosts()) {
                inv.sshFor(h).identityFile().ifPresent(identityFiles::add);
            }
        }

        /** The readiness store's password and the webhook's header values: files and variables. */
        void add(io.drctl.orchestrator.config.model.ReadinessSettings.SecretRef r) {
            r.file().ifPresent(secretFiles::add);
            r.env().ifPresent(passwordEnv::add);
        }

        /** Any depth: a rejected inventory may have them in the wrong place, they are secrets all the same. */
        void scan(JsonNode n) {
            if (n == null) {
                return;
            }
            if (n.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isTextual()) {
                        String v = e.getValue().asText();
                        switch (e.getKey()) {
                            case "keyEnv" -> tsigEnv.add(v);
                            case "passwordEnv" -> passwordEnv.add(v);
                            case "keyFile" -> keyFiles.add(v);
                            case "passwordFile" -> secretFiles.add(v);
                            case "identityFile" -> identityFiles.add(v);
                            default -> {
                            }
                        }
                    } else {
                        scan(e.getValue());
                    }
                }
            } else if (n.isArray()) {
                n.forEach(this::scan);
            }
        }

        Redactor read(Map<String, String> env) {
            List<String> values = new ArrayList<>();
            for (String name : tsigEnv) {
                String v = env.get(name);
                if (v != null) {
                    values.add(v);
                    values.add(v.strip());
                    // "alg:name:secret": the secret part alone must go too
                    int colon = v.lastIndexOf(':');
                    if (colon > 0) {
                        values.addAll(forms(v.substring(colon + 1).strip()));
                    }
                }
            }
            for (String name : passwordEnv) {
                String v = env.get(name);
                if (v != null) {
                    values.add(v);
                }
            }
            for (String f : keyFiles) {
                read(f, env).ifPresent(text -> TsigKeys.secretTexts(text).forEach(s -> values.addAll(forms(s))));
            }
            for (String f : secretFiles) {
                read(f, env).map(t -> t.lines().findFirst().orElse("").strip()).filter(t -> !t.isEmpty()).ifPresent(values::add);
            }
            for (String f : identityFiles) {
                read(f, env).ifPresent(text -> values.addAll(pemBody(text)));
            }
            return new Redactor(values);
        }

        /** A small regular file's text; empty when missing, unreadable, too large or not text. */
        private static Optional<String> read(String path, Map<String, String> env) {
            try {
                Path p = HomeDir.expand(path, env);
                if (!Files.isRegularFile(p) || Files.size(p) > MAX_FILE) {
                    return Optional.empty();
                }
                return Optional.of(new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * A secret as written, and the forms it may be echoed in when it is base64: without padding,
     * URL-safe, as hex, and decoded when the bytes are printable text.
     */
    static List<String> forms(String secret) {
        List<String> out = new ArrayList<>();
        out.add(secret);
        String unpadded = secret.replaceAll("=+$", "");
        if (unpadded.length() >= 8) {
            out.add(unpadded);
        }
        out.add(secret.replace('+', '-').replace('/', '_'));
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(secret);
        } catch (IllegalArgumentException e) {
            return out;
        }
        if (bytes.length >= 8) {
            String hex = HexFormat.of().formatHex(bytes);
            out.add(hex);
            out.add(hex.toUpperCase(Locale.ROOT));
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd)) {
                out.add(text);
            }
        }
        return out;
    }

    /** The base64 lines of every PEM block ({@code -----BEGIN ...}) in {@code text}, each and joined. */
    static List<String> pemBody(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder joined = null;
        for (String line : text.split("\\R")) {
            String l = line.strip();
            if (l.startsWith("-----BEGIN")) {
                joined = new StringBuilder();
            } else if (l.startsWith("-----END")) {
                if (joined != null && joined.length() > 0) {
                    out.add(joined.toString());
                }
                joined = null;
            } else if (joined != null && !l.contains(":") && l.length() >= 16) {
                out.add(l);
                joined.append(l);
            }
        }
        return out;
    }
}
