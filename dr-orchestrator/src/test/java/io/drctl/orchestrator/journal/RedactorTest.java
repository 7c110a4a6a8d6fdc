package io.drctl.orchestrator.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedactorTest {
    static final String PLAIN = "drctl-redactor-secret-0123456789";
    static final String SECRET = Base64.getEncoder().encodeToString(PLAIN.getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path tmp;

    Path inventory(String tsig, String ssh) throws Exception {
        return Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY
                .replace("tsig: { keyEnv: DRENG_TSIG_KEY }", tsig)
                .replace("ssh: { user: root, identityFile: /nonexistent/key, knownHosts: /nonexistent/known_hosts }", ssh));
    }

    static final String SSH = "ssh: { user: root, identityFile: /nonexistent/key, knownHosts: /nonexistent/known_hosts }";

    @Test
    void forInventoryFile_bindKeyFile_secretAndItsFormsRedactedAtAnyDepth() throws Exception {
        Path key = Fixtures.write(tmp, "k.key", "key \"drctl-update\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + SECRET + "\";\n};\n");
        Redactor r = Redactor.forInventoryFile(inventory("tsig: { keyFile: \"" + key + "\" }", SSH), Map.of());
        String hex = HexFormat.of().formatHex(PLAIN.getBytes(StandardCharsets.US_ASCII));
        assertEquals("a *** b *** c *** d *** e ***",
                r.redact("a " + SECRET + " b " + PLAIN + " c " + hex + " d " + hex.toUpperCase() + " e " + SECRET.replace("=", "") + "="));
        Object deep = r.redactDeep(Map.of("k", List.of(Map.of("x", "secret " + SECRET))));
        assertEquals(Map.of("k", List.of(Map.of("x", "secret ***"))), deep);
        assertEquals("key drctl-update accepted", r.redact("key drctl-update accepted"), "the key name is no secret");
    }

    @Test
    void forInventoryFile_homeRelativeBareKeyFile_redacted() throws Exception {
        Files.createDirectories(tmp.resolve("home/.drctl"));
        Files.writeString(tmp.resolve("home/.drctl/bare.key"), SECRET + "\n");
        Redactor r = Redactor.forInventoryFile(inventory("tsig: { keyFile: \"~/.drctl/bare.key\" }", SSH),
                Map.of("HOME", tmp.resolve("home").toString()));
        assertEquals("got ***", r.redact("got " + SECRET));
    }

    @Test
    void forInventoryFile_missingOrUnreadableReferences_noFailureNothingRedacted() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("a-directory"));
        for (String ref : List.of(tmp.resolve("missing.key").toString(), dir.toString(), "/dev/null")) {
            Redactor r = Redactor.forInventoryFile(inventory("tsig: { keyFile: \"" + ref + "\" }", SSH), Map.of());
            assertTrue(r.isEmpty(), ref);
            assertEquals("nothing " + SECRET, r.redact("nothing " + SECRET));
        }
        assertTrue(Redactor.forInventoryFile(tmp.resolve("no-inventory.yaml"), Map.of()).isEmpty());
        Path notYaml = Fixtures.write(tmp, "broken.yaml", "{ [ : not yaml");
        assertTrue(Redactor.forInventoryFile(notYaml, Map.of()).isEmpty());
    }

    @Test
    void forInventoryFile_inventoryTheLoaderRejects_referencesStillFound() throws Exception {
        Path key = Fixtures.write(tmp, "k.key", SECRET);
        Path inv = Fixtures.write(tmp, "bad.yaml", """
                name: rejected
                unknownKey: 1
                dns: { tsig: { keyFile: "%s" } }
                providers: { vc: { kind: vsphere, passwordEnv: VC_PW } }
                """.formatted(key));
        Redactor r = Redactor.forInventoryFile(inv, Map.of("VC_PW", "hunter2-vc"));
        assertEquals("*** ***", r.redact(SECRET + " hunter2-vc"));
    }

    @Test
    void of_envTsigTripleAndIdentityFile_redacted() throws Exception {
        String pemLine1 = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW";
        String pemLine2 = "QyNTUxOQAAACBQx9yJd0fS3mR7AbcDefGhij0123456789klmnopqrSTUVAAAAlM9xYzA1";
        Path id = Fixtures.write(tmp, "id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + pemLine1 + "\n" + pemLine2
                + "\n-----END OPENSSH PRIVATE KEY-----\n");
        Path inv = inventory("tsig: { keyEnv: DRENG_TSIG_KEY }",
                "ssh: { user: root, identityFile: \"" + id + "\", knownHosts: /nonexistent/known_hosts }");
        Redactor r = Redactor.forInventoryFile(inv, Map.of("DRENG_TSIG_KEY", "hmac-sha256:drctl-update:" + SECRET));
        assertEquals("key *** alone *** decoded *** pem *** ***",
                r.redact("key hmac-sha256:drctl-update:" + SECRET + " alone " + SECRET + " decoded " + PLAIN
                        + " pem " + pemLine1 + " " + pemLine2));
        assertFalse(r.redact(pemLine1 + pemLine2).contains(pemLine2.substring(10)));
    }
}
