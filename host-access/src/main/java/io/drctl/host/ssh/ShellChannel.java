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
 * the session's environment and home directory. Its stdout and
 * stderr go to two files in a private directory ({@code umask 077}; in {@code /dev/shm} where it can be created,
 * else {@code mktemp -d}'s default), removed after each command and with the directory when the shell ends; they
 * come back framed by a header {@code <token> <exit> <stdout bytes> <stderr bytes>}, the output follows. A
 * background process a command leaves behind cannot hold the channel open (its output is a file).
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

    /** The exit status and the two outputs of one command. */
    record Frame(int exit) {
    }

    private static final String READY = "DRCTL-SH-READY";

    /**
     * Sent first: remember the session's umask, create the private directory, remove it when the shell ends,
     * say ready. Nothing of it is the caller's: no value reaches this text.
     */
    private static final String SETUP = "u=$(umask); umask 077; "
            + "d=$(mktemp -d /dev/shm/drctl-sh.XXXXXX 2>/dev/null || mktemp -d) || exit 97; "
            + "trap 'rm -rf \"$d\"' EXIT; trap 'exit 129' HUP; trap 'exit 143' TERM; umask \"$u\"; "
            + "s=; command -v setsid >/dev/null 2>&1 && s=setsid; export SHLVL=$((${SHLVL:-1} + 1)); "
            + "printf '" + READY + " %s\\n' \"$$\"\n";

    private final Session session;
    private final ChannelExec channel;
    private final Inbox in;
    private final OutputStream out;
    private long sequence;

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
        ChannelExec channel = (ChannelExec) session.openChannel("exec");
        channel.setCommand("exec /bin/sh -s");
        // not getInputStream(): JSch's pipe belongs to the thread that read it last and breaks when that thread
        // ends, while a shell outlives the thread of any one command
        Inbox in = new Inbox();
        channel.setOutputStream(in);
        channel.setErrStream(OutputStream.nullOutputStream());
        OutputStream out;
        try {
            out = channel.getOutputStream();
        } catch (IOException e) {
            throw new Refused("cannot attach to the shell channel's input: " + e.getMessage());
        }
        channel.connect(timeoutMillis);
        ShellChannel shell = new ShellChannel(session, channel, in, out);
        try {
            out.write(SETUP.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            // a login script may print first (bash sources ~/.bashrc under sshd): skip a few lines of it
            for (int skipped = 0; skipped < 64; skipped++) {
                String line = shell.readLine(deadline, 4096);
                if (line == null) {
                    shell.close();
                    throw new Refused("the shell ended before it said ready (a ForceCommand, or no /bin/sh or"
                            + " writable temporary directory?)");
                }
                if (line.startsWith(READY + " ")) {
                    return shell;
                }
            }
            shell.close();
            throw new Refused("the server answered something else than the shell's ready line (a ForceCommand?)");
        } catch (IOException | Lost e) {
            shell.close();
            throw new Refused("the shell ended during its handshake (" + e.getMessage() + ")");
        } catch (TimedOut e) {
            shell.close();
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
     */
    Frame run(String command, String variable, String tag, long deadline, OutputStream stdout, OutputStream stderr)
            throws NotSent, Lost, TimedOut, InterruptedException {
        if (channel.isClosed() || !session.isConnected()) {
            throw new NotSent("the shell's channel is closed");
        }
        if (!variable.matches("[A-Z_]+") || !tag.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("not a tag: " + variable + "=" + tag);
        }
        String token = "DRCTL-" + (++sequence);
        // the tag in the environment the command's shell starts with, so that every process of the command,
        // forks of that shell included, carries it in /proc/<pid>/environ (what the timeout's reaper matches)
        // in a session of its own (setsid, where there is one), as sshd starts an exec channel's command: what
        // it signals as its process group is its own, never the long-lived shell
        String request = variable + "=" + tag + " $s \"${SHELL:-/bin/sh}\" -c " + Shell.quote(command)
                + " </dev/null >\"$d/o\" 2>\"$d/e\"; "
                + "r=$?; printf '" + token + " %s %s %s\\n' \"$r\" $(wc -c <\"$d/o\") $(wc -c <\"$d/e\"); "
                + "cat \"$d/o\" \"$d/e\"; rm -f \"$d/o\" \"$d/e\"\n";
        try {
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new NotSent("cannot write to the shell's channel: " + e.getMessage());
        }
        try {
            String header = readLine(deadline, 256);
            if (header == null) {
                throw new Lost("the shell's channel closed while the command ran");
            }
            String[] f = header.trim().split("\\s+");
            if (f.length != 4 || !f[0].equals(token)) {
                throw new Lost("the shell answered out of step (expected " + token + ")");
            }
            int exit = Integer.parseInt(f[1]);
            copy(Long.parseLong(f[2]), stdout, deadline);
            copy(Long.parseLong(f[3]), stderr, deadline);
            return new Frame(exit);
        } catch (IOException | NumberFormatException e) {
            throw new Lost("the shell's answer could not be read: " + e.getMessage());
        }
    }

    /** Closes the channel; the shell ends and removes its directory. */
    void close() {
        channel.disconnect();
    }

    /** One line of at most {@code max} bytes, without its newline; null when the channel closed first. */
    private String readLine(long deadline, int max) throws IOException, TimedOut, InterruptedException, Lost {
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

    private void copy(long n, OutputStream to, long deadline) throws IOException, TimedOut, InterruptedException, Lost {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, (int) Math.min(buf.length, n), deadline);
            if (r < 0) {
                throw new Lost("the shell's channel closed in the middle of a command's output");
            }
            to.write(buf, 0, r);
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
