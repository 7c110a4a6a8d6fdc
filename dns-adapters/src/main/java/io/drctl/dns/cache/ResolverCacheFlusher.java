package io.drctl.dns.cache;

import io.drctl.dns.DnsNames;
import io.drctl.host.Batch;
import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.host.Polling;
import io.drctl.host.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dns.flush-cache}: on each host, detect the resolver caches (systemd-resolved, nscd, dnsmasq, unbound;
 * the DNS Client on Windows), flush them, then check that every name resolves there to exactly the expected
 * addresses ({@code getent ahostsv4} / {@code Resolve-DnsName}). Each round flushes again before resolving (a
 * cache that re-learned a stale answer meanwhile is cleared), until the names resolve or the timeout passes.
 * One host per call ({@link #flushOne}); the engine runs the hosts of a step in parallel.
 */
public final class ResolverCacheFlusher {

    private static final Logger LOG = LoggerFactory.getLogger(ResolverCacheFlusher.class);

    private final Polling polling;
    private final Duration commandTimeout;

    /**
     * @param clock          measures each host's timeout
     * @param sleeper        waits between rounds
     * @param commandTimeout limit for each command on a host
     * @param retryInterval  time between rounds on one host
     */
    public ResolverCacheFlusher(Clock clock, Sleeper sleeper, Duration commandTimeout, Duration retryInterval) {
        this.polling = new Polling(clock, sleeper, Objects.requireNonNull(retryInterval, "retryInterval"));
        this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
    }

    /**
     * What to flush and check.
     *
     * @param expected FQDN → the exact IPv4 set it must resolve to on every host
     * @param zone     the zone (unbound flushes it whole); empty = flush the names
     * @param timeout  per host: how long to keep flushing and checking
     * @param caches   the caches the inventory declares for the host (empty list = none); empty = detect them
     */
    public record Request(Map<String, Set<String>> expected, Optional<String> zone, Duration timeout,
                          Optional<List<ResolverKind>> caches) {
        /** Detecting the host's caches. */
        public Request(Map<String, Set<String>> expected, Optional<String> zone, Duration timeout) {
            this(expected, zone, timeout, Optional.empty());
        }

        public Request {
            caches = caches.map(List::copyOf);
            if (expected.isEmpty()) {
                throw new IllegalArgumentException("no names to verify");
            }
            Map<String, Set<String>> m = new LinkedHashMap<>();
            expected.forEach((n, a) -> m.put(DnsNames.fqdn(n), DnsNames.ipv4Set(a, n)));
            expected = java.util.Collections.unmodifiableMap(m);
            zone = zone.map(DnsNames::fqdn);
        }
    }

    private static final class HostFailed extends Exception {
        final CacheFlushException.HostFailure failure;

        HostFailed(CacheFlushException.HostFailure failure) {
            super(failure.toString());
            this.failure = failure;
        }
    }

    /** Flushes and verifies one host. */
    public FlushResult flushOne(CacheHost host, Request request) throws CacheFlushException, InterruptedException {
        try {
            return flush(host, request);
        } catch (HostFailed e) {
            throw new CacheFlushException(List.of(e.failure), List.of());
        }
    }

    private FlushResult flush(CacheHost host, Request req) throws HostFailed, InterruptedException {
        CommandRunner r = host.runner();
        Polling.Rounds rounds = polling.start(req.timeout());
        List<ResolverKind> kinds = req.caches().isPresent() ? req.caches().get()
                : r.os() == CommandRunner.OsFamily.WINDOWS ? List.of(ResolverKind.WINDOWS_DNS_CLIENT)
                : CacheCommands.parseDetected(run(host, CacheCommands.detectLinux(host.pidFile()), "detect resolver caches").stdout());
        LOG.info("{}: resolver caches found: {}", host, kinds);
        Map<String, String> lastSeen = new LinkedHashMap<>();
        while (true) {
            int attempt = rounds.next();
            // one round trip per round on a POSIX host: every flush, then every resolution, in that order
            List<String> commands = new ArrayList<>();
            for (ResolverKind k : kinds) {
                commands.add(CacheCommands.flush(k, req.zone(), List.copyOf(req.expected().keySet()), host.pidFile()));
            }
            for (String name : req.expected().keySet()) {
                commands.add(CacheCommands.resolve(r.os(), name));
            }
            List<CommandResult> results = runAll(host, commands, "flush and resolve");
            for (int i = 0; i < kinds.size(); i++) {
                CommandResult res = results.get(i);
                if (!res.succeeded()) {
                    throw new HostFailed(new CacheFlushException.HostFailure(host.name(), CacheFlushException.Kind.FLUSH_FAILED,
                            "flushing " + kinds.get(i).label() + " failed (exit " + res.exitCode() + "): " + res.lastLine()));
                }
            }
            Map<String, Set<String>> resolved = new LinkedHashMap<>();
            lastSeen.clear();
            int i = kinds.size();
            for (Map.Entry<String, Set<String>> e : req.expected().entrySet()) {
                CommandResult res = results.get(i++);
                Set<String> seen = res.succeeded() ? CacheCommands.parseAddresses(res.stdout()) : Set.of();
                if (seen.equals(e.getValue())) {
                    resolved.put(e.getKey(), seen);
                } else {
                    lastSeen.put(e.getKey(), res.succeeded() ? DnsNames.show(seen)
                            : "no answer (exit " + res.exitCode() + (res.lastLine().isBlank() ? "" : ": " + res.lastLine()) + ")");
                }
            }
            Duration elapsed = rounds.elapsed();
            if (lastSeen.isEmpty()) {
                return new FlushResult(host.name(), kinds, resolved, attempt, elapsed);
            }
            if (rounds.over(elapsed)) {
                List<String> lines = new ArrayList<>();
                lastSeen.forEach((n, seen) -> lines.add(n + ": expected " + DnsNames.show(req.expected().get(n)) + ", seen " + seen));
                throw new HostFailed(new CacheFlushException.HostFailure(host.name(), CacheFlushException.Kind.STALE,
                        String.join("; ", lines) + " after " + elapsed.toMillis() / 1000.0 + " s and " + attempt
                                + " flush(es) of " + (kinds.isEmpty() ? "no detected cache" : kinds) + " (timeout "
                                + req.timeout().toSeconds() + " s)"));
            }
            rounds.pause(elapsed);
        }
    }

    /** {@code commands} in order: in one round trip on a POSIX host ({@link Batch}), one by one on Windows. */
    private List<CommandResult> runAll(CacheHost host, List<String> commands, String what) throws HostFailed {
        if (host.runner().os() == CommandRunner.OsFamily.WINDOWS) {
            List<CommandResult> out = new ArrayList<>();
            for (String c : commands) {
                out.add(run(host, c, what));
            }
            return out;
        }
        try {
            return Batch.run(host.runner(), commands, commandTimeout.multipliedBy(commands.size()));
        } catch (HostAccessException e) {
            throw new HostFailed(new CacheFlushException.HostFailure(host.name(),
                    e.isRetriable() ? CacheFlushException.Kind.HOST_ACCESS : CacheFlushException.Kind.HOST_ACCESS_DENIED,
                    what + ": " + e.getMessage() + " [" + e.kind() + "]"));
        }
    }

    private CommandResult run(CacheHost host, String command, String what) throws HostFailed {
        try {
            return host.runner().run(command, commandTimeout);
        } catch (HostAccessException e) {
            throw new HostFailed(new CacheFlushException.HostFailure(host.name(),
                    e.isRetriable() ? CacheFlushException.Kind.HOST_ACCESS : CacheFlushException.Kind.HOST_ACCESS_DENIED,
                    what + ": " + e.getMessage() + " [" + e.kind() + "]"));
        }
    }
}
