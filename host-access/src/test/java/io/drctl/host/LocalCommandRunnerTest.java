package io.drctl.host;

import static io.drctl.host.TestProcesses.awaitGone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalCommandRunner} with real local processes. */
class LocalCommandRunnerTest {

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    @TempDir(factory = DrhostTempDirs.class)
    Path dir;

    @Test
    void run_outputAndExitStatus_capturedSeparately() throws Exception {
        CommandResult r = LocalCommandRunner.local().run("echo hi; echo err >&2; exit 3", TEN_SECONDS);
        assertEquals(3, r.exitCode());
        assertEquals("hi\n", r.stdout());
        assertEquals("err\n", r.stderr());
        assertEquals("err", r.lastLine());
    }

    @Test
    void run_commandExceedsTimeout_killsItAndItsChildren() throws Exception {
        Path pid = dir.resolve("pid");
        Path child = dir.resolve("child");
        Path finished = dir.resolve("finished");
        // the background child would leave a marker if it were allowed to run to its end
        HostAccessException e = assertThrows(HostAccessException.class, () -> LocalCommandRunner.local().run(
                "echo $$ > " + Shell.quote(pid.toString()) + "; (sleep 15; touch " + Shell.quote(finished.toString())
                        + ") & echo $! > " + Shell.quote(child.toString()) + "; wait", Duration.ofMillis(1000)));
        assertEquals(HostAccessException.Kind.COMMAND_TIMEOUT, e.kind());
        assertEquals("local", e.target());
        assertTrue(awaitGone(Long.parseLong(Files.readString(pid).trim())), "shell still running");
        assertTrue(awaitGone(Long.parseLong(Files.readString(child).trim())), "background child still running");
        assertFalse(Files.exists(finished), "the background child ran to its end instead of being killed");
    }

    @Test
    void run_missingProgramInPrefix_failsAsLocalSetup() {
        LocalCommandRunner runner = LocalCommandRunner.withPrefix("missing", List.of("/nonexistent/drhost-no-such-program"));
        HostAccessException e = assertThrows(HostAccessException.class, () -> runner.run("true", TEN_SECONDS));
        assertEquals(HostAccessException.Kind.LOCAL_SETUP, e.kind());
        assertFalse(e.isRetriable());
        assertTrue(e.getMessage().contains("/nonexistent/drhost-no-such-program"), e.getMessage());
    }

    @Test
    void run_commandNotFoundInsideShell_isAResultNotAnException() throws Exception {
        CommandResult r = LocalCommandRunner.local().run("drhost-no-such-command-xyz", TEN_SECONDS);
        assertEquals(127, r.exitCode());
    }

    @Test
    void run_withEnvironment_commandSeesItWithoutItInArgv() throws Exception {
        CommandResult r = LocalCommandRunner.local(Map.of("DRHOST_SECRET_REF", "value-from-env"))
                .run("printf '%s' \"$DRHOST_SECRET_REF\"", TEN_SECONDS);
        assertEquals("value-from-env", r.stdout());
    }

    @Test
    void run_withPrefix_argvPrefixIsUsed() throws Exception {
        CommandResult r = LocalCommandRunner.withPrefix("env-prefix", List.of("env", "DRHOST_VIA_PREFIX=yes"))
                .run("echo $DRHOST_VIA_PREFIX", TEN_SECONDS);
        assertEquals("yes\n", r.stdout());
    }

    @Test
    void inNetns_unsafeName_rejectedBeforeRunning() {
        assertThrows(IllegalArgumentException.class, () -> LocalCommandRunner.inNetns("x; rm -rf /"));
        assertThrows(IllegalArgumentException.class, () -> LocalCommandRunner.inNetns("-n"));
    }

    @Test
    void run_quotedValue_staysOneArgument() throws Exception {
        String hostile = "a'; touch " + dir.resolve("pwned") + "; echo '";
        CommandResult r = LocalCommandRunner.local().run("printf '<%s>' " + Shell.quote(hostile), TEN_SECONDS);
        assertEquals("<" + hostile + ">", r.stdout());
        assertFalse(Files.exists(dir.resolve("pwned")));
    }
}
