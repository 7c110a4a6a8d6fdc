package io.drctl.host.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.Session;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException.Kind;
import io.drctl.host.HostAccessException;
import io.drctl.host.SshTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH access to many hosts during one run: one authenticated session per target, reused by every
 * command sent to it (from any thread), closed together at the end of the run.
 *
 * <p>Connections use the mwiede JSch fork with public-key authentication from
 * {@link SshTarget#identityFile()} (OpenSSH, PEM or PuTTY format; ed25519, ECDSA, RSA) and strict
 * host-key checking against {@link SshTarget#knownHosts()} (plain, hashed and {@code [host]:port}
 * entries). Sessions open lazily on the first command; a session found dropped is re-established
 * once before a command starts. A target with a {@link SshTarget#jump() jump host} is reached
 * through a {@code direct-tcpip} channel of the jump host's own (shared) session.
 *
 * <p>Failures are {@link HostAccessException}s classified by type: {@link Kind#UNKNOWN_HOST_KEY},
 * {@link Kind#CHANGED_HOST_KEY}, {@link Kind#AUTH_FAILED}, {@link Kind#UNREACHABLE},
 * {@link Kind#COMMAND_TIMEOUT}, {@link Kind#LOCAL_SETUP} (identity or known_hosts file unreadable,
 * key encrypted without a passphrase), {@link Kind#IO}. Key material and passphrases never appear
 * in messages or logs; JSch's own log goes to SLF4J logger {@code io.drctl.host.ssh.jsch} at debug.
 */
public final class SshSessions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshSessions.class);

    /**
     * Tuning and secret references for a pool.
     *
     * @param environment           where {@code passphraseEnvVar} is looked up (injected; normally {@code System.getenv()})
     * @param passphraseEnvVar      name of the environment variable that holds the identity files' passphrase,
     *                              for encrypted keys; empty when keys are unencrypted
     * @param serverAliveInterval   keep-alive probe interval on idle sessions; a session that misses
     *                              {@code serverAliveCountMax} probes in a row counts as dropped
     * @param serverAliveCountMax   see {@code serverAliveInterval}, at least 1
     * @param maxChannelsPerSession commands running at once over one session; more wait their turn.
     *                              Keep it below sshd's {@code MaxSessions} (default 10)
     * @param maxOutputBytes        per stream (stdout, stderr) kept of each command's output; the rest is
     *                              dropped and noted at the end of the captured text
     */
    public record Options(Map<String, String> environment, Optional<String> passphraseEnvVar,
                          Duration serverAliveInterval, int serverAliveCountMax, int maxChannelsPerSession,
                          int maxOutputBytes) {
        public Options {
            environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
            Objects.requireNonNull(passphraseEnvVar, "passphraseEnvVar");
            passphraseEnvVar.ifPresent(v -> {
                if (!v.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("not an environment variable name: '" + v + "'");
                }
            });
            Objects.requireNonNull(serverAliveInterval, "serverAliveInterval");
            if (serverAliveInterval.isNegative() || serverAliveInterval.isZero()
                    || serverAliveInterval.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("serverAliveInterval must be positive: " + serverAliveInterval);
            }
            if (serverAliveCountMax < 1) {
                throw new IllegalArgumentException("serverAliveCountMax must be at least 1: " + serverAliveCountMax);
            }
            if (maxChannelsPerSession < 1) {
                throw new IllegalArgumentException("maxChannelsPerSession must be at least 1: " + maxChannelsPerSession);
            }
            if (maxOutputBytes < 1) {
                throw new IllegalArgumentException("maxOutputBytes must be at least 1: " + maxOutputBytes);
            }
        }

        /** Process environment, no passphrase, 15 s x 3 keep-alives, 8 channels per session, 16 MiB per stream. */
        public static Options defaults() {
            return new Options(System.getenv(), Optional.empty(), Duration.ofSeconds(15), 3, 8, 16 * 1024 * 1024);
        }

        /** Encrypted identity files: their passphrase is the value of {@code variable} in {@code env}. */
        public Options withPassphraseFrom(String variable, Map<String, String> env) {
            return new Options(env, Optional.of(variable), serverAliveInterval, serverAliveCountMax,
                    maxChannelsPerSession, maxOutputBytes);
        }

        public Options withServerAlive(Duration interval, int countMax) {
            return new Options(environment, passphraseEnvVar, interval, countMax, maxChannelsPerSession, maxOutputBytes);
        }

        public Options withMaxChannelsPerSession(int channels) {
            return new Options(environment, passphraseEnvVar, serverAliveInterval, serverAliveCountMax, channels,
                    maxOutputBytes);
        }

        public Options withMaxOutputBytes(int bytes) {
            return new Options(environment, passphraseEnvVar, serverAliveInterval, serverAliveCountMax,
                    maxChannelsPerSession, bytes);
        }

        @Override
        public String toString() {
            // the environment may hold secrets: never print it
            return "Options[passphraseEnvVar=" + passphraseEnvVar + ", serverAliveInterval=" + serverAliveInterval
                    + ", serverAliveCountMax=" + serverAliveCountMax + ", maxChannelsPerSession="
                    + maxChannelsPerSession + ", maxOutputBytes=" + maxOutputBytes + "]";
        }
    }

    private final Options options;
    /** Whether commands to POSIX hosts run in long-lived shells ({@link ShellChannel}). */
    final boolean shells;
    private final Map<Endpoint, HostConnection> connections = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A pool with {@link Options#defaults()}. */
    public SshSessions() {
        this(Options.defaults());
    }

    /** Commands to POSIX hosts run in long-lived shells ({@link ShellChannel}), others on exec channels. */
    public SshSessions(Options options) {
        this(options, true);
    }

    /** With {@code shells} false, every command gets its own exec channel (what a host refusing the shell gets). */
    SshSessions(Options options, boolean shells) {
        this.options = Objects.requireNonNull(options, "options");
        this.shells = shells;
    }

    /**
     * A runner whose commands go over this pool's (lazily opened, reused) session to {@code target}.
     * Nothing is contacted until the first {@link CommandRunner#run}. Targets that differ only in
     * {@code name}, {@code os} or {@code connectTimeout} share one session.
     */
    public CommandRunner runner(SshTarget target) {
        Objects.requireNonNull(target, "target");
        return new SshCommandRunner(this, target);
    }

    /** Disconnects every session (tunnelled ones before their jump hosts). Runners fail afterwards. */
    @Override
    public void close() {
        closed = true;
        List<HostConnection> all = new ArrayList<>(connections.values());
        all.sort(Comparator.comparingInt((HostConnection c) -> c.endpoint.depth()).reversed());
        for (HostConnection c : all) {
            c.disconnect();
        }
        connections.clear();
    }

    Options options() {
        return options;
    }

    HostConnection connection(SshTarget target) {
        if (closed) {
            throw new IllegalStateException("SSH sessions are closed; cannot reach " + target.describe());
        }
        return connections.computeIfAbsent(Endpoint.of(target),
                e -> new HostConnection(e, new Semaphore(options.maxChannelsPerSession(), true)));
    }

    /** What makes two targets share a session: where, as whom, with which trust anchors, through which jump. */
    private record Endpoint(String user, String address, int port, Path identityFile, Path knownHosts,
                            boolean strictHostKeys, Optional<Endpoint> jump) {
        static Endpoint of(SshTarget t) {
            return new Endpoint(t.user(), t.address(), t.port(), t.identityFile().toAbsolutePath().normalize(),
                    t.knownHosts().toAbsolutePath().normalize(), t.strictHostKeys(), t.jump().map(Endpoint::of));
        }

        int depth() {
            return jump.map(j -> 1 + j.depth()).orElse(0);
        }
    }

    /** The one session to an endpoint, opened on demand and re-opened when found dropped. */
    final class HostConnection {
        private final Endpoint endpoint;
        final Semaphore channels;
        private Session session; // guarded by this
        /** Shells waiting for their next command (each holds one channel). */
        private final java.util.Deque<ShellChannel> idleShells = new java.util.ArrayDeque<>(); // guarded by this
        private volatile String shellsRefused; // why this host runs no shell (it refused one), or null

        private HostConnection(Endpoint endpoint, Semaphore channels) {
            this.endpoint = endpoint;
            this.channels = channels;
        }

        /** The connected session, connecting first if there is none or it dropped. */
        synchronized Session session(SshTarget target) throws HostAccessException {
            if (session != null && session.isConnected()) {
                return session;
            }
            if (session != null) {
                LOG.info("{}: SSH session dropped; reconnecting", target.describe());
                session.disconnect();
                session = null;
            }
            session = connect(target);
            if (closed) { // the pool was closed while this connected (a warm-up, say): nothing would close it
                session.disconnect();
                session = null;
                throw new HostAccessException(Kind.IO, target.describe(), "SSH sessions were closed while connecting");
            }
            return session;
        }

        /** Forgets {@code dead} so the next command reconnects (no-op if a newer session replaced it). */
        synchronized void invalidate(Session dead) {
            if (session == dead) {
                closeShells();
                session.disconnect();
                session = null;
            }
        }

        synchronized void disconnect() {
            closeShells();
            if (session != null) {
                session.disconnect();
                session = null;
            }
        }

        /** An idle shell on {@code s} to run the next command in, or null (then the caller opens one). */
        synchronized ShellChannel idleShell(Session s) {
            ShellChannel shell;
            while ((shell = idleShells.pollFirst()) != null) {
                if (shell.usableOn(s)) {
                    return shell;
                }
                shell.close();
            }
            return null;
        }

        /** A shell whose command finished cleanly, kept for the next one. */
        synchronized void release(ShellChannel shell) {
            if (session != null && shell.usableOn(session) && !closed) {
                idleShells.addFirst(shell);
            } else {
                shell.close();
            }
        }

        boolean runsShells() {
            return shellsRefused == null;
        }

        void refuseShells(String why) {
            shellsRefused = why;
        }
        private void closeShells() {
            idleShells.forEach(ShellChannel::close);
            idleShells.clear();
        }
    }

    private Session connect(SshTarget target) throws HostAccessException {
        String who = target.describe();
        JSch jsch = new JSch();
        jsch.setInstanceLogger(new JschSlf4jLogger(who));
        RecordingHostKeyRepository hostKeys = new RecordingHostKeyRepository(loadKnownHosts(jsch, target));
        loadIdentity(jsch, target);

        JumpProxy tunnel = null;
        if (target.jump().isPresent()) {
            SshTarget jump = target.jump().get();
            Session jumpSession;
            try {
                jumpSession = connection(jump).session(jump);
            } catch (HostAccessException e) {
                throw new HostAccessException(e.kind(), who, "jump host failed: " + e.getMessage(), e);
            }
            tunnel = new JumpProxy(jumpSession);
        }

        Session session;
        try {
            session = jsch.getSession(target.user(), target.address(), target.port());
            session.setHostKeyRepository(hostKeys);
            session.setConfig("StrictHostKeyChecking", target.strictHostKeys() ? "yes" : "no");
            session.setConfig("HashKnownHosts", "no");
            session.setConfig("PreferredAuthentications", "publickey");
            session.setServerAliveInterval((int) options.serverAliveInterval().toMillis());
            session.setServerAliveCountMax(options.serverAliveCountMax());
            session.setDaemonThread(true);
            if (tunnel != null) {
                session.setProxy(tunnel);
            }
        } catch (JSchException e) {
            throw new HostAccessException(Kind.LOCAL_SETUP, who, "cannot configure SSH session: " + e.getMessage(), e);
        }
        if (!target.strictHostKeys()) {
            LOG.warn("{}: strict host-key checking is OFF for this target (explicit opt-out)", who);
        }
        try {
            session.connect(timeoutMillis(target.connectTimeout()));
        } catch (JSchException e) {
            HostKey presented = session.getHostKey();
            String fingerprint = presented == null ? null : presented.getFingerPrint(jsch);
            throw SshFailures.connectFailure(target, e, new SshFailures.ConnectContext(hostKeys.lastCheck(),
                    presented, fingerprint, tunnel == null ? null : tunnel.failure()));
        }
        LOG.debug("{}: SSH session established", who);
        return session;
    }

    private static com.jcraft.jsch.HostKeyRepository loadKnownHosts(JSch jsch, SshTarget target)
            throws HostAccessException {
        Path file = target.knownHosts();
        boolean present = Files.isRegularFile(file) && Files.isReadable(file);
        if (!present && target.strictHostKeys()) {
            throw new HostAccessException(Kind.LOCAL_SETUP, target.describe(), "known_hosts file " + file
                    + " is missing or unreadable; strict host-key checking needs it. Create it with: ssh-keyscan -p "
                    + target.port() + " " + target.address() + " >> " + file + " (after verifying the fingerprint)");
        }
        if (present) {
            try {
                jsch.setKnownHosts(file.toString());
            } catch (JSchException e) {
                throw new HostAccessException(Kind.LOCAL_SETUP, target.describe(),
                        "cannot read known_hosts file " + file + ": " + e.getMessage(), e);
            }
        }
        return jsch.getHostKeyRepository();
    }

    private void loadIdentity(JSch jsch, SshTarget target) throws HostAccessException {
        Path file = target.identityFile();
        String who = target.describe();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new HostAccessException(Kind.LOCAL_SETUP, who, "identity file " + file + " is missing or unreadable");
        }
        byte[] passphrase = options.passphraseEnvVar()
                .map(v -> options.environment().get(v))
                .map(v -> v.getBytes(StandardCharsets.UTF_8))
                .orElse(null);
        try {
            KeyPair pair;
            try {
                pair = KeyPair.load(jsch, file.toString());
            } catch (JSchException e) {
                // no cause attached: JSch's parse errors may quote what it read
                throw new HostAccessException(Kind.LOCAL_SETUP, who, "identity file " + file
                        + " is not a private key JSch can read (expected OpenSSH, PEM or PuTTY format)");
            }
            try {
                if (pair.isEncrypted()) {
                    if (passphrase == null) {
                        throw new HostAccessException(Kind.LOCAL_SETUP, who, "identity file " + file
                                + " is encrypted and no passphrase is configured"
                                + options.passphraseEnvVar().map(v -> " (environment variable " + v + " is not set)")
                                .orElse(" (configure the environment variable that holds it)"));
                    }
                    if (!pair.decrypt(passphrase)) {
                        throw new HostAccessException(Kind.LOCAL_SETUP, who, "the passphrase in environment variable "
                                + options.passphraseEnvVar().orElse("?") + " does not decrypt identity file " + file);
                    }
                }
            } finally {
                pair.dispose();
            }
            try {
                jsch.addIdentity(file.toString(), passphrase);
            } catch (JSchException e) {
                throw new HostAccessException(Kind.LOCAL_SETUP, who, "cannot load identity file " + file);
            }
        } finally {
            if (passphrase != null) {
                Arrays.fill(passphrase, (byte) 0);
            }
        }
    }

    static int timeoutMillis(Duration d) {
        return (int) Math.max(1, Math.min(d.toMillis(), Integer.MAX_VALUE));
    }
}
