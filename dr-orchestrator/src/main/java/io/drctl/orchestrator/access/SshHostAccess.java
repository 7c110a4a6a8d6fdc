package io.drctl.orchestrator.access;

import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.SshTarget;
import io.drctl.host.ssh.SshSessions;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.SshSettings;
import io.drctl.orchestrator.spi.HostAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Production {@link HostAccess}: one SSH session per host through {@link SshSessions}, strict host keys. */
public final class SshHostAccess implements HostAccess {
    private final Inventory inventory;
    private final SshSessions sessions;
    private final String home;
    private final Map<String, CommandRunner> runners = new ConcurrentHashMap<>();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SshHostAccess.class);
    static final Duration WARM_PROBE = Duration.ofMillis(300);
    static final Duration WARM_TIMEOUT = Duration.ofSeconds(15);
    /** Handshakes are CPU work on both ends: a few at a time, in the order given, so the first needed come first. */
    static final int WARM_THREADS = 2;
    private final java.util.Set<String> warming = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ThreadPoolExecutor warmers = new java.util.concurrent.ThreadPoolExecutor(
            WARM_THREADS, WARM_THREADS, 5, java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "drctl-ssh-warm");
                t.setDaemon(true);
                return t;
            });

    {
        warmers.allowCoreThreadTimeOut(true);
    }

    public SshHostAccess(Inventory inventory, String home) {
        this.inventory = inventory;
        this.sessions = new SshSessions();
        this.home = home;
    }

    @Override
    public CommandRunner runner(Host host) throws HostAccessException {
        CommandRunner r = runners.get(host.ref());
        if (r != null) {
            return r;
        }
        r = sessions.runner(target(host, 0));
        runners.put(host.ref(), r);
        return r;
    }

    /** Probes the SSH port directly (no handshake); through a jump host it cannot tell and says true. */
    @Override
    public boolean answers(Host host, Duration timeout) {
        SshSettings s = inventory.sshFor(host);
        if (s.jumpHost().isPresent()) {
            return true;
        }
        return io.drctl.host.TcpProbe.probe(host.address(), s.port().orElse(22), timeout).isOpen();
    }

    /** The SSH target of {@code host}: its overrides over the inventory defaults. */
    public SshTarget target(Host host, int depth) throws HostAccessException {
        SshSettings s = inventory.sshFor(host);
        if (s.identityFile().isEmpty() || s.knownHosts().isEmpty()) {
            throw new HostAccessException(HostAccessException.Kind.LOCAL_SETUP, host.ref(),
                    "inventory ssh settings need identityFile and knownHosts");
        }
        Optional<SshTarget> jump = Optional.empty();
        if (s.jumpHost().isPresent() && depth < 3) {
            Host j = inventory.host(s.jumpHost().get()).orElseThrow(() -> new HostAccessException(
                    HostAccessException.Kind.LOCAL_SETUP, host.ref(), "unknown jump host " + s.jumpHost().get()));
            jump = Optional.of(target(j, depth + 1));
        }
        return new SshTarget(host.ref(), host.address(), s.port().orElse(22), s.user().orElse("root"),
                expand(s.identityFile().get()), expand(s.knownHosts().get()), true,
                s.connectTimeout().orElse(Duration.ofSeconds(10)), host.os(), jump);
    }

    private Path expand(String p) {
        return Path.of(p.startsWith("~/") ? home + p.substring(1) : p);
    }

    /**
     * Each host whose SSH port answers within {@link #WARM_PROBE} gets its session and one shell opened by a
     * no-op command, at most {@link #WARM_THREADS} at once, on daemon threads; a command that needs the host
     * meanwhile waits for that handshake instead of starting its own.
     */
    @Override
    public void warm(java.util.Collection<Host> hosts) {
        for (Host h : new java.util.LinkedHashSet<>(hosts)) {
            // a host behind a jump host cannot be probed directly; a non-POSIX host has no no-op to run
            if (h.os() != io.drctl.host.CommandRunner.OsFamily.LINUX || inventory.sshFor(h).jumpHost().isPresent()
                    || !warming.add(h.ref())) {
                continue;
            }
            try {
                warmers.execute(() -> warm(h));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                return; // the run has ended: nothing to warm for
            }
        }
    }

    /** Opens {@code h}'s session and one shell when its SSH port answers at once; forgets it otherwise. */
    private void warm(Host h) {
        try {
            if (answers(h, WARM_PROBE)) {
                runner(h).run(":", WARM_TIMEOUT);
                return;
            }
        } catch (HostAccessException | RuntimeException e) {
            LOG.debug("{}: not warmed ({})", h.ref(), e.getMessage());
        }
        warming.remove(h.ref()); // asked again (a VM just started), it is tried again
    }

    @Override
    public void close() {
        warmers.shutdownNow();
        try {
            // a handshake under way ends within its connect timeout; sessions opened after close are closed at once
            warmers.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sessions.close();
    }
}
