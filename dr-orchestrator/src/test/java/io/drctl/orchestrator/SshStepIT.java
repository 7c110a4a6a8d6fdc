package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.ssh.SshSessions;
import io.drctl.orchestrator.access.SshHostAccess;
import io.drctl.orchestrator.cli.CliRuntime;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.steps.Builtins;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code ssh} step type against a real OpenSSH sshd started on loopback by this test: output,
 * exit status, unknown host key refused, wrong key refused. Needs root (sshd) and the real
 * {@link SshSessions} (host-access); the run goes through the production {@link SshHostAccess}.
 */
class SshStepIT {
    static Path dir;
    static Process sshd;
    static int port;

    static void exec(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
        }
    }

    @BeforeAll
    static void startSshd() throws Exception {
        dir = Files.createTempDirectory("dreng-sshd-");
        exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("id_ed25519").toString());
        exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("other_key").toString());
        Files.copy(dir.resolve("id_ed25519.pub"), dir.resolve("authorized_keys"));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String hostPub = Files.readString(dir.resolve("host_key.pub")).strip();
        String[] parts = hostPub.split(" ");
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1] + "\n");
        Files.writeString(dir.resolve("empty_known_hosts"), "");
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "PermitRootLogin prohibit-password",
                "StrictModes no", "UsePAM no", "PidFile " + dir.resolve("sshd.pid"), "") );
        Files.createDirectories(Path.of("/run/sshd"));
        sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(10));
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException e) {
                if (Instant.now().isAfter(giveUp) || !sshd.isAlive()) {
                    throw new IllegalStateException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            if (!sshd.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                sshd.destroyForcibly().waitFor();
            }
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    Fixtures.Cli run(Path tmp, String identity, String knownHosts, String runbook) throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", """
                name: sshd-test
                ssh: { user: root, port: %d, identityFile: %s, knownHosts: %s, connectTimeout: 5s }
                regions:
                  region1:
                    hosts:
                      app: { address: 127.0.0.1, roles: [app] }
                """.formatted(port, dir.resolve(identity), dir.resolve(knownHosts)));
        Path rb = Fixtures.write(tmp, "rb.yaml", runbook);
        CliRuntime rt = new CliRuntime(Map.of("PATH", System.getenv("PATH")), Clock.systemUTC(), Builtins::registry,
                i -> new SshHostAccess(i, System.getProperty("user.home")), Optional.empty(), "tester", "testhost");
        return Fixtures.cli(rt, "run", "--state-dir", tmp.resolve("state").toString(), inv.toString(), rb.toString());
    }

    static final String HELLO = """
            name: hello
            steps:
              - id: hello
                type: ssh
                hosts: "role=app"
                command: "echo hello-$(id -un)-$((6*7))"
              - id: exit5
                type: ssh
                hosts: "role=app"
                command: "echo partial; exit 5"
                expectExit: 5
                dependsOn: [hello]
            """;

    @Test
    void ssh_realSshd_capturesOutputAndExitStatus() throws Exception {
        Path tmp = Files.createTempDirectory(dir, "ok");
        Fixtures.Cli r = run(tmp, "id_ed25519", "known_hosts", HELLO);
        assertEquals(ExitCodes.OK, r.code(), r.all());
        List<JournalEvent> events = Fixtures.journal(Fixtures.onlyRun(tmp.resolve("state")));
        JournalEvent applied = events.stream().filter(e -> e.event().equals("action.applied") && e.step().orElse("").equals("hello"))
                .findFirst().orElseThrow();
        assertTrue(applied.str("output").contains("hello-root-42"), applied.data().toString());
        JournalEvent exit5 = events.stream().filter(e -> e.event().equals("action.applied") && e.step().orElse("").equals("exit5"))
                .findFirst().orElseThrow();
        assertEquals("exit 5", exit5.str("summary").substring(0, 6));
    }

    @Test
    void ssh_realSshd_unexpectedExitFails() throws Exception {
        Path tmp = Files.createTempDirectory(dir, "exit");
        Fixtures.Cli r = run(tmp, "id_ed25519", "known_hosts", HELLO.replace("expectExit: 5", "expectExit: 0"));
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertTrue(r.out().contains("expected exit 0, got 5: partial"), r.out());
    }

    /** Refused at connect, typed, and not retried (neither kind is retriable). */
    @ParameterizedTest(name = "{0} + {1}: {2}")
    @CsvSource({"id_ed25519, empty_known_hosts, UNKNOWN_HOST_KEY", "other_key, known_hosts, AUTH_FAILED"})
    void ssh_unknownHostKeyOrWrongKey_refused(String identity, String knownHosts, String kind) throws Exception {
        Path tmp = Files.createTempDirectory(dir, kind);
        Fixtures.Cli r = run(tmp, identity, knownHosts, HELLO);
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertTrue(r.out().contains(kind), r.out());
        assertEquals(1, Fixtures.brief(Fixtures.onlyRun(tmp.resolve("state"))).stream()
                .filter(e -> e.startsWith("action.attempt-failed")).count(), "not retried");
    }
}
