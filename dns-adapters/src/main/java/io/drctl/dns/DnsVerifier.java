package io.drctl.dns;

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
import java.util.stream.Collectors;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * Proves a change from outside: asks EVERY authoritative server (non-recursive queries) until each
 * serves exactly the expected A RRset for each name, or the timeout passes. Waits with an injected
 * {@link Clock} and {@link Sleeper}; the number of rounds is bounded too.
 */
public final class DnsVerifier {
    private static final int READ_PARALLELISM = 16;

    private final DnsClient client;
    private final Polling polling;

    /**
     * @param client       an (unsigned) client; its own timeout bounds each query
     * @param clock        measures the overall timeout
     * @param sleeper      waits between rounds
     * @param pollInterval time between rounds
     */
    public DnsVerifier(DnsClient client, Clock clock, Sleeper sleeper, Duration pollInterval) {
        this.client = Objects.requireNonNull(client, "client");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
        }
        this.polling = new Polling(clock, sleeper, pollInterval);
    }

    /**
     * The outcome of a successful verification.
     *
     * @param servers the servers that all served the expected records
     * @param elapsed how long it took until the last one did
     * @param rounds  how many rounds of queries were sent
     * @param skipped servers that never answered, skipped because the caller allowed it (a forced failover: their region
     *                is gone), each with what was seen; empty otherwise
     */
    public record Verified(List<DnsServer> servers, Duration elapsed, int rounds, Map<DnsServer, String> skipped) {
        public Verified(List<DnsServer> servers, Duration elapsed, int rounds) {
            this(servers, elapsed, rounds, Map.of());
        }
    }

    /** Rounds a silent server is given, once every other server serves the records, before it is skipped. */
    static final int SILENT_ROUNDS = 3;

    /**
     * Waits until every server serves exactly {@code expected} (FQDN → A RRset).
     *
     * @throws DnsException of kind NOT_PROPAGATED naming, per lagging server and record, expected vs seen and
     *                      the elapsed time
     */
    public Verified verify(List<DnsServer> servers, Map<String, Set<String>> expected, Duration timeout)
            throws DnsException, InterruptedException {
        return verify(servers, expected, timeout, false);
    }

    /**
     * The same; with {@code skipSilent}, a server that has not answered at all (timeout, unreachable, network error)
     * for {@value #SILENT_ROUNDS} rounds while every other server serves the records is skipped and reported, not
     * waited for. A server that answers with other data is never skipped.
     */
    public Verified verify(List<DnsServer> servers, Map<String, Set<String>> expected, Duration timeout, boolean skipSilent)
            throws DnsException, InterruptedException {
        if (servers.isEmpty() || expected.isEmpty()) {
            throw new IllegalArgumentException("nothing to verify: servers " + servers + ", records " + expected.keySet());
        }
        Map<String, Set<String>> want = new LinkedHashMap<>();
        expected.forEach((n, a) -> want.put(DnsNames.fqdn(n), DnsNames.ipv4Set(a, n)));
        Polling.Rounds rounds = polling.start(timeout);
        Map<String, String> pending = new LinkedHashMap<>(); // "server|name" -> what was seen
        for (DnsServer s : servers) {
            for (String n : want.keySet()) {
                pending.put(key(s, n), "(not asked yet)");
            }
        }
        Map<DnsServer, Integer> silentRounds = new LinkedHashMap<>();
        while (true) {
            rounds.next();
            for (DnsServer s : servers) {
                boolean answered = false;
                boolean asked = false;
                for (Map.Entry<String, Set<String>> e : want.entrySet()) {
                    String k = key(s, e.getKey());
                    if (!pending.containsKey(k)) {
                        continue;
                    }
                    asked = true;
                    try {
                        DnsClient.Answer a = client.query(s, DnsNames.name(e.getKey()), Type.A);
                        answered = true;
                        Set<String> seen = a.records().stream().map(r -> ((ARecord) r).getAddress().getHostAddress())
                                .collect(Collectors.toSet());
                        if (seen.equals(e.getValue()) && a.authoritative()) {
                            pending.remove(k);
                        } else {
                            pending.put(k, DnsNames.show(seen) + (a.authoritative() ? "" : " (not authoritative)"));
                        }
                    } catch (DnsException x) {
                        boolean silent = x.kind() == DnsException.Kind.TIMEOUT || x.kind() == DnsException.Kind.UNREACHABLE
                                || x.kind() == DnsException.Kind.NETWORK;
                        answered |= !silent;
                        pending.put(k, "no answer: " + x.kind() + " rcode " + (x.rcode() < 0 ? "-" : org.xbill.DNS.Rcode.string(x.rcode())));
                        if (silent && skipSilent) {
                            break; // one silent query per server and round: a dead server costs one timeout, not one per name
                        }
                    }
                }
                if (asked) {
                    silentRounds.put(s, answered ? 0 : silentRounds.getOrDefault(s, 0) + 1);
                }
            }
            Duration elapsed = rounds.elapsed();
            if (pending.isEmpty()) {
                return new Verified(List.copyOf(servers), elapsed, rounds.count());
            }
            if (skipSilent) {
                List<DnsServer> waiting = servers.stream().filter(s -> want.keySet().stream().anyMatch(n -> pending.containsKey(key(s, n)))).toList();
                if (waiting.stream().allMatch(s -> silentRounds.getOrDefault(s, 0) >= SILENT_ROUNDS) && waiting.size() < servers.size()) {
                    Map<DnsServer, String> skipped = new LinkedHashMap<>();
                    waiting.forEach(s -> skipped.put(s, want.keySet().stream().map(n -> pending.get(key(s, n)))
                            .filter(java.util.Objects::nonNull).findFirst().orElse("no answer")));
                    List<DnsServer> served = servers.stream().filter(s -> !waiting.contains(s)).toList();
                    return new Verified(served, elapsed, rounds.count(), skipped);
                }
            }
            if (rounds.over(elapsed)) {
                List<String> lines = new ArrayList<>();
                for (DnsServer s : servers) {
                    for (Map.Entry<String, Set<String>> e : want.entrySet()) {
                        String seen = pending.get(key(s, e.getKey()));
                        if (seen != null) {
                            lines.add(e.getKey() + " A: expected " + DnsNames.show(e.getValue()) + " at " + s + ", seen " + seen);
                        }
                    }
                }
                throw new DnsException(DnsException.Kind.NOT_PROPAGATED,
                        pending.keySet().stream().map(k -> k.substring(0, k.indexOf('|'))).distinct().collect(Collectors.joining(", ")),
                        String.join("; ", lines) + " after " + elapsed.toMillis() / 1000.0 + " s (timeout " + timeout.toSeconds()
                                + " s, " + rounds.count() + " rounds)");
            }
            rounds.pause(elapsed);
        }
    }

    private static String key(DnsServer s, String n) {
        return s + "|" + n;
    }

    /**
     * The A RRset and TTL of every name at every server of {@code zone}, read-only: plain (non-recursive) A queries
     * through {@code client}, which needs no key. A server that fails is reported in {@link ZoneProbe#failed}, not thrown.
     */
    public static ZoneProbe probe(DnsClient client, DnsZone zone, List<String> names) {
        List<RecordState> states = new ArrayList<>();
        Map<DnsServer, DnsException> failed = new LinkedHashMap<>();
        for (DnsServer s : zone.servers()) {
            try {
                states.addAll(readAll(client, s, names));
            } catch (DnsException e) {
                failed.put(s, e);
            }
        }
        return new ZoneProbe(states, failed);
    }

    static RecordState read(DnsClient client, DnsServer server, String name) throws DnsException {
        DnsClient.Answer a = client.query(server, DnsNames.name(name), Type.A);
        Set<String> addrs = a.records().stream().map(r -> ((ARecord) r).getAddress().getHostAddress()).collect(Collectors.toSet());
        return new RecordState(server, name, addrs, a.ttl());
    }

    /** Reads many names at one server with up to {@link #READ_PARALLELISM} queries in flight; results in order. */
    static List<RecordState> readAll(DnsClient client, DnsServer server, List<String> names) throws DnsException {
        if (names.size() == 1) {
            return List.of(read(client, server, names.get(0)));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.min(READ_PARALLELISM, names.size()), r -> {
                    Thread t = new Thread(r, "drctl-dns-read");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<java.util.concurrent.Future<RecordState>> fs = new ArrayList<>();
            for (String n : names) {
                fs.add(pool.submit(() -> read(client, server, n)));
            }
            List<RecordState> out = new ArrayList<>();
            for (java.util.concurrent.Future<RecordState> f : fs) {
                out.add(f.get()); // bounded: each read is bounded by the client's timeouts
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsException(DnsException.Kind.NETWORK, server.toString(), "interrupted while reading records", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof DnsException d) {
                throw d;
            }
            throw new DnsException(DnsException.Kind.NETWORK, server.toString(), "reading records failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The zone's NS set as servers: NS records and their in-zone addresses as the primary serves them.
     * Name servers outside the zone are not looked up (no recursive DNS); list them explicitly instead.
     *
     * @param port the DNS port the name servers listen on
     */
    public static List<DnsServer> nsSet(DnsClient client, DnsZone zone, int port) throws DnsException {
        DnsClient.Answer ns = client.query(zone.primary(), zone.dnsName(), Type.NS);
        List<DnsServer> out = new ArrayList<>();
        for (org.xbill.DNS.Record r : ns.records()) {
            Name target = ((NSRecord) r).getTarget();
            if (!zone.contains(target.toString())) {
                throw new DnsException(DnsException.Kind.UNEXPECTED_RESPONSE, zone.primary() + " zone " + zone.name(),
                        "name server " + target + " is outside the zone; list the authoritative servers explicitly");
            }
            DnsClient.Answer a = client.query(zone.primary(), target, Type.A);
            Optional<String> label = Optional.of(target.getLabelString(0));
            for (org.xbill.DNS.Record x : a.records()) {
                out.add(new DnsServer(label.get(), ((ARecord) x).getAddress().getHostAddress(), port));
            }
        }
        if (out.isEmpty()) {
            throw new DnsException(DnsException.Kind.UNEXPECTED_RESPONSE, zone.primary() + " zone " + zone.name(),
                    "the zone has no usable NS set");
        }
        return out;
    }
}
