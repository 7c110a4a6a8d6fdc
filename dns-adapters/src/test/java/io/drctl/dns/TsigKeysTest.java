package io.drctl.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TsigKeysTest {

    static final String SECRET = "7BqKXGdirN9Rgdq1qthqAsrNUszZY/MZ51S9sc0Ogpk=";
    static final String SECRET512 = "vRda65K4fZLhiYnvZCQ/eyLX4HTUA99RYlX5h5eSSBmyd9fmvZuqxbi5zfvzuQGdUv/TVaNsW76riFAuVPa8AQ==";

    @TempDir
    Path dir;

    private Path write(String text) throws Exception {
        Path f = dir.resolve("k.key");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void fromFile_tsigKeygenOutput() throws Exception {
        Path f = write("key \"drctl-update\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + SECRET + "\";\n};\n");
        TsigKey k = TsigKeys.fromFile(f, Optional.empty());
        assertEquals("drctl-update", k.name());
        assertEquals(TsigAlgorithm.HMAC_SHA256, k.algorithm());
        assertArrayEquals(Base64.getDecoder().decode(SECRET), k.secret());
        assertEquals(f.toString(), k.source());
    }

    @Test
    void fromFile_commentsWhitespaceAndSeveralKeysPickedByName() throws Exception {
        Path f = write("""
                # generated for drctl
                // two keys
                /* multi
                   line */
                key "other" { algorithm hmac-sha384; secret "%s"; };
                key   drctl-update   {
                    algorithm   HMAC-SHA512.;   // trailing dot and case tolerated
                    secret
                       "%s"
                    ;
                } ;
                """.formatted(SECRET, SECRET512));
        TsigKey k = TsigKeys.fromFile(f, Optional.of("drctl-update"));
        assertEquals(TsigAlgorithm.HMAC_SHA512, k.algorithm());
        assertArrayEquals(Base64.getDecoder().decode(SECRET512), k.secret());
        assertEquals(TsigAlgorithm.HMAC_SHA384, TsigKeys.fromFile(f, Optional.of("OTHER")).algorithm());
    }

    @Test
    void fromFile_algorithmOmittedDefaultsToSha256() throws Exception {
        TsigKey k = TsigKeys.fromFile(write("key k1 { secret \"" + SECRET + "\"; };"), Optional.empty());
        assertEquals(TsigAlgorithm.HMAC_SHA256, k.algorithm());
    }

    @Test
    void fromFile_missingNamedKeyListsWhatIsThere() throws Exception {
        Path f = write("key a { secret \"" + SECRET + "\"; };\n");
        TsigKeyException e = assertThrows(TsigKeyException.class, () -> TsigKeys.fromFile(f, Optional.of("zz")));
        assertTrue(e.getMessage().contains("no key named 'zz'") && e.getMessage().contains("[a]"), e.getMessage());
        assertNoSecret(e);
    }

    @Test
    void fromFile_missingFileNamesPathAndHint() {
        Path f = dir.resolve("nope.key");
        TsigKeyException e = refused(f);
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.hint().orElseThrow().contains("tsig-keygen"));
    }

    @Test
    void fromFile_missingSemicolonNamesLine() throws Exception {
        Path f = write("key \"k\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + SECRET + "\"\n};\n");
        TsigKeyException e = refused(f);
        assertEquals(4, e.line().orElseThrow(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ":4: expected ';' after the secret"), e.getMessage());
    }

    @Test
    void fromFile_unknownAlgorithmNamesLineAndSupported() throws Exception {
        Path f = write("key \"k\" {\n algorithm hmac-md5;\n secret \"" + SECRET + "\";\n};\n");
        TsigKeyException e = refused(f);
        assertEquals(2, e.line().orElseThrow());
        assertTrue(e.getMessage().contains("hmac-md5") && e.getMessage().contains("hmac-sha512"), e.getMessage());
    }

    @Test
    void fromFile_badBase64NamesLineWithoutQuotingSecret() throws Exception {
        String bad = "not*base64!!secretvalue";
        Path f = write("key k {\n secret \"" + bad + "\";\n};");
        TsigKeyException e = refused(f);
        assertEquals(2, e.line().orElseThrow());
        assertFalse(e.getMessage().contains(bad), e.getMessage());
    }

    static Stream<Arguments> refusedFiles() {
        return Stream.of(
                Arguments.of("several keys, no name asked for",
                        "key a { secret \"" + SECRET + "\"; };\nkey b { secret \"" + SECRET + "\"; };\n", 0, "[a, b]"),
                Arguments.of("unquoted secret", "key k {\n secret " + SECRET + ";\n};", 2, "not quoted"),
                Arguments.of("no secret", "\n\nkey k {\n algorithm hmac-sha256;\n};", 3, "has no secret"),
                Arguments.of("truncated", "key k {\n algorithm hmac-sha256;\n secret \"" + SECRET + "\";\n", 0, "file ends"),
                Arguments.of("another statement", "options { directory \"/tmp\"; };", 0,
                        "found 'options' where a key statement was expected"),
                Arguments.of("no statement", "# nothing\n", 0, "no key statement"));
    }

    /** A key file that is not one usable key statement: refused saying why (at its line, where one is named). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedFiles")
    void fromFile_notOneUsableKey_refusedSayingWhy(String what, String text, int line, String why) throws Exception {
        TsigKeyException e = refused(write(text));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        if (line > 0) {
            assertEquals(line, e.line().orElseThrow(), e.getMessage());
        }
    }

    @Test
    void fromFile_unterminatedStringAndComment() throws Exception {
        TsigKeyException e1 = refused(write("key k {\n secret \"abc;\n};"));
        assertEquals(2, e1.line().orElseThrow());
        TsigKeyException e2 = refused(write("\n/* open\nkey k { };"));
        assertEquals(2, e2.line().orElseThrow());
    }

    @Test
    void fromFile_bareBase64Secret_saysWhatAndWhereWithoutTheSecret() throws Exception {
        Path f = write(SECRET + "\n");
        TsigKeyException e = refused(f);
        assertEquals(1, e.line().orElseThrow());
        assertTrue(e.getMessage().startsWith(f + ":1: the file holds a bare secret (a word of 44 characters"), e.getMessage());
        assertTrue(e.hint().orElseThrow().contains("key \"NAME\""), e.hint().toString());
    }

    @Test
    void fromFile_secretsWhereWordsBelong_neverQuoted() throws Exception {
        for (String text : List.of(
                "key k {\n algorithm " + SECRET + ";\n secret \"" + SECRET + "\";\n};",
                "key k {\n " + SECRET + " \"x\";\n};",
                "key " + SECRET + " {\n secret \"" + SECRET + "\";\n};",
                "key k {\n secret \"" + SECRET + "\" " + SECRET + "\n};",
                "key k {\n secret \"" + SECRET + "\"; }\n " + SECRET,
                "\"" + SECRET + "\"")) {
            TsigKeyException e = refused(write(text));
            assertTrue(e.line().isPresent(), e.getMessage());
        }
        TsigKeyException env = assertThrows(TsigKeyException.class,
                () -> TsigKeys.fromEnvironment(Map.of("V", SECRET + ":k:" + SECRET), "V"));
        assertNoSecret(env);
    }

    @Test
    void secretTexts_findsSecretsInAnyShapeOfFileButNotNamesOrComments() {
        assertEquals(List.of(SECRET), TsigKeys.secretTexts(SECRET + "\n"));
        assertEquals(List.of(SECRET, SECRET512), TsigKeys.secretTexts("""
                # see /etc/bind/named.conf.options for the server side
                key "drctl-update-key-2024" { algorithm hmac-sha256; secret "%s"; };
                key Region1UpdateKey2024x { secret "%s" };
                """.formatted(SECRET, SECRET512)));
        assertEquals(List.of("short"), TsigKeys.secretTexts("key k { secret \"short\"; };"));
        assertEquals(List.of(), TsigKeys.secretTexts(""));
    }

    @Test
    void fromEnvironment_parsesAllThreeFields() throws Exception {
        TsigKey k = TsigKeys.fromEnvironment(Map.of("DRCTL_TSIG", "hmac-sha384:drctl-update:" + SECRET), "DRCTL_TSIG");
        assertEquals("drctl-update", k.name());
        assertEquals(TsigAlgorithm.HMAC_SHA384, k.algorithm());
        assertEquals("env DRCTL_TSIG", k.source());
    }

    @Test
    void fromEnvironment_malformedValues() {
        for (String v : List.of("", "hmac-sha256:" + SECRET, "md5:k:" + SECRET, "hmac-sha256:k:!!!" + SECRET, "hmac-sha256:bad name:" + SECRET)) {
            TsigKeyException e = assertThrows(TsigKeyException.class,
                    () -> TsigKeys.fromEnvironment(Map.of("V", v), "V"), v);
            assertTrue(e.getMessage().startsWith("env V: "), e.getMessage());
            assertNoSecret(e);
        }
        TsigKeyException unset = assertThrows(TsigKeyException.class, () -> TsigKeys.fromEnvironment(Map.of(), "V"));
        assertTrue(unset.getMessage().contains("not set"));
    }

    @Test
    void toString_neverShowsSecret() throws Exception {
        TsigKey k = TsigKeys.fromEnvironment(Map.of("V", "hmac-sha256:k:" + SECRET), "V");
        String s = k.toString();
        assertFalse(s.contains(SECRET) || s.contains(SECRET.substring(0, 10)), s);
        assertTrue(s.contains("redacted") && s.contains("hmac-sha256") && s.contains("env V"), s);
        byte[] copy = k.secret();
        copy[0] ^= 1;
        assertArrayEquals(Base64.getDecoder().decode(SECRET), k.secret(), "secret() must return a copy");
    }

    /** Reading {@code f} (no key name asked for) fails, and the failure does not show the secret. */
    private static TsigKeyException refused(Path f) {
        TsigKeyException e = assertThrows(TsigKeyException.class, () -> TsigKeys.fromFile(f, Optional.empty()), f.toString());
        assertNoSecret(e);
        return e;
    }

    private static void assertNoSecret(Exception e) {
        assertFalse(e.getMessage().contains(SECRET.substring(0, 12)), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET.substring(SECRET.length() - 12)), e.getMessage());
    }
}
