package io.drctl.dns.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drctl.dns.DnsClient;
import io.drctl.dns.DnsException;
import io.drctl.dns.DnsServer;
import io.drctl.dns.DnsUpdater;
import io.drctl.dns.DnsVerifier;
import io.drctl.dns.DnsZone;
import io.drctl.dns.FlipRequest;
import io.drctl.dns.KeyCheck;
import io.drctl.dns.RecordFlip;
import io.drctl.dns.TsigKey;
import io.drctl.dns.TsigKeys;
import io.drctl.dns.UpdateOutcome;
import io.drctl.dns.cache.CacheCommands;
import io.drctl.dns.cache.CacheFlushException;
import io.drctl.dns.cache.CacheHost;
import io.drctl.dns.cache.FlushResult;
import io.drctl.dns.cache.ResolverCacheFlusher;
import io.drctl.dns.cache.ResolverKind;
import io.drctl.host.CommandResult;
import io.drctl.host.Sleeper;
import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against the shared lab ({@code lab/up}): its BIND (10.77.0.53, zone cc.lab.test., key drctl-update) and the
 * dnsmasq caches of its four application hosts. To leave the lab's own records (cfgmaster, configdb, ...)
 * alone for other tests, it creates, flips and finally deletes records of its own, {@code drdns-it-*}.
 */
class LabDnsIT {

    static final String A = "drdns-it-a." + Lab.ZONE;
    static final String B = "drdns-it-b." + Lab.ZONE;
    static DnsZone zone;
    static TsigKey key;
    static DnsUpdater updater;
    static DnsClient client;

    @BeforeAll
    static void lab() throws Exception {
        assumeTrue(Lab.isRoot(), "the lab needs root");
        if (!java.nio.file.Files.exists(Lab.tsigKeyFile()) || Lab.lookupAtBind("cfgmaster").isEmpty()) {
            Lab.up();
        }
        key = TsigKeys.fromFile(Lab.tsigKeyFile(), Optional.of(Lab.TSIG_KEY_NAME));
        DnsServer bind = DnsServer.of("lab-bind", Lab.DNS_SERVER);
        zone = new DnsZone(Lab.ZONE, bind, List.of(bind));
        client = new DnsClient(Optional.of(key), Clock.systemUTC(), Duration.ofSeconds(2));
        updater = new DnsUpdater(zone, client);
        deleteOurs();
        // create our records (prerequisite: no A records yet)
        assertInstanceOf(UpdateOutcome.Applied.class, updater.apply(FlipRequest.of(List.of(
                new RecordFlip(A, Set.of(), Set.of("10.77.1.10")),
                new RecordFlip(B, Set.of(), Set.of("10.77.1.30")))).withTtl(Duration.ofSeconds(Lab.RECORD_TTL_SECONDS))));
    }

    @AfterAll
    static void cleanup() throws Exception {
        if (updater != null) {
            deleteOurs();
        }
    }

    private static void deleteOurs() throws Exception {
        nsupdate("update delete " + A + " A\nupdate delete " + B + " A\n");
    }

    @Test
    void checkKey_labKeyIsValidAndWrongOnesAreTyped() throws Exception {
        KeyCheck k = updater.checkKey();
        assertEquals(Lab.TSIG_KEY_NAME, k.key());
        byte[] wrong = key.secret();
        wrong[0] ^= 1;
        assertEquals(DnsException.Kind.BAD_SIGNATURE, assertThrows(DnsException.class, () -> new DnsUpdater(zone,
                client.withKey(Optional.of(new TsigKey(key.name(), key.algorithm(), wrong, "wrong")))).checkKey()).kind());
        assertEquals(DnsException.Kind.BAD_KEY, assertThrows(DnsException.class,
                () -> new DnsUpdater(zone, client.withKey(Optional.of(key.withName("drdns-unknown")))).checkKey()).kind());
        DnsClient skewed = new DnsClient(Optional.of(key), Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)), Duration.ofSeconds(2));
        DnsException e = assertThrows(DnsException.class, () -> new DnsUpdater(zone, skewed).checkKey());
        assertEquals(DnsException.Kind.BAD_TIME, e.kind());
        assertTrue(e.getMessage().contains("this machine is behind"), e.getMessage());
    }

    @Test
    void flipAndFlush_appHostsServeStaleUntilFlushedThenNew() throws Exception {
        List<CacheHost> apps = List.of(
                new CacheHost("region1/app-p", Lab.runner(LabHost.R1_APP_P)), new CacheHost("region1/app-b", Lab.runner(LabHost.R1_APP_B)),
                new CacheHost("region2/app-p", Lab.runner(LabHost.R2_APP_P)), new CacheHost("region2/app-b", Lab.runner(LabHost.R2_APP_B)));
        for (CacheHost h : apps) {
            assertEquals(Set.of("10.77.1.10"), resolve(h, A), h.name()); // cached for an hour now
        }
        String dnsmasqPid = dnsmasqPid(apps.get(0));
        FlipRequest flip = FlipRequest.of(List.of(RecordFlip.of(A, "10.77.1.10", "10.77.2.10"), RecordFlip.of(B, "10.77.1.30", "10.77.2.30")));
        assertInstanceOf(UpdateOutcome.Applied.class, updater.apply(flip));
        DnsVerifier verifier = new DnsVerifier(client.withKey(Optional.empty()), Clock.systemUTC(), Sleeper.system(), Duration.ofMillis(200));
        verifier.verify(DnsVerifier.nsSet(client.withKey(Optional.empty()), zone, 53),
                Map.of(A, Set.of("10.77.2.10"), B, Set.of("10.77.2.30")), Duration.ofSeconds(10));
        Thread.sleep((Lab.RECORD_TTL_SECONDS + 1) * 1000L);
        // the lab is shared: if its dnsmasq was restarted meanwhile (lab/up, vmctl), the cache is gone and this proves nothing
        assertEquals(dnsmasqPid, dnsmasqPid(apps.get(0)), "dnsmasq on region1/app-p was restarted during the test");
        assertEquals(Set.of("10.77.1.10"), resolve(apps.get(0), A), "stale until flushed");

        ResolverCacheFlusher flusher = new ResolverCacheFlusher(Clock.systemUTC(), Sleeper.system(), Duration.ofSeconds(20), Duration.ofMillis(500));
        List<FlushResult> results = new java.util.ArrayList<>();
        for (CacheHost h : apps) { // dns.flush-cache runs one host per action, in parallel through the engine
            results.add(flusher.flushOne(h,
                    new ResolverCacheFlusher.Request(Map.of(A, Set.of("10.77.2.10")), Optional.of(Lab.ZONE), Duration.ofSeconds(20))));
        }
        assertEquals(4, results.size());
        results.forEach(r -> assertEquals(List.of(ResolverKind.DNSMASQ), r.flushed(), r.host()));
        for (CacheHost h : apps) {
            assertEquals(Set.of("10.77.2.10"), resolve(h, A), h.name());
        }

        // a host that still resolves the old address after its timeout fails clearly
        CacheFlushException e = assertThrows(CacheFlushException.class, () -> flusher.flushOne(apps.get(0),
                new ResolverCacheFlusher.Request(Map.of(B, Set.of("10.77.1.30")), Optional.empty(), Duration.ofSeconds(2))));
        System.out.println("[lab stale] " + e.getMessage());
        assertTrue(e.failures().get(0).message().startsWith(B + ": expected [10.77.1.30], seen [10.77.2.30]"), e.getMessage());

        // revert = the flip back
        assertInstanceOf(UpdateOutcome.Applied.class, updater.revert(flip));
        assertInstanceOf(UpdateOutcome.AlreadySatisfied.class, updater.revert(flip));
    }

    @Test
    void apply_concurrentChangeMakesCasRefuseWithNothingChanged() throws Exception {
        String c1 = "drdns-it-c1." + Lab.ZONE;
        String c2 = "drdns-it-c2." + Lab.ZONE;
        try {
            updater.apply(FlipRequest.of(List.of(new RecordFlip(c1, Set.of(), Set.of("10.77.1.11")),
                    new RecordFlip(c2, Set.of(), Set.of("10.77.1.30")))).withTtl(Duration.ofSeconds(5)));
            io.drctl.dns.UpdatePlan plan = updater.plan(FlipRequest.of(List.of(RecordFlip.of(c1, "10.77.1.11", "10.77.2.11"),
                    RecordFlip.of(c2, "10.77.1.30", "10.77.2.30"))));
            nsupdate("update delete " + c2 + " A\nupdate add " + c2 + " 5 A 10.77.9.9\n"); // someone else, between plan and apply
            DnsException e = assertThrows(DnsException.class, () -> updater.apply(plan));
            assertEquals(DnsException.Kind.PREREQUISITE_FAILED, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains(c2 + " A: expected [10.77.1.30], current [10.77.9.9]"), e.getMessage());
            assertEquals(Set.of("10.77.1.11"), updater.probe(List.of(c1)).at(zone.primary(), c1).orElseThrow().addresses(),
                    "nothing changed");
        } finally {
            nsupdate("update delete " + c1 + " A\nupdate delete " + c2 + " A\n");
        }
    }

    private static void nsupdate(String updates) throws Exception {
        Process p = new ProcessBuilder("nsupdate", "-k", Lab.tsigKeyFile().toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(("server " + Lab.DNS_SERVER + "\nzone " + Lab.ZONE + "\n" + updates + "send\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("nsupdate did not finish within 30 s");
        }
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String dnsmasqPid(CacheHost h) throws Exception {
        return h.runner().run("pgrep -x dnsmasq", Duration.ofSeconds(20)).stdout().strip();
    }

    private static Set<String> resolve(CacheHost h, String name) throws Exception {
        CommandResult r = h.runner().run(CacheCommands.resolve(h.runner().os(), name), Duration.ofSeconds(20));
        assertEquals(0, r.exitCode(), h.name() + ": " + r.stderr());
        return CacheCommands.parseAddresses(r.stdout());
    }
}
