package io.drctl.host.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException.Kind;
import io.drctl.host.HostAccessException;
import io.drctl.host.SshTarget;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs commands over the pooled session to one target; one {@code exec} channel per command. */
final class SshCommandRunner implements CommandRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SshCommandRunner.class);

    /** Exit-signal names (RFC 4254 6.10, without "SIG") to numbers, for the shell's 128+n convention. */
    private static final Map<String, Integer> SIGNALS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("ABRT", 6), Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10),
            Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14),
            Map.entry("TERM", 15));

    /** Environment variable that marks every process of one command (see {@link #runOnSession}). */
    static final String TAG_VARIABLE = "DRCTL_CMD_ID";

    private static final Duration REAPER_TIMEOUT = Duration.ofSeconds(20);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final SshSessions pool;
    private final SshTarget target;

    SshCommandRunner(SshSessions pool, SshTarget target) {
        this.pool = pool;
        this.target = target;
    }

    @Override
    public CommandResult run(String command, Duration timeout) throws HostAccessException {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        SshSessions.HostConnection connection = pool.connection(target);
        try {
            connection.channels.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostAccessException(Kind.IO, describe(), "interrupted while waiting for a free SSH channel");
        }
        try {
            // (a NUL cannot be quoted for a shell: such a command goes, as it always did, on its own channel)
            if (target.os() == OsFamily.LINUX && pool.shells && connection.runsShells() && command.indexOf('\0') < 0) {
                return runInShell(connection, command, timeout, newTag());
            }
            return runOnSession(connection, command, timeout, target.os() == OsFamily.LINUX ? newTag() : null);
        } finally {
            connection.channels.release();
        }
    }

    /**
     * Runs {@code command} in one of the session's long-lived shells ({@link ShellChannel}), opening one when
     * none is idle; the same tag, timeout, kill and reconnect rules as {@link #runOnSession}. A host whose shell
     * does not start runs this and every later command on exec channels.
     */
    private CommandResult runInShell(SshSessions.HostConnection connection, String command, Duration timeout,
                                     String tag) throws HostAccessException {
        for (int attempt = 1; ; attempt++) {
            Session session = connection.session(target);
            long start = System.nanoTime();
            ShellChannel shell = connection.idleShell(session);
            try {
                if (shell == null) {
                    long left = start + timeout.toNanos() - System.nanoTime();
                    shell = ShellChannel.open(session, SshSessions.timeoutMillis(
                            Duration.ofNanos(Math.min(target.connectTimeout().toNanos(), Math.max(left, 1)))));
                }
            } catch (ShellChannel.Refused e) {
                connection.refuseShells(e.getMessage());
                LOG.info("{}: no long-lived shell ({}); one exec channel per command from now on", describe(),
                        e.getMessage());
                return runOnSession(connection, command, timeout, tag);
            } catch (JSchException e) {
                if (reconnectOnce(connection, session, attempt, e)) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HostAccessException(Kind.IO, describe(), "interrupted while opening a shell for the command");
            }
            BoundedOutput out = new BoundedOutput(pool.options().maxOutputBytes());
            BoundedOutput err = new BoundedOutput(pool.options().maxOutputBytes());
            int exit;
            try {
                exit = shell.run(command, TAG_VARIABLE, tag, start + timeout.toNanos(), out, err);
            } catch (ShellChannel.NotSent e) {
                shell.close();
                if (!session.isConnected()) {
                    connection.invalidate(session);
                }
                if (attempt == 1) {
                    // the command never started: sending it again is safe
                    LOG.info("{}: {} before the command was sent; trying once more", describe(), e.getMessage());
                    continue;
                }
                throw new HostAccessException(Kind.IO, describe(), "cannot send the command: " + e.getMessage());
            } catch (ShellChannel.TimedOut e) {
                shell.close();
                String outcome = reap(connection, tag);
                throw new HostAccessException(Kind.COMMAND_TIMEOUT, describe(), "command did not exit within "
                        + timeout.toMillis() + " ms; " + outcome + " (the session stays open)");
            } catch (ShellChannel.Lost e) {
                shell.close();
                boolean sessionLost = !session.isConnected();
                if (sessionLost) {
                    connection.invalidate(session);
                }
                throw new HostAccessException(Kind.IO, describe(), sessionLost
                        ? "SSH session dropped while the command ran; it may or may not have completed"
                        : e.getMessage() + "; the command may or may not have completed");
            } catch (InterruptedException e) {
                shell.close();
                Thread.currentThread().interrupt();
                // its output goes to a file, so closing the channel does not stop it: its processes are killed by
                // tag on a thread of their own (this one must return at once)
                Thread reaper = new Thread(() -> LOG.info("{}: interrupted command: {}", describe(), reap(connection, tag)),
                        "drctl-ssh-reap");
                reaper.setDaemon(true);
                reaper.start();
                throw new HostAccessException(Kind.IO, describe(), "interrupted while waiting for the command; its"
                        + " channel was closed and its processes are being killed");
            }
            connection.release(shell);
            CommandResult result = new CommandResult(exit, out.text(), err.text(),
                    Duration.ofNanos(System.nanoTime() - start));
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: {} ({} chars) exit {} in {} ms (shell)", describe(), program(command), command.length(),
                        result.exitCode(), result.elapsed().toMillis());
            }
            return result;
        }
    }

    /**
     * Runs {@code command} on a new channel. With a {@code tag} (POSIX hosts), the command runs with
     * {@code DRCTL_CMD_ID=<tag>} exported, so that on timeout every process it started can be found
     * and killed even where the server refuses SSH "signal" requests (OpenSSH does for root logins).
     */
    private CommandResult runOnSession(SshSessions.HostConnection connection, String command, Duration timeout,
                                       String tag) throws HostAccessException {
        String wire = tag == null ? command : TAG_VARIABLE + "=" + tag + "; export " + TAG_VARIABLE + "; " + command;
        for (int attempt = 1; ; attempt++) {
            Session session = connection.session(target);
            long start = System.nanoTime();
            BoundedOutput out = new BoundedOutput(pool.options().maxOutputBytes());
            BoundedOutput err = new BoundedOutput(pool.options().maxOutputBytes());
            ChannelExec channel = null;
            try {
                channel = execChannel(session);
                channel.setCommand(wire.getBytes(StandardCharsets.UTF_8));
                // an empty stdin that ends at once: commands that read input see EOF instead of hanging
                channel.setInputStream(InputStream.nullInputStream());
                channel.setOutputStream(out);
                channel.setErrStream(err);
                channel.connect(SshSessions.timeoutMillis(target.connectTimeout()));
            } catch (JSchException e) {
                if (channel != null) {
                    channel.disconnect();
                }
                if (reconnectOnce(connection, session, attempt, e)) {
                    continue;
                }
            }
            CommandResult result = await(channel, session, connection, out, err, timeout, start, tag);
            if (LOG.isDebugEnabled()) {
                // the program only: a command line's values are the caller's, not the log's
                LOG.debug("{}: {} ({} chars) exit {} in {} ms", describe(), program(command), command.length(),
                        result.exitCode(), result.elapsed().toMillis());
            }
            return result;
        }
    }

    /**
     * A channel could not be opened: true when the session turned out to be down and this was the first
     * attempt (the command never started, so reconnecting once is safe); otherwise throws.
     */
    private boolean reconnectOnce(SshSessions.HostConnection connection, Session session, int attempt, JSchException e)
            throws HostAccessException {
        if (!session.isConnected()) {
            connection.invalidate(session);
            if (attempt == 1) {
                LOG.info("{}: SSH session was down when the command was sent; reconnecting once", describe());
                return true;
            }
        }
        throw new HostAccessException(Kind.IO, describe(), "cannot open a command channel on the SSH session ("
                + SshFailures.rootCauseSummary(e) + "); expected sshd to accept another session"
                + " (check its MaxSessions)", e);
    }

    /** A new exec channel; JSch answers null, not an exception, when the session goes down as it is asked. */
    static ChannelExec execChannel(Session session) throws JSchException {
        if (session.openChannel("exec") instanceof ChannelExec c) {
            return c;
        }
        throw new JSchException("the SSH session went down as a channel was opened");
    }

    /** The command's first word when it is a plain program name, else "a shell command". */
    static String program(String command) {
        String first = command.strip().split("\\s+", 2)[0];
        return first.matches("[A-Za-z0-9_./-]{1,64}") ? "`" + first + "`" : "a shell command";
    }

    private CommandResult await(ChannelExec channel, Session session, SshSessions.HostConnection connection,
                                BoundedOutput out, BoundedOutput err, Duration timeout, long start, String tag)
            throws HostAccessException {
        long deadline = start + timeout.toNanos();
        long pause = FIRST_POLL_NANOS;
        try {
            // JSch has no completion callback; exit status is only final once the channel is closed
            while (!channel.isClosed()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    kill(channel);
                    String outcome = reap(connection, tag);
                    throw new HostAccessException(Kind.COMMAND_TIMEOUT, describe(), "command did not exit within "
                            + timeout.toMillis() + " ms; " + outcome + " (the session stays open)");
                }
                TimeUnit.NANOSECONDS.sleep(Math.min(pause, remaining));
                pause = Math.min(pause * 2, MAX_POLL_NANOS);
            }
        } catch (InterruptedException e) {
            kill(channel);
            Thread.currentThread().interrupt();
            if (tag != null) {
                // interrupted: the reaper cannot wait either, so this is best effort without waiting
                LOG.warn("{}: interrupted; processes tagged {}={} may still run", describe(), TAG_VARIABLE, tag);
            }
            throw new HostAccessException(Kind.IO, describe(), "interrupted while waiting for the command; it was killed");
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        int exit = channel.getExitStatus();
        String signal = channel.getExitSignal();
        channel.disconnect();
        if (exit == -1 && signal != null) {
            Integer n = SIGNALS.get(signal);
            exit = n == null ? -1 : 128 + n;
        }
        if (exit == -1) {
            boolean sessionLost = !session.isConnected();
            if (sessionLost) {
                connection.invalidate(session);
            }
            throw new HostAccessException(Kind.IO, describe(), sessionLost
                    ? "SSH session dropped while the command ran; it may or may not have completed"
                    : "the server closed the command channel without reporting an exit status");
        }
        return new CommandResult(exit, out.text(), err.text(), elapsed);
    }

    /**
     * Kills every process of a timed-out tagged command, over a fresh channel of the same session.
     *
     * @return what happened, for the timeout message
     */
    private String reap(SshSessions.HostConnection connection, String tag) {
        if (tag == null) {
            return "sent it SIGKILL and closed its channel (this server type may not deliver the signal)";
        }
        // Two passes: a process the command forks while the first pass runs is caught by the second.
        String pass = "for d in /proc/[0-9]*; do if tr '\\000' '\\n' < \"$d/environ\" 2>/dev/null | grep -qx "
                + TAG_VARIABLE + "=" + tag + "; then kill -9 \"${d#/proc/}\" 2>/dev/null; fi; done";
        try {
            CommandResult r = runOnSession(connection, pass + "; " + pass + "; true", REAPER_TIMEOUT, null);
            if (r.succeeded()) {
                return "killed its processes (SIGKILL) and closed its channel";
            }
            return "closed its channel, but killing its processes failed: " + r.lastLine();
        } catch (HostAccessException e) {
            LOG.warn("{}: could not kill the processes of a timed-out command ({}={}): {}", describe(), TAG_VARIABLE,
                    tag, e.getMessage());
            return "closed its channel, but could not kill its processes (" + e.kind() + "); they may still run"
                    + " with " + TAG_VARIABLE + "=" + tag;
        }
    }

    private static String newTag() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private void kill(ChannelExec channel) {
        try {
            // OpenSSH delivers this to the command's process group, except for root logins (no privilege
            // separation there) where it refuses the request; other servers may ignore it
            channel.sendSignal("KILL");
        } catch (Exception e) {
            LOG.debug("{}: could not send KILL to the command ({})", describe(), e.getClass().getName());
        }
        channel.disconnect();
    }

    @Override
    public String describe() {
        return target.describe();
    }

    @Override
    public OsFamily os() {
        return target.os();
    }

    /** The session belongs to the pool and outlives this runner; closing a runner does nothing. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "SshCommandRunner[" + describe() + "]";
    }

    /** Keeps the first {@code limit} bytes of a stream and counts the rest. */
    static final class BoundedOutput extends java.io.OutputStream {
        private final java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        private final int limit;
        private long dropped;

        BoundedOutput(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(int b) {
            if (kept.size() < limit) {
                kept.write(b);
            } else {
                dropped++;
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = Math.max(0, Math.min(len, limit - kept.size()));
            kept.write(b, off, room);
            dropped += len - room;
        }

        synchronized String text() {
            String s = kept.toString(StandardCharsets.UTF_8);
            return dropped == 0 ? s : s + "\n[drctl: " + dropped + " more bytes of output dropped]";
        }
    }
}
