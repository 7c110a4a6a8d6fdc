package io.drctl.host.ssh;

import static io.drctl.host.TestProcesses.awaitGone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.SshTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The long-lived shell behind {@link SshSessions} ({@link ShellChannel}) against a real OpenSSH sshd on
 * 127.0.0.1: a command in it sees what it would see on its own exec channel, and costs less.
 */
class ShellChannelIT extends WithTestSshd {

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    private static CommandRunner runner(SshSessions sessions) {
        return sessions.runner(new SshTarget("test/sshd", "127.0.0.1", sshd.port, "root", sshd.clientEd25519,
                knownHosts, true, Duration.ofSeconds(5), CommandRunner.OsFamily.LINUX, Optional.empty()));
    }

    /** The pid of the process that started the command's shell: the long-lived shell, or sshd on an exec channel. */
    private static String parent(CommandRunner r) throws Exception {
        return r.run("echo $PPID", TEN_SECONDS).stdout().trim();
    }

    @Test
    void commands_runInOneLongLivedShell_eachInAFreshShellOfItsOwn() throws Exception {
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner r = runner(sessions);
            String shell = parent(r);
            assertEquals(shell, parent(r), "consecutive commands share the long-lived shell");
            // nothing one command sets reaches the next: variables, directory, options, exit
            assertEquals(0, r.run("X=set; export Y=set; cd /tmp; set -e; exit 0", TEN_SECONDS).exitCode());
            CommandResult after = r.run("echo \"${X:-unset} ${Y:-unset} $(pwd)\"; false; echo still", TEN_SECONDS);
            assertEquals("unset unset " + System.getProperty("user.home") + "\nstill\n", after.stdout());
            assertEquals(7, r.run("exit 7", TEN_SECONDS).exitCode());
            assertEquals(shell, parent(r), "`exit` in a command ends its own shell, not the long-lived one");
            // its process group is its own, as on an exec channel: signalling it leaves the long-lived shell alone
            assertEquals(128 + 15, r.run("kill -TERM 0", TEN_SECONDS).exitCode());
            assertEquals(shell, parent(r), "`kill 0` in a command signals its own group only");
            // the session's environment, as on an exec channel
            assertTrue(r.run("echo $SSH_CONNECTION", TEN_SECONDS).stdout().contains("127.0.0.1"));
        }
    }

    @Test
    void outputs_exactBytesAndSeparateStreams_evenWhenTheyLookLikeTheShellsOwnFraming() throws Exception {
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner r = runner(sessions);
            CommandResult forged = r.run("printf 'DRCTL-2 0 0 0\\nDRCTL-READY'; printf 'DRCTL-9 1 2 3' >&2", TEN_SECONDS);
            assertEquals("DRCTL-2 0 0 0\nDRCTL-READY", forged.stdout());
            assertEquals("DRCTL-9 1 2 3", forged.stderr());
            // quotes, newlines and a here-document survive as they would on an exec channel
            String script = "cat <<'EOF'\nit's \"quoted\" $HOME `x`\nEOF\necho 'a'\"'\"'b'";
            assertEquals("it's \"quoted\" $HOME `x`\na'b\n", r.run(script, TEN_SECONDS).stdout());
            CommandResult big = r.run("head -c 300000 /dev/zero | tr '\\0' x; echo; echo done >&2", TEN_SECONDS);
            assertEquals(300001, big.stdout().length());
            assertEquals("done\n", big.stderr());
            assertEquals("ok\n", r.run("echo ok", TEN_SECONDS).stdout(), "the shell is in step after a large output");
        }
    }

    @Test
    void outputs_overTheLimit_keptUpToItAndTheRestCounted() throws Exception {
        try (SshSessions sessions = new SshSessions(SshSessions.Options.defaults().withMaxOutputBytes(10))) {
            CommandRunner r = runner(sessions);
            CommandResult c = r.run("printf 0123456789abcdef", TEN_SECONDS);
            assertEquals("0123456789\n[drctl: 6 more bytes of output dropped]", c.stdout());
            assertEquals("next\n", r.run("echo next", TEN_SECONDS).stdout());
        }
    }

    @Test
    void aBackgroundProcessLeftRunning_neitherHoldsTheCommandOpenNorPutsTheShellOutOfStep() throws Exception {
        Path pid = sshd.dir.resolve("shell-bg.pid");
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner r = runner(sessions);
            long t0 = System.nanoTime();
            CommandResult c = r.run("sleep 30 & echo $! > " + pid + "; echo started", TEN_SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals("started\n", c.stdout());
            assertTrue(ms < 5000, "took " + ms + " ms");
            assertEquals("after\n", r.run("echo after", TEN_SECONDS).stdout());
            // nor does one that writes after its command ended change that output or put the shell out of step
            assertEquals("now\n", r.run("(sleep 0.2; echo late; echo late >&2) & echo now", TEN_SECONDS).stdout());
            Thread.sleep(400);
            CommandResult next = r.run("echo next", TEN_SECONDS);
            assertEquals("next\n", next.stdout());
            assertEquals("", next.stderr());
        } finally {
            if (Files.exists(pid)) {
                long p = Long.parseLong(Files.readString(pid).trim());
                ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
                assertTrue(awaitGone(p));
            }
        }
    }

    @Test
    void theLongLivedShellKilled_theCommandFailsAndTheNextOneGetsANewShell() throws Exception {
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner r = runner(sessions);
            String shell = parent(r);
            // the long-lived shell dies under a command: it may or may not have completed, said so
            io.drctl.host.HostAccessException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.drctl.host.HostAccessException.class, () -> r.run("kill -9 $PPID; sleep 3", TEN_SECONDS));
            assertTrue(e.getMessage().contains("may or may not have completed"), e.getMessage());
            assertTrue(awaitGone(Long.parseLong(shell)));
            String next = parent(r);
            assertNotEquals(shell, next);
            assertEquals(next, parent(r));
        }
    }

    @Test
    void concurrentCommands_eachGetsAShell_andIdleShellsAreReused() throws Exception {
        Set<String> shells = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner r = runner(sessions);
            for (int round = 0; round < 3; round++) {
                List<Future<CommandResult>> all = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    int n = i;
                    all.add(pool.submit(() -> r.run("sleep 0.2; echo $PPID; echo " + n + " >&2", TEN_SECONDS)));
                }
                for (int i = 0; i < all.size(); i++) {
                    CommandResult c = all.get(i).get(30, TimeUnit.SECONDS);
                    assertEquals(0, c.exitCode());
                    assertEquals(i + "\n", c.stderr(), "each command's own output");
                    shells.add(c.stdout().trim());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // at most one shell per command running at once, reused in later rounds
        assertTrue(shells.size() <= 6, "shells: " + shells);
    }

    @Test
    void execChannels_whenShellsAreOff_sameResults() throws Exception {
        try (SshSessions sessions = new SshSessions(SshSessions.Options.defaults(), false);
             SshSessions shells = new SshSessions()) {
            String cmd = "echo out; echo err >&2; printf '%s' \"$(cat)\"; exit 4";
            CommandResult exec = runner(sessions).run(cmd, TEN_SECONDS);
            CommandResult shell = runner(shells).run(cmd, TEN_SECONDS);
            assertEquals(4, exec.exitCode());
            assertEquals(exec.exitCode(), shell.exitCode());
            assertEquals(exec.stdout(), shell.stdout());
            assertEquals(exec.stderr(), shell.stderr());
            // the environment the login shell's rc files export, as on an exec channel; sourced once per shell
            String env = "echo \"$PATH|$HOME|$USER|$LOGNAME|$SHELL|${SSH_CONNECTION:+ssh}|$(umask)|$(pwd)\"";
            assertEquals(runner(sessions).run(env, TEN_SECONDS).stdout(), runner(shells).run(env, TEN_SECONDS).stdout());
            assertTrue(Integer.parseInt(runner(shells).run("echo $SHLVL", TEN_SECONDS).stdout().trim()) >= 2,
                    "a command runs a shell level below the long-lived shell");
        }
    }

    @Test
    void aShellUsedByAThreadThatHasEnded_servesTheNextThread() throws Exception {
        // JSch's own stream pipe breaks once the thread that read it ends: a shell outlives every thread
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner r = runner(sessions);
            String[] first = new String[1];
            Thread t = new Thread(() -> {
                try {
                    first[0] = parent(r);
                } catch (Exception e) {
                    first[0] = e.toString();
                }
            });
            t.start();
            t.join();
            Thread.sleep(200);
            assertEquals(first[0], parent(r), "the same shell, from another thread");
            assertEquals("ok\n", r.run("echo ok", TEN_SECONDS).stdout());
        }
    }

    @Test
    void aTimedOutCommand_leavesNoSpoolBehind_andTheNextCommandRuns() throws Exception {
        Path tmp = sshd.dir.resolve("tmp");
        awaitSpools(tmp, 0); // the shells of earlier tests' sessions have ended
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner r = runner(sessions);
            r.run("true", TEN_SECONDS);
            assertEquals(1, spools(tmp), "one shell, one private directory");
            org.junit.jupiter.api.Assertions.assertThrows(io.drctl.host.HostAccessException.class,
                    () -> r.run("echo partial; sleep 20", Duration.ofMillis(800)));
            assertEquals("ok\n", r.run("echo ok", TEN_SECONDS).stdout());
            assertEquals(1, awaitSpools(tmp, 1), "the timed-out command's shell removed its directory when it ended");
        }
        assertEquals(0, awaitSpools(tmp, 0), "closing the sessions ends every shell, and each removes its directory");
    }

    /** The number of spool directories once it is at most {@code n}, or after 10 s. */
    private static long awaitSpools(Path tmp, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (spools(tmp) > n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return spools(tmp);
    }

    @Test
    void anInterruptedCommand_isKilledOnTheHost() throws Exception {
        Path pid = sshd.dir.resolve("interrupted.pid");
        try (SshSessions sessions = new SshSessions()) {
            CommandRunner r = runner(sessions);
            Thread t = Thread.currentThread();
            Thread interrupter = new Thread(() -> {
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!Files.exists(pid) && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    t.interrupt();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            interrupter.start();
            io.drctl.host.HostAccessException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.drctl.host.HostAccessException.class, () -> r.run("sleep 30 & echo $! > " + pid + "; wait", TEN_SECONDS));
            Thread.interrupted();
            interrupter.join();
            assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
            assertTrue(awaitGone(Long.parseLong(Files.readString(pid).trim())), "the interrupted command's sleep still runs");
        }
    }

    private static long spools(Path tmp) throws Exception {
        try (var s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("drctl-sh.")).count();
        }
    }
}
