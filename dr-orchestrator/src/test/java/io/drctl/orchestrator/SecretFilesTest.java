package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets referenced through files (the TSIG key file, whatever its shape) never reach the console,
 * the journal, any file of the state directory, {@code status} or {@code history}: neither through an
 * error message about the file nor through a command that prints the file.
 */
class SecretFilesTest {
    /** Base64 of printable text, so the decoded form can be echoed and must be redacted too. */
    static final String PLAIN = "drctl-bare-secret-0123456789abcdef";
    static final String SECRET = Base64.getEncoder().encodeToString(PLAIN.getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path tmp;
    Path keyFile;
    Path inv;
    Path state;

    @BeforeEach
    void setUp() throws Exception {
        keyFile = Fixtures.write(tmp, "bare.key", SECRET + "\n"); // only the secret, not a BIND key statement
        int deadPort;
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            deadPort = d.getLocalPort(); // closed again: no DNS server listens there
        }
        inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY
                .replace("tsig: { keyEnv: DRENG_TSIG_KEY }", "tsig: { keyFile: \"" + keyFile + "\" }")
                .replace("port: 53", "port: " + deadPort));
        state = tmp.resolve("state");
    }

    /** Runs each command with {@code --state-dir}, expecting exit {@code exit}; adds "command: output" to {@code seen}. */
    void runEach(List<String> seen, int exit, List<String[]> commands) {
        for (String[] args : commands) {
            List<String> a = new ArrayList<>(List.of(args));
            a.addAll(List.of("--state-dir", state.toString()));
            Fixtures.Cli c = Fixtures.cli(a.toArray(String[]::new)).assertExit(exit);
            seen.add(String.join(" ", args) + ": " + c.all());
        }
    }

    /** Adds every file of the state directory to {@code seen}; none of them may hold the secret in any form. */
    void assertSecretNowhere(List<String> seen) throws IOException {
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                seen.add(f + ": " + Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        for (String s : seen) {
            for (String secret : List.of(SECRET, SECRET.replace("=", ""), PLAIN)) {
                assertFalse(s.contains(secret), "secret in " + s);
            }
        }
    }

    @Test
    void run_bareBase64KeyFileAndACommandPrintingIt_secretNowhere() throws Exception {
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: key-check
                steps:
                  - id: leak
                    type: exec
                    command: "cat KEY; base64 -d KEY; echo; cat KEY | tr -d = >&2"
                  - id: tsig-key
                    type: dns.key-check
                    dependsOn: [leak]
                """.replace("KEY", keyFile.toString()));
        Fixtures.Cli run = Fixtures.cli("run", "-v", "--state-dir", state.toString(), inv.toString(), rb.toString())
                .assertExit(ExitCodes.STEP_FAILED);
        assertTrue(run.all().contains(keyFile + ":1: the file holds a bare secret"), "says what and where: " + run.all());

        String journal = Files.readString(Fixtures.onlyRun(state).resolve("journal.jsonl"));
        assertTrue(journal.contains("***"), "the command's output was journaled, redacted: " + journal);

        List<String> seen = new ArrayList<>();
        seen.add("run output: " + run.all());
        runEach(seen, ExitCodes.OK, List.of(
                new String[] {"status", "--output", "json"},
                new String[] {"status"},
                new String[] {"history", "--output", "json"},
                new String[] {"history"}));
        Fixtures.Cli plan = Fixtures.cli("plan", inv.toString(), rb.toString());
        seen.add("plan: " + plan.all());
        assertSecretNowhere(seen);
    }

    /** Readiness (text, JSON as /results serves it, a daemon round) and a drill's report, with checks printing the key file. */
    @Test
    void readinessDaemonAndDrill_checksPrintingTheKeyFile_secretNowhere() throws Exception {
        Path checks = Fixtures.write(tmp, "checks.yaml", """
                name: leaky-readiness
                steps:
                  - { id: shows-key, type: exec, command: "cat KEY; base64 -d KEY", onFailure: continue }
                  - { id: fails-with-key, type: exec, command: "cat KEY >&2; exit 1", onFailure: continue }
                  - { id: tsig-key, type: dns.key-check, onFailure: continue }
                """.replace("KEY", keyFile.toString()));
        Path over = Fixtures.write(tmp, "over.yaml", """
                name: over
                steps:
                  - { id: echo, type: exec, command: "echo over $(cat KEY)" }
                """.replace("KEY", keyFile.toString()));
        Path back = Fixtures.write(tmp, "back.yaml", """
                name: back
                steps:
                  - { id: echo, type: exec, command: "echo back $(cat KEY) >&2; exit 1" }
                """.replace("KEY", keyFile.toString()));
        List<String> seen = new ArrayList<>();
        runEach(seen, ExitCodes.STEP_FAILED, List.of(
                new String[] {"readiness", "-v", "-i", inv.toString(), checks.toString()},
                new String[] {"readiness", "--output", "json", "-i", inv.toString(), checks.toString()},
                new String[] {"daemon", "--once", "--listen", "127.0.0.1:0", "-i", inv.toString(), checks.toString()},
                new String[] {"drill", "-v", "-i", inv.toString(), "--failover", over.toString(), "--failback", back.toString(),
                        "--no-readiness"}));
        assertTrue(seen.get(1).contains("\"check\" : \"fails-with-key\""), seen.get(1));
        assertTrue(Files.isDirectory(state.resolve("drills")), "the drill wrote its report");
        assertSecretNowhere(seen);
    }

    @Test
    void run_keyFileMissing_runNotRefusedAndSaysWhere() throws Exception {
        Files.delete(keyFile);
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: key-check
                steps:
                  - { id: first, type: exec, command: "true" }
                  - { id: tsig-key, type: dns.key-check, dependsOn: [first] }
                """);
        Fixtures.Cli run = Fixtures.cli("run", "--state-dir", state.toString(), inv.toString(), rb.toString())
                .assertExit(ExitCodes.STEP_FAILED);
        assertTrue(run.all().contains(keyFile + ": key file does not exist"), run.all());
        assertEquals(List.of("first", "tsig-key"), Fixtures.journal(Fixtures.onlyRun(state)).stream()
                .filter(e -> e.event().equals("step.finished")).map(e -> e.step().orElseThrow()).toList());
    }
}
