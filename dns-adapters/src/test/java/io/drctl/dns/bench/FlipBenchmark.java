package io.drctl.dns.bench;

import io.drctl.dns.ChangeThreshold;
import io.drctl.dns.DnsClient;
import io.drctl.dns.DnsUpdater;
import io.drctl.dns.DnsZone;
import io.drctl.dns.FlipRequest;
import io.drctl.dns.RecordFlip;
import io.drctl.dns.TsigKeys;
import io.drctl.dns.UpdateOutcome;
import io.drctl.dns.UpdatePlan;
import io.drctl.dns.testing.BindServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Benchmark (not a test): flips N A records (N = 1, 50, 500) in a local BIND with {@link DnsUpdater} — one
 * TSIG-signed UPDATE with compare-and-swap prerequisites — and, for comparison, with {@code nsupdate} sending
 * one message per record and one batched message (same prerequisites, same key).
 *
 * <p>Run (root; starts its own named on 127.0.0.1:15330 in a temp dir):
 * <pre>
 * cd /work/wt-dns   # the repository checkout
 * mvn -B -q -o -pl dns-adapters -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -cp dns-adapters/target/test-classes:dns-adapters/target/classes:$(cat dns-adapters/target/bench.cp) \
 *      io.drctl.dns.bench.FlipBenchmark [rounds: even, default 6]
 * </pre>
 * Results are recorded in {@code dns-adapters/BENCHMARK.md}.
 */
public final class FlipBenchmark {

    private static final int PORT = 15330;
    private static final int RECORDS = 500;

    private FlipBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // an even number of rounds brings every record back to region 1 before the next N
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        rounds += rounds % 2;
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.drctl.dns")).setLevel(ch.qos.logback.classic.Level.WARN);
        Path dir = Files.createTempDirectory("drdns-bench-");
        BindServer.Keys keys = BindServer.Keys.generate(dir.resolve("keys"));
        List<String> zone = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            zone.add("r" + i + " 60 IN A " + addr(1, i));
        }
        try (BindServer bind = BindServer.primary(dir.resolve("bind"), keys, PORT, List.of("127.0.0.1"), zone, List.of())) {
            DnsZone z = new DnsZone(BindServer.ZONE, bind.dnsServer(), List.of());
            DnsUpdater updater = new DnsUpdater(z, new DnsClient(Optional.of(TsigKeys.fromFile(keys.updateKeyFile(), Optional.empty())),
                    Clock.systemUTC(), Duration.ofSeconds(5)));
            System.out.printf(Locale.ROOT, "BIND %s, zone %s with %d A records, %d rounds per figure (median; ms)%n",
                    bind.dnsServer(), BindServer.ZONE, RECORDS, rounds);
            System.out.printf(Locale.ROOT, "%5s | %14s | %12s | %12s | %18s | %16s%n",
                    "N", "drctl plan+apply", "drctl plan", "drctl UPDATE", "nsupdate 1 msg/rec", "nsupdate batched");
            int region = 1;
            for (int n : new int[] {1, 50, 500}) {
                double[] total = new double[rounds];
                double[] plan = new double[rounds];
                double[] send = new double[rounds];
                double[] perRecord = new double[rounds];
                double[] batched = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    int from = region;
                    int to = region == 1 ? 2 : 1;
                    List<RecordFlip> flips = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        flips.add(RecordFlip.of("r" + i + "." + BindServer.ZONE, addr(from, i), addr(to, i)));
                    }
                    FlipRequest req = new FlipRequest(flips, Optional.empty(), ChangeThreshold.declared(n));
                    long t0 = System.nanoTime();
                    UpdatePlan p = updater.plan(req);
                    long t1 = System.nanoTime();
                    UpdateOutcome o = updater.apply(p);
                    long t2 = System.nanoTime();
                    if (!(o instanceof UpdateOutcome.Applied a) || a.changes().size() != n) {
                        throw new IllegalStateException("drctl flip of " + n + " did not apply: " + o);
                    }
                    plan[r] = ms(t1 - t0);
                    send[r] = ms(t2 - t1);
                    total[r] = ms(t2 - t0);
                    // back with nsupdate, one message per record, then forth again batched
                    perRecord[r] = nsupdate(keys.updateKeyFile(), n, to, from, false);
                    batched[r] = nsupdate(keys.updateKeyFile(), n, from, to, true);
                    region = to;
                }
                System.out.printf(Locale.ROOT, "%5d | %16.1f | %12.1f | %12.1f | %18.1f | %16.1f%n",
                        n, median(total), median(plan), median(send), median(perRecord), median(batched));
            }
        } finally {
            BindServer.deleteTree(dir);
        }
    }

    /** Runs one nsupdate process flipping r0..r(n-1) from region {@code from} to {@code to}; returns ms. */
    private static double nsupdate(Path key, int n, int from, int to, boolean batched) throws Exception {
        StringBuilder s = new StringBuilder("server 127.0.0.1 " + PORT + "\nzone " + BindServer.ZONE + "\n");
        for (int i = 0; i < n; i++) {
            String name = "r" + i + "." + BindServer.ZONE;
            s.append("prereq yxrrset ").append(name).append(" A ").append(addr(from, i)).append('\n');
            s.append("update delete ").append(name).append(" A\n");
            s.append("update add ").append(name).append(" 60 A ").append(addr(to, i)).append('\n');
            if (!batched) {
                s.append("send\n");
            }
        }
        if (batched) {
            s.append("send\n");
        }
        long t0 = System.nanoTime();
        List<String> out = BindServer.nsupdate(key, s.toString());
        long t1 = System.nanoTime();
        if (!out.get(0).equals("0")) {
            throw new IllegalStateException("nsupdate failed: " + out.get(1));
        }
        return ms(t1 - t0);
    }

    private static String addr(int region, int i) {
        return "10." + (100 + region) + "." + (i / 250) + "." + (i % 250 + 1);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
