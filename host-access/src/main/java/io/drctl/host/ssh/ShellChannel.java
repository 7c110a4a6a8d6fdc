package io.drctl.host.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.drctl.host.Shell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived POSIX shell on a host that runs commands one after another, so that a command costs a few
 * milliseconds instead of a new SSH channel: for every channel sshd forks a session, sets up its environment and
 * starts the user's shell (~0.1 s a command on the lab, most of a fence's or a promotion's time).
 *
 * <p>Each command still runs exactly as an {@code exec} channel would run it: as its own
 * {@code $SHELL -c COMMAND} (the user's login shell, a fresh one per command, so nothing a command sets leaks to
 * the next), in a session of its own ({@code setsid}, where installed), with stdin from {@code /dev/null}, in
 * the session's environment and home directory. Its stdout and stderr go to two files in a private directory
 * ({@code umask 077}, under {@code $TMPDIR} or {@code /tmp}: disk, not the host's shared memory), removed after
 * each command and with the directory when the shell ends; they come back framed by a header
 * {@code <token> <exit> <stdout bytes> <stderr bytes>}, exactly those bytes, and an end line checked before the
 * shell takes another command. A background process a command leaves behind cannot hold the channel open (its
 * output is a file) nor put the shell out of step (only the bytes counted are sent). A shell idle for more
 * than half a second is asked to answer before a command is sent to it, so that a session that died meanwhile
 * is found while the command can still be sent elsewhere.
 *
 * <p>The login shell's rc files run once, when this shell starts (sshd starts it through the login shell, as it
 * would a command), not once per command: what they export reaches every command. Commands run one shell level
 * below it ({@code SHLVL}), so bash does not source {@code ~/.bashrc} again for each (Debian's bash does so for
 * every command sshd starts directly; on the lab, root's rc costs ~0.1 s a command).
 *
 * <p>The shell is {@code /bin/sh -s} started through the user's login shell; when the server does not answer
 * the handshake (a {@code ForceCommand}, no {@code /bin/sh}, no writable temporary directory) it is
 * {@link Refused} and the caller goes back to one {@code exec} channel per command.
 */
final class ShellChannel {

    /** Thrown when the shell does not start: the caller uses exec channels for this host. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** Thrown when the channel was found closed before the command was written: it never started. */
    static final class NotSent extends Exception {
        NotSent(String message) {
            super(message);
        }
    }

    /** Thrown when the channel closed while the command ran: it may or may not have completed. */
    static final class Lost extends Exception {
        Lost(String message) {
            super(message);
        }
    }

    /** Thrown when the command did not finish before the deadline; the channel must be closed. */
    static final class TimedOut extends Exception {
    }

    private static final String READY = "DRCTL-SH-READY";
    /** A shell idle longer than this is asked to answer before a command is sent to it (the session may have died). */
    private static final long PING_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long PING_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long a finished command's output may take to arrive, beyond the command's own deadline. */
    private static final long TRANSFER_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * Sent first: remember the session's umask, create the private directory, remove it when the shell ends
     * (also when a write to a closed channel ends it), say ready. Its variables are namespaced, not exported:
     * commands do not see them. Nothing of it is the caller's: no value reaches this text.
     */
    private static final String SETUP = "__drctl_u=$(umask); umask 077; "
            + "__drctl_d=$(mktemp -d \"${TMPDIR:-/tmp}/drctl-sh.XXXXXX\") || exit 97; "
            + "trap 'rm -rf \"$__drctl_d\"' EXIT; trap 'exit 129' HUP; trap 'exit 143' TERM; trap 'exit 141' PIPE; "
            + "umask \"$__drctl_u\"; __drctl_s=; command -v setsid >/dev/null 2>&1 && __drctl_s=setsid; "
            + "export SHLVL=$((${SHLVL:-1} + 1)); printf '" + READY + " %s\\n' \"$$\"\n";

    private final Session session;
    private final ChannelExec channel;
    private final Inbox in;
    private final OutputStream out;
    private long sequence;
    private long lastAnswer = System.nanoTime();

    private ShellChannel(Session session, ChannelExec channel, Inbox in, OutputStream out) {
        this.session = session;
        this.channel = channel;
        this.in = in;
        this.out = out;
    }

    /**
     * Opens the channel, starts the shell and waits for its ready line.
     *
     * @throws JSchException when no channel can be opened on the session at all
     * @throws Refused       when the channel opens but the shell does not answer as expected within {@code timeoutMillis}
     */
    static ShellChannel open(Session session, int timeoutMillis) throws JSchException, Refused, InterruptedException {
        ChannelExec channel = SshCommandRunner.execChannel(session);
        channel.setCommand("exec /bin/sh -s");
        // not getInputStream(): JSch's pipe belongs to the thread that read it last and breaks when that thread
        // ends, while a shell outlives the thread of any one command
        Inbox in = new Inbox();
        channel.setOutputStream(in);
        channel.setErrStream(OutputStream.nullOutputStream());
        boolean ready = false;
        try {
            OutputStream out;
            try {
                out = channel.getOutputStream();
            } catch (IOException e) {
                throw new Refused("cannot attach to the shell channel's input: " + e.getMessage());
            }
            channel.connect(timeoutMillis);
            ShellChannel shell = new ShellChannel(session, channel, in, out);
            shell.handshake(timeoutMillis);
            ready = true;
            return shell;
        } finally {
            if (!ready) {
                channel.disconnect();
            }
        }
    }

    private void handshake(int timeoutMillis) throws Refused, InterruptedException {
        try {
            out.write(SETUP.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            // a login script may print first (bash sources ~/.bashrc under sshd): skip a few lines of it
            for (int skipped = 0; skipped < 64; skipped++) {
                String line = readLine(deadline, 4096);
                if (line == null) {
                    throw new Refused("the shell ended before it said ready (a ForceCommand, or no /bin/sh or"
                            + " writable temporary directory?)");
                }
                if (line.startsWith(READY + " ")) {
                    return;
                }
            }
            throw new Refused("the server answered something else than the shell's ready line (a ForceCommand?)");
        } catch (IOException | Lost e) {
            throw new Refused("the shell ended during its handshake (" + e.getMessage() + ")");
        } catch (TimedOut e) {
            throw new Refused("the shell did not say ready within " + timeoutMillis + " ms");
        }
    }

    /** Whether this shell belongs to {@code s} and can take a command. */
    boolean usableOn(Session s) {
        return session == s && s.isConnected() && !channel.isClosed();
    }

    /**
     * Runs {@code command} (a command line as the caller would send it on an exec channel), with
     * {@code variable=tag} in its environment, and collects its outputs.
     *
     * @param deadline {@link System#nanoTime()} by which the command must have finished
     * @return the command's exit status
     */
    int run(String command, String variable, String tag, long deadline, OutputStream stdout, OutputStream stderr)
            throws NotSent, Lost, TimedOut, InterruptedException {
        if (channel.isClosed() || !session.isConnected()) {
            throw new NotSent("the shell's channel is closed");
        }
        if (!variable.matches("[A-Z_]+") || !tag.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("not a tag: " + variable + "=" + tag);
        }
        String quoted = Shell.quote(command);
        if (System.nanoTime() - lastAnswer > PING_AFTER_NANOS) {
            ping(); // a session that died while the shell was idle is found before the command is sent
        }
        String token = "DRCTL-" + (++sequence);
        // the tag in the environment the command's shell starts with, so that every process of the command,
        // forks of that shell included, carries it in /proc/<pid>/environ (what the timeout's reaper matches);
        // in a session of its own (setsid, where there is one), as sshd starts an exec channel's command: what
        // it signals as its process group is its own, never the long-lived shell. Exactly the bytes counted are
        // sent (a process the command left behind may still write to its files), then an end line.
        String request = "[ -d \"$__drctl_d\" ] || mkdir -m 700 \"$__drctl_d\"; "
                + variable + "=" + tag + " $__drctl_s \"${SHELL:-/bin/sh}\" -c " + quoted
                + " </dev/null >\"$__drctl_d/o\" 2>\"$__drctl_d/e\"; __drctl_r=$?; "
                + "__drctl_o=$(wc -c <\"$__drctl_d/o\"); __drctl_e=$(wc -c <\"$__drctl_d/e\"); "
                + "printf '" + token + " %s %s %s\\n' \"$__drctl_r\" $__drctl_o $__drctl_e; "
                + "head -c $__drctl_o \"$__drctl_d/o\"; head -c $__drctl_e \"$__drctl_d/e\"; "
                + "printf '" + token + "-END\\n'; rm -f \"$__drctl_d/o\" \"$__drctl_d/e\"\n";
        send(request);
        String header = readHeader(deadline, token);
        if (header == null) {
            throw new Lost("the shell's channel closed while the command ran");
        }
        String[] f = header.split(" +"); // token, exit, stdout bytes, stderr bytes (readHeader checked the shape)
        int exit = Integer.parseInt(f[1]);
        // the command has finished: its output gets time of its own to arrive
        long transfer = System.nanoTime() + TRANSFER_NANOS;
        try {
            copy(Long.parseLong(f[2]), stdout, transfer);
            copy(Long.parseLong(f[3]), stderr, transfer);
            String end = readLine(transfer, 256);
            if (!(token + "-END").equals(end)) {
                throw new Lost("the command exited " + exit + " but its output arrived out of step");
            }
        } catch (TimedOut e) {
            throw new Lost("the command exited " + exit + " but its output did not arrive within "
                    + TimeUnit.NANOSECONDS.toSeconds(TRANSFER_NANOS) + " s");
        }
        lastAnswer = System.nanoTime();
        return exit;
    }

    /** The header line of {@code token}'s answer; null when the channel closed first. */
    private String readHeader(long deadline, String token) throws Lost, TimedOut, InterruptedException {
        String header = readLine(deadline, 256);
        if (header != null && !header.matches(java.util.regex.Pattern.quote(token) + " -?[0-9]+ +[0-9]+ +[0-9]+")) {
            throw new Lost("the shell answered out of step (expected " + token + ")");
        }
        return header;
    }

    /** Asks the shell to answer at once; one that does not is not sent the command. */
    private void ping() throws NotSent, InterruptedException {
        String token = "DRCTL-" + (++sequence) + "-PING";
        try {
            send("printf '" + token + "\\n'\n");
            String line = readLine(System.nanoTime() + PING_WITHIN_NANOS, 256);
            if (!token.equals(line)) {
                throw new NotSent(line == null ? "the shell's channel had closed" : "the shell answered out of step");
            }
        } catch (Lost | TimedOut e) {
            throw new NotSent("the shell did not answer within " + TimeUnit.NANOSECONDS.toSeconds(PING_WITHIN_NANOS)
                    + " s after being idle");
        }
        lastAnswer = System.nanoTime();
    }

    /** Writes {@code text}; a write that fails part-way may have delivered a command: that is {@link Lost}. */
    private void send(String text) throws Lost {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new Lost("writing to the shell's channel failed: " + e.getMessage());
        }
    }

    /** Closes the channel; the shell ends and removes its directory. */
    void close() {
        channel.disconnect();
    }

    /** One line of at most {@code max} bytes, without its newline; null when the channel closed first. */
    private String readLine(long deadline, int max) throws TimedOut, InterruptedException, Lost {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = next(deadline);
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= max) {
                throw new Lost("a line of more than " + max + " bytes where a header was expected");
            }
            line.write(b);
        }
    }

    private void copy(long n, OutputStream to, long deadline) throws TimedOut, InterruptedException, Lost {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, (int) Math.min(buf.length, n), deadline);
            if (r < 0) {
                throw new Lost("the shell's channel closed in the middle of a command's output");
            }
            try {
                to.write(buf, 0, r);
            } catch (IOException e) {
                throw new Lost("a command's output could not be kept: " + e.getMessage());
            }
            n -= r;
        }
    }

    private int next(long deadline) throws TimedOut, InterruptedException {
        byte[] one = new byte[1];
        return in.read(one, 1, deadline) < 0 ? -1 : one[0] & 0xff;
    }

    /**
     * What the shell printed, as JSch's session thread delivers it, read by whichever thread runs the current
     * command; ends when the channel closes.
     */
    static final class Inbox extends OutputStream {
        private byte[] buf = new byte[8192];
        private int head;
        private int tail;
        private boolean ended;

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (tail + len > buf.length) {
                int live = tail - head;
                byte[] to = live + len > buf.length ? new byte[Math.max(buf.length * 2, live + len)] : buf;
                System.arraycopy(buf, head, to, 0, live);
                buf = to;
                head = 0;
                tail = live;
            }
            System.arraycopy(b, off, buf, tail, len);
            tail += len;
            notifyAll();
        }

        @Override
        public synchronized void close() {
            ended = true;
            notifyAll();
        }

        /** Up to {@code max} bytes into {@code to}; -1 once the channel closed and all was read. */
        synchronized int read(byte[] to, int max, long deadline) throws TimedOut, InterruptedException {
            while (head == tail) {
                if (ended) {
                    return -1;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new TimedOut();
                }
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            }
            int n = Math.min(max, tail - head);
            System.arraycopy(buf, head, to, 0, n);
            head += n;
            if (head == tail) {
                head = 0;
                tail = 0;
            }
            return n;
        }
    }
}
