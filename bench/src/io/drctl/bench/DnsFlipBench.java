package io.drctl.bench;

import io.drctl.dns.ChangeThreshold;
import io.drctl.dns.DnsClient;
import io.drctl.dns.DnsServer;
import io.drctl.dns.DnsUpdater;
import io.drctl.dns.DnsZone;
import io.drctl.dns.FlipRequest;
import io.drctl.dns.RecordFlip;
import io.drctl.dns.TsigKeys;
import io.drctl.dns.UpdateOutcome;
import io.drctl.dns.UpdatePlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * DNS flip benchmark driver (run by {@code bench/run --dns}; not a test). Against a BIND primary the harness
 * started, flips records r0..r(N-1) of the zone between two regions' addresses, alternating three ways:
 * drctl's {@link DnsUpdater} (plan = read the N RRsets, apply = ONE signed compare-and-swap UPDATE), one
 * {@code nsupdate} process sending one message per record, and one {@code nsupdate} process sending one
 * batched message, each with the same prerequisites and key. Every flip is verified afterwards by a signed
 * AXFR ({@code dig}) outside the timing. Also times one signed AXFR of the zone through drctl's DnsClient
 * ({@link DnsUpdater#countARecords()}): the cost of reading all records in one exchange. Prints one tab-separated sample per line:
 * {@code sample N TOOL ROUND MILLISECONDS}; {@code bench/run} turns them into the table.
 *
 * <p>Arguments: {@code ADDRESS PORT ZONE KEYFILE ROUNDS N...}
 */
public final class DnsFlipBench {

    private static final Duration PROCESS_LIMIT = Duration.ofSeconds(120);

    private final DnsServer server;
    private final String zone;
    private final Path key;
    private final DnsUpdater updater;

    private DnsFlipBench(DnsServer server, String zone, Path key) throws Exception {
        this.server = server;
        this.zone = zone;
        this.key = key;
        DnsClient client = new DnsClient(Optional.of(TsigKeys.fromFile(key, Optional.empty())), Clock.systemUTC(), Duration.ofSeconds(5));
        this.updater = new DnsUpdater(new DnsZone(zone, server, List.of()), client);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: DnsFlipBench ADDRESS PORT ZONE KEYFILE ROUNDS N...");
            System.exit(2);
        }
        DnsFlipBench b = new DnsFlipBench(new DnsServer("bench", args[0], Integer.parseInt(args[1])), args[2], Path.of(args[3]));
        int rounds = Integer.parseInt(args[4]);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        int max = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        // the very first flip in a fresh JVM: class loading and interpreted code, as in a real run's first dns.update
        b.reset(max);
        long c0 = System.nanoTime();
        b.drctl(1, 1, 2);
        sample(1, "drctl-cold-first", 0, System.nanoTime() - c0);
        b.verify(1, 2);
        for (int n : sizes) {
            b.reset(max);
            int region = 1;
            for (int r = 1; r <= rounds; r++) {
                int other = region == 1 ? 2 : 1;
                long[] t = b.drctl(n, region, other);
                sample(n, "drctl", r, t[0] + t[1]);
                sample(n, "drctl-read", r, t[0]);
                sample(n, "drctl-update", r, t[1]);
                b.verify(n, other);
                // what reading the zone by one signed AXFR (issue #13's fix for the read) costs, via drctl's client
                long x0 = System.nanoTime();
                int names = b.updater.countARecords();
                sample(n, "drctl-axfr", r, System.nanoTime() - x0);
                if (names < n) {
                    throw new IllegalStateException("AXFR saw " + names + " A names, fewer than " + n);
                }
                sample(n, "nsupdate-per-record", r, b.nsupdate(n, other, region, false));
                b.verify(n, region);
                sample(n, "nsupdate-batched", r, b.nsupdate(n, region, other, true));
                b.verify(n, other);
                region = other;
            }
        }
    }

    private static void sample(int n, String tool, int round, long nanos) {
        System.out.printf(Locale.ROOT, "sample\t%d\t%s\t%d\t%.3f%n", n, tool, round, nanos / 1e6);
        System.out.flush();
    }

    static String addr(int region, int i) {
        return "10." + (100 + region) + "." + (i / 250) + "." + (i % 250 + 1);
    }

    private String name(int i) {
        return "r" + i + "." + zone;
    }

    /** drctl's flip of r0..r(n-1) from region {@code from} to {@code to}: {read ns, update ns}. */
    private long[] drctl(int n, int from, int to) throws Exception {
        List<RecordFlip> flips = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            flips.add(RecordFlip.of(name(i), addr(from, i), addr(to, i)));
        }
        FlipRequest req = new FlipRequest(flips, Optional.empty(), ChangeThreshold.declared(n));
        long t0 = System.nanoTime();
        UpdatePlan p = updater.plan(req);
        long t1 = System.nanoTime();
        UpdateOutcome o = updater.apply(p);
        long t2 = System.nanoTime();
        if (!(o instanceof UpdateOutcome.Applied a) || a.changes().size() != n) {
            throw new IllegalStateException("drctl flip of " + n + " records did not apply: " + o);
        }
        return new long[] {t1 - t0, t2 - t1};
    }

    /** One nsupdate process flipping r0..r(n-1) with the same compare-and-swap prerequisite; returns ns. */
    private long nsupdate(int n, int from, int to, boolean batched) throws Exception {
        StringBuilder s = new StringBuilder("server " + server.address() + " " + server.port() + "\nzone " + zone + "\n");
        for (int i = 0; i < n; i++) {
            s.append("prereq yxrrset ").append(name(i)).append(" A ").append(addr(from, i)).append('\n');
            s.append("update delete ").append(name(i)).append(" A\n");
            s.append("update add ").append(name(i)).append(" 60 A ").append(addr(to, i)).append('\n');
            if (!batched) {
                s.append("send\n");
            }
        }
        if (batched) {
            s.append("send\n");
        }
        long t0 = System.nanoTime();
        String out = run(List.of("nsupdate", "-t", "30", "-k", key.toString()), s.toString());
        long t1 = System.nanoTime();
        if (out != null) {
            throw new IllegalStateException("nsupdate (" + (batched ? "batched" : "per record") + ", N=" + n + ") failed: " + out);
        }
        return t1 - t0;
    }

    /** Untimed: every record r0..r(max-1) back to region 1, unconditionally, in one message. */
    private void reset(int max) throws Exception {
        StringBuilder s = new StringBuilder("server " + server.address() + " " + server.port() + "\nzone " + zone + "\n");
        for (int i = 0; i < max; i++) {
            s.append("update delete ").append(name(i)).append(" A\n");
            s.append("update add ").append(name(i)).append(" 60 A ").append(addr(1, i)).append('\n');
        }
        s.append("send\n");
        String out = run(List.of("nsupdate", "-t", "30", "-k", key.toString()), s.toString());
        if (out != null) {
            throw new IllegalStateException("resetting the zone failed: " + out);
        }
        verify(max, 1);
    }

    /** Untimed: a signed AXFR must show r0..r(n-1) holding exactly region {@code region}'s address, TTL 60. */
    private void verify(int n, int region) throws Exception {
        List<String> cmd = List.of("dig", "-k", key.toString(), "@" + server.address(), "-p", String.valueOf(server.port()),
                "+noall", "+answer", "+time=5", "+tries=1", zone, "AXFR");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        await(p, "dig AXFR");
        Map<String, List<String>> a = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 5 && f[3].equals("A")) {
                a.computeIfAbsent(f[0].toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(f[1] + " " + f[4]);
            }
        }
        for (int i = 0; i < n; i++) {
            List<String> got = a.get(name(i).toLowerCase(Locale.ROOT));
            List<String> want = List.of("60 " + addr(region, i));
            if (!want.equals(got)) {
                throw new IllegalStateException("verification failed: " + name(i) + " A: expected " + want + " (TTL, address), got "
                        + got + (out.length() < 2000 ? "; dig said: " + out : ""));
            }
        }
    }

    /** Runs {@code cmd} with {@code stdin}; null on exit 0, else its output. */
    private static String run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        await(p, String.join(" ", cmd));
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    }

    private static void await(Process p, String what) throws InterruptedException {
        if (!p.waitFor(PROCESS_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException(what + " did not finish within " + PROCESS_LIMIT);
        }
    }
}
