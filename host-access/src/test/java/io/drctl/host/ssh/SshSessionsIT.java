package io.drctl.host.ssh;

import static io.drctl.host.TestProcesses.awaitGone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException.Kind;
import io.drctl.host.HostAccessException;
import io.drctl.host.SshTarget;
import io.drctl.host.TestPorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * {@link SshSessions} against a real OpenSSH sshd this class starts on 127.0.0.1 (see {@link TestSshd}).
 */
class SshSessionsIT extends WithTestSshd {

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
    /** Sets {@code p} to the command's nearest sshd ancestor: the server side of its session (the command's
     *  parent on an exec channel; the long-lived shell's parent in a {@link ShellChannel}). */
    static final String SSHD_SESSION = "p=$PPID; while [ \"$(cut -c1-4 /proc/$p/comm)\" != sshd ]; do"
            + " p=$(cut -d' ' -f4 /proc/$p/stat); done";

    private static SshTarget target(Path identity, Path knownHostsFile) {
        return target(sshd.port, identity, knownHostsFile, Optional.empty());
    }

    private static SshTarget target(int port, Path identity, Path knownHostsFile, Optional<SshTarget> jump) {
        return new SshTarget("test/sshd", "127.0.0.1", port, "root", identity, knownHostsFile, true,
                Duration.ofSeconds(5), CommandRunner.OsFamily.LINUX, jump);
    }

    /** Runs {@code command} on the test sshd through a fresh pool, closed afterwards. */
    private static CommandResult runOnce(String command) throws Exception {
        try (SshSessions sessions = new SshSessions()) {
            return sessions.runner(target(sshd.clientEd25519, knownHosts)).run(command, TEN_SECONDS);
        }
    }

    /** Commands with the exit status and the two streams the sshd must return for them. */
    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("echo hi; echo err >&2; exit 3", 3, "hi\n", "err\n"),
                // `cat` reads stdin: it must see EOF at once instead of waiting for input forever
                Arguments.of("cat; printf '%s' 'grüße ✓'", 0, "grüße ✓", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void run_command_returnsItsStatusAndBothStreamsWithoutHanging(String command, int exit, String stdout,
                                                                  String stderr) throws Exception {
        CommandResult r = runOnce(command);
        assertEquals(exit, r.exitCode());
        assertEquals(stdout, r.stdout());
        assertEquals(stderr, r.stderr());
        assertEquals(exit == 0, r.succeeded());
    }

    @Test
    void run_commandKilledBySignal_reportsShellStyleStatus() throws Exception {
        assertEquals(128 + 15, runOnce("kill -TERM $$").exitCode());
    }

    @Test
    void run_severalCommands_reuseOneSshConnection() throws Exception {
        int loginsBefore = sshd.acceptedLogins();
        Set<String> connections = new HashSet<>();
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner runner = sessions.runner(target(sshd.clientEd25519, knownHosts));
            for (int i = 0; i < 5; i++) {
                CommandResult r = runner.run("echo $SSH_CONNECTION", TEN_SECONDS);
                assertEquals(0, r.exitCode(), r.stderr());
                connections.add(r.stdout().trim());
            }
            // a second runner for the same host shares the session too
            connections.add(sessions.runner(target(sshd.clientEd25519, knownHosts))
                    .run("echo $SSH_CONNECTION", TEN_SECONDS).stdout().trim());
        }
        assertEquals(1, connections.size(), "client address/port per command: " + connections);
        assertEquals(loginsBefore + 1, sshd.acceptedLogins(), "sshd logins during the test");
    }

    @Test
    void run_concurrentCommandsFromSeveralThreads_allSucceedOnOneSession() throws Exception {
        int loginsBefore = sshd.acceptedLogins();
        // more threads than sshd's MaxSessions (10): the per-session channel limit (8) queues the rest
        int threads = 12;
        int perThread = 4;
        Set<String> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner runner = sessions.runner(target(sshd.clientEd25519, knownHosts));
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<String> outputs = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        CommandResult r = runner.run("echo t" + thread + "-" + i + "; echo $SSH_CONNECTION; exit "
                                + (thread + i) % 4, TEN_SECONDS);
                        assertEquals((thread + i) % 4, r.exitCode());
                        String[] lines = r.stdout().split("\n");
                        outputs.add(lines[0]);
                        connections.add(lines[1]);
                    }
                    return outputs;
                }));
            }
            for (int t = 0; t < threads; t++) {
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    expected.add("t" + t + "-" + i);
                }
                assertEquals(expected, futures.get(t).get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, connections.size(), "connections seen by the commands: " + connections);
        assertEquals(loginsBefore + 1, sshd.acceptedLogins());
    }

    @Test
    void run_commandExceedsTimeout_throwsCommandTimeoutAndKillsItsProcesses() throws Exception {
        Path pidFile = sshd.dir.resolve("timeout.pid");
        Path childPidFile = sshd.dir.resolve("timeout-child.pid");
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner runner = sessions.runner(target(sshd.clientEd25519, knownHosts));
            String before = runner.run("echo $SSH_CONNECTION", TEN_SECONDS).stdout();
            Path finished = sshd.dir.resolve("timeout-finished");
            // the background child would leave a marker if it were allowed to run to its end
            HostAccessException e = assertThrows(HostAccessException.class, () -> runner.run(
                    "echo $$ > " + pidFile + "; (sleep 15; touch " + finished + ") & echo $! > " + childPidFile
                            + "; wait", Duration.ofMillis(1500)));
            assertEquals(Kind.COMMAND_TIMEOUT, e.kind());
            assertTrue(e.isRetriable());
            assertTrue(e.getMessage().contains(runner.describe()), e.getMessage());

            long pid = Long.parseLong(Files.readString(pidFile).trim());
            long child = Long.parseLong(Files.readString(childPidFile).trim());
            assertTrue(awaitGone(pid), "the timed-out command's shell (pid " + pid + ") is still running");
            assertTrue(awaitGone(child), "the timed-out command's child (pid " + child + ") is still running");
            assertFalse(Files.exists(finished), "the background child ran to its end instead of being killed");
            // the session survives a timed-out command
            assertEquals(before, runner.run("echo $SSH_CONNECTION", TEN_SECONDS).stdout());
        }
    }

    @Test
    void connect_hostKeyMissingFromKnownHosts_refusedAsUnknownHostKey() throws Exception {
        Path empty = sshd.dir.resolve("known_hosts_empty");
        Files.writeString(empty, "");
        int loginsBefore = sshd.acceptedLogins();
        try (SshSessions sessions = new SshSessions()) {
            HostAccessException e = assertThrows(HostAccessException.class,
                    () -> sessions.runner(target(sshd.clientEd25519, empty)).run("true", TEN_SECONDS));
            assertEquals(Kind.UNKNOWN_HOST_KEY, e.kind());
            assertFalse(e.isRetriable());
            assertTrue(e.getMessage().contains("ssh-keyscan -p " + sshd.port + " 127.0.0.1 >> " + empty),
                    e.getMessage());
            assertTrue(e.getMessage().contains("ssh-ed25519"), e.getMessage());
        }
        assertEquals("", Files.readString(empty), "known_hosts must not be modified");
        assertEquals(loginsBefore, sshd.acceptedLogins(), "no login may happen with an unknown host key");
    }

    @Test
    void connect_knownHostsHoldsAnotherKeyForTheAddress_refusedAsChangedHostKey() throws Exception {
        Path other = sshd.knownHostsWithKey("known_hosts_other", sshd.otherHostKey);
        String content = Files.readString(other);
        try (SshSessions sessions = new SshSessions()) {
            HostAccessException e = assertThrows(HostAccessException.class,
                    () -> sessions.runner(target(sshd.clientEd25519, other)).run("true", TEN_SECONDS));
            assertEquals(Kind.CHANGED_HOST_KEY, e.kind());
            assertFalse(e.isRetriable());
            assertTrue(e.getMessage().contains("ssh-keygen -R '[127.0.0.1]:" + sshd.port + "'"), e.getMessage());
        }
        assertEquals(content, Files.readString(other), "known_hosts must not be modified");
    }

    @Test
    void connect_missingKnownHostsFile_failsAsLocalSetup() throws Exception {
        Path missing = sshd.dir.resolve("no_such_known_hosts");
        try (SshSessions sessions = new SshSessions()) {
            HostAccessException e = assertThrows(HostAccessException.class,
                    () -> sessions.runner(target(sshd.clientEd25519, missing)).run("true", TEN_SECONDS));
            assertEquals(Kind.LOCAL_SETUP, e.kind());
        }
        assertFalse(Files.exists(missing));
    }

    @Test
    void connect_hashedKnownHostsEntry_accepted() throws Exception {
        Path hashed = sshd.hashedKnownHosts("known_hosts_hashed");
        assertTrue(Files.readString(hashed).startsWith("|1|"), "ssh-keygen -H should hash the entry");
        try (SshSessions sessions = new SshSessions()) {
            assertEquals("ok\n", sessions.runner(target(sshd.clientEd25519, hashed)).run("echo ok", TEN_SECONDS).stdout());
        }
    }

    @Test
    void connect_strictCheckingOff_acceptsUnknownKeyWithoutWritingKnownHosts() throws Exception {
        Path empty = sshd.dir.resolve("known_hosts_lenient");
        Files.writeString(empty, "");
        SshTarget lenient = new SshTarget("test/lenient", "127.0.0.1", sshd.port, "root", sshd.clientEd25519, empty,
                false, Duration.ofSeconds(5), CommandRunner.OsFamily.LINUX, Optional.empty());
        try (SshSessions sessions = new SshSessions()) {
            assertEquals("ok\n", sessions.runner(lenient).run("echo ok", TEN_SECONDS).stdout());
        }
        assertEquals("", Files.readString(empty));
    }

    @Test
    void connect_keyNotInAuthorizedKeys_refusedAsAuthFailed() throws Exception {
        try (SshSessions sessions = new SshSessions()) {
            HostAccessException e = assertThrows(HostAccessException.class,
                    () -> sessions.runner(target(sshd.clientUnauthorized, knownHosts)).run("true", TEN_SECONDS));
            assertEquals(Kind.AUTH_FAILED, e.kind());
            assertFalse(e.isRetriable());
            assertTrue(e.getMessage().contains(sshd.clientUnauthorized.toString()), e.getMessage());
        }
    }

    @Test
    void connect_rsaIdentity_works() throws Exception {
        try (SshSessions sessions = new SshSessions()) {
            assertEquals("rsa\n", sessions.runner(target(sshd.clientRsa, knownHosts)).run("echo rsa", TEN_SECONDS).stdout());
        }
    }

    @Test
    void connect_encryptedIdentityWithPassphraseFromEnvironment_works() throws Exception {
        SshSessions.Options options = SshSessions.Options.defaults()
                .withPassphraseFrom("DRHOST_KEY_PASSPHRASE", Map.of("DRHOST_KEY_PASSPHRASE", TestSshd.PASSPHRASE));
        try (SshSessions sessions = new SshSessions(options)) {
            assertEquals("enc\n",
                    sessions.runner(target(sshd.clientEncrypted, knownHosts)).run("echo enc", TEN_SECONDS).stdout());
        }
    }

    @Test
    void connect_encryptedIdentityWithoutPassphrase_failsAsLocalSetup() throws Exception {
        SshSessions.Options wrong = SshSessions.Options.defaults()
                .withPassphraseFrom("DRHOST_KEY_PASSPHRASE", Map.of("DRHOST_KEY_PASSPHRASE", "not-the-passphrase"));
        try (SshSessions none = new SshSessions(); SshSessions bad = new SshSessions(wrong)) {
            HostAccessException e1 = assertThrows(HostAccessException.class,
                    () -> none.runner(target(sshd.clientEncrypted, knownHosts)).run("true", TEN_SECONDS));
            assertEquals(Kind.LOCAL_SETUP, e1.kind());
            HostAccessException e2 = assertThrows(HostAccessException.class,
                    () -> bad.runner(target(sshd.clientEncrypted, knownHosts)).run("true", TEN_SECONDS));
            assertEquals(Kind.LOCAL_SETUP, e2.kind());
            assertTrue(e2.getMessage().contains("DRHOST_KEY_PASSPHRASE"), e2.getMessage());
        }
    }

    @Test
    void connect_portWithNoSshd_failsAsUnreachable() throws Exception {
        int closedPort = TestPorts.free();
        try (SshSessions sessions = new SshSessions()) {
            HostAccessException e = assertThrows(HostAccessException.class,
                    () -> sessions.runner(target(closedPort, sshd.clientEd25519, knownHosts, Optional.empty()))
                            .run("true", TEN_SECONDS));
            assertEquals(Kind.UNREACHABLE, e.kind());
            assertTrue(e.isRetriable());
            assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
        }
    }

    @Test
    void run_afterServerSideSessionKilled_reconnectsForTheNextCommand() throws Exception {
        int loginsBefore = sshd.acceptedLogins();
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner runner = sessions.runner(target(sshd.clientEd25519, knownHosts));
            String first = runner.run("echo $SSH_CONNECTION", TEN_SECONDS).stdout();
            // kill this connection's sshd session process: the TCP connection drops mid-command
            HostAccessException e = assertThrows(HostAccessException.class,
                    () -> runner.run(SSHD_SESSION + "; kill -9 $p; sleep 5", TEN_SECONDS));
            assertEquals(Kind.IO, e.kind());
            CommandResult after = runner.run("echo $SSH_CONNECTION", TEN_SECONDS);
            assertEquals(0, after.exitCode());
            assertFalse(first.equals(after.stdout()), "expected a new connection, got the same: " + first);
        }
        assertEquals(loginsBefore + 2, sshd.acceptedLogins());
    }

    @Test
    void run_afterIdleSessionDroppedByServer_reconnectsTransparently() throws Exception {
        int loginsBefore = sshd.acceptedLogins();
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner runner = sessions.runner(target(sshd.clientEd25519, knownHosts));
            CommandResult first = runner.run("echo $SSH_CONNECTION; " + SSHD_SESSION + "; echo $p", TEN_SECONDS);
            String[] lines = first.stdout().split("\n");
            // kill the server side of the idle session from outside, as a server restart or network cut would
            ProcessHandle sessionProcess = ProcessHandle.of(Long.parseLong(lines[1].trim())).orElseThrow();
            sessionProcess.destroyForcibly();
            assertTrue(sessionProcess.onExit().get(10, TimeUnit.SECONDS) != null);
            CommandResult after = runner.run("echo $SSH_CONNECTION", TEN_SECONDS);
            assertEquals(0, after.exitCode());
            assertFalse(lines[0].equals(after.stdout().trim()), "expected a new connection, got " + lines[0]);
        }
        assertEquals(loginsBefore + 2, sshd.acceptedLogins());
    }

    @Test
    void run_throughJumpHost_reachesTargetOverTunnel() throws Exception {
        int loginsBefore = sshd.acceptedLogins();
        SshTarget jump = new SshTarget("test/jump", "127.0.0.1", sshd.port, "root", sshd.clientEd25519, knownHosts,
                true, Duration.ofSeconds(5), CommandRunner.OsFamily.LINUX, Optional.empty());
        // the target is the same sshd, reached from the jump host's side through direct-tcpip
        SshTarget behind = target(sshd.port, sshd.clientRsa, knownHosts, Optional.of(jump));
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner runner = sessions.runner(behind);
            assertEquals("via jump\n", runner.run("echo via jump", TEN_SECONDS).stdout());
            assertEquals("again\n", runner.run("echo again", TEN_SECONDS).stdout());
        }
        assertEquals(loginsBefore + 2, sshd.acceptedLogins(), "one login for the jump host, one for the target");
    }

    @Test
    void run_throughJumpHostToClosedPort_failsAsUnreachable() throws Exception {
        int closedPort = TestPorts.free();
        SshTarget jump = target(sshd.clientEd25519, knownHosts);
        SshTarget behind = target(closedPort, sshd.clientEd25519, knownHosts, Optional.of(jump));
        try (SshSessions sessions = new SshSessions()) {
            HostAccessException e = assertThrows(HostAccessException.class,
                    () -> sessions.runner(behind).run("true", TEN_SECONDS));
            assertEquals(Kind.UNREACHABLE, e.kind());
            assertTrue(e.getMessage().contains("jump host"), e.getMessage());
        }
    }

    @Test
    void allPaths_neverPutKeyMaterialOrPassphraseInLogsOrExceptions() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<ch.qos.logback.classic.Logger> loggers = List.of(root, ctx.getLogger("io.drctl"),
                ctx.getLogger(JschSlf4jLogger.LOGGER_NAME));
        List<Level> previous = loggers.stream().map(ch.qos.logback.classic.Logger::getLevel).toList();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.setContext(ctx);
        captured.start();
        root.addAppender(captured);
        loggers.forEach(l -> l.setLevel(Level.DEBUG));
        StringBuilder seen = new StringBuilder();
        try {
            Path empty = sshd.dir.resolve("known_hosts_secret_test");
            Files.writeString(empty, "");
            SshSessions.Options wrongPass = SshSessions.Options.defaults()
                    .withPassphraseFrom("DRHOST_PASS", Map.of("DRHOST_PASS", TestSshd.PASSPHRASE + "-wrong"));
            SshSessions.Options rightPass = SshSessions.Options.defaults()
                    .withPassphraseFrom("DRHOST_PASS", Map.of("DRHOST_PASS", TestSshd.PASSPHRASE));
            try (SshSessions plain = new SshSessions(); SshSessions wrong = new SshSessions(wrongPass);
                 SshSessions right = new SshSessions(rightPass)) {
                seen.append(plain.runner(target(sshd.clientEd25519, knownHosts)).run("echo ok", TEN_SECONDS));
                seen.append(right.runner(target(sshd.clientEncrypted, knownHosts)).run("echo ok", TEN_SECONDS));
                seen.append(right.toString()).append(rightPass);
                List<ThrowingCall> failing = List.of(
                        () -> plain.runner(target(sshd.clientUnauthorized, knownHosts)).run("true", TEN_SECONDS),
                        () -> plain.runner(target(sshd.clientRsa, empty)).run("true", TEN_SECONDS),
                        () -> wrong.runner(target(sshd.clientEncrypted, knownHosts)).run("true", TEN_SECONDS),
                        () -> plain.runner(target(sshd.clientEncrypted, knownHosts)).run("true", TEN_SECONDS),
                        () -> plain.runner(target(sshd.clientEd25519, knownHosts)).run("sleep 30", Duration.ofMillis(500)));
                for (ThrowingCall call : failing) {
                    HostAccessException e = assertThrows(HostAccessException.class, call::call);
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    seen.append(trace);
                }
            }
        } finally {
            root.detachAppender(captured);
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).setLevel(previous.get(i));
            }
        }
        for (ILoggingEvent event : captured.list) {
            seen.append(event.getFormattedMessage()).append('\n');
        }
        assertTrue(captured.list.size() > 20, "expected JSch debug logging to be captured, got " + captured.list.size());
        String all = seen.toString();
        for (String secret : sshd.secretLines()) {
            assertFalse(all.contains(secret), "secret material leaked into logs/exceptions: " + secret.substring(0, 6) + "...");
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void call() throws Exception;
    }
}
