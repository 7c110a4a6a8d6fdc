package io.drctl.dns.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.dns.DnsClient;
import io.drctl.dns.DnsUpdater;
import io.drctl.dns.DnsVerifier;
import io.drctl.dns.DnsZone;
import io.drctl.dns.FlipRequest;
import io.drctl.dns.RecordFlip;
import io.drctl.dns.TsigKeys;
import io.drctl.dns.UpdateOutcome;
import io.drctl.dns.testing.AppHostNetns;
import io.drctl.dns.testing.BindServer;
import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.Sleeper;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A real BIND (root namespace, port 15320 on 127.0.0.1 and the veth address) and a simulated application
 * host (netns drdns-app with its own PID+mount namespace and a caching dnsmasq, --min-cache-ttl=3600).
 */
class ResolverCacheFlusherIT {

    static final int PORT = 15320;
    static Path dir;
    static BindServer bind;
    static AppHostNetns app;
    static DnsUpdater updater;
    static DnsZone zone;
    static CacheHost host;
    static final ResolverCacheFlusher flusher =
            new ResolverCacheFlusher(Clock.systemUTC(), Sleeper.system(), Duration.ofSeconds(10), Duration.ofMillis(500));

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("drdns-cache-it-");
        app = AppHostNetns.create(dir.resolve("app"));
        BindServer.Keys keys = BindServer.Keys.generate(dir.resolve("keys"));
        bind = BindServer.primary(dir.resolve("bind"), keys, PORT, List.of("127.0.0.1", AppHostNetns.HOST_ADDR),
                List.of("cfgmaster 5 IN A 10.1.0.10", "configdb 5 IN A 10.1.0.30"), List.of());
        app.start(AppHostNetns.HOST_ADDR, PORT, "ns1." + BindServer.ZONE);
        zone = new DnsZone(BindServer.ZONE, bind.dnsServer(), List.of());
        updater = new DnsUpdater(zone, new DnsClient(Optional.of(TsigKeys.fromFile(keys.updateKeyFile(), Optional.empty())),
                Clock.systemUTC(), Duration.ofSeconds(2)));
        // the host's dnsmasq writes its pid file where no packaging would: the inventory's resolverPidFile says where
        host = new CacheHost("app-p", app.runner(), Optional.of(dir.resolve("app").resolve("dnsmasq.pid").toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (bind != null) {
            bind.close();
        }
        BindServer.deleteTree(dir);
    }

    static String fq(String l) {
        return l + "." + BindServer.ZONE;
    }

    private static Set<String> resolveOnHost(String name) throws Exception {
        CommandResult r = host.runner().run("getent ahostsv4 " + name, Duration.ofSeconds(10));
        assertEquals(0, r.exitCode(), r.stderr());
        return CacheCommands.parseAddresses(r.stdout());
    }

    @Test
    void flushOne_hostServesStaleAfterFlipAndNewAfterFlush() throws Exception {
        assertEquals(Set.of("10.1.0.10"), resolveOnHost(fq("cfgmaster"))); // now cached for an hour by dnsmasq

        assertInstanceOf(UpdateOutcome.Applied.class,
                updater.apply(FlipRequest.of(List.of(RecordFlip.of(fq("cfgmaster"), "10.1.0.10", "10.2.0.10")))));
        new DnsVerifier(new DnsClient(Optional.empty(), Clock.systemUTC(), Duration.ofSeconds(2)), Clock.systemUTC(), Sleeper.system(),
                Duration.ofMillis(200)).verify(zone.servers(), Map.of(fq("cfgmaster"), Set.of("10.2.0.10")), Duration.ofSeconds(10));
        Thread.sleep(6000); // longer than the record's 5 s TTL: only the resolver cache can still hold the old answer
        assertEquals(Set.of("10.1.0.10"), resolveOnHost(fq("cfgmaster")), "the host must still serve the stale address");

        List<FlushResult> r = List.of(flusher.flushOne(host,
                new ResolverCacheFlusher.Request(Map.of(fq("cfgmaster"), Set.of("10.2.0.10")), Optional.of(BindServer.ZONE),
                        Duration.ofSeconds(15))));
        assertEquals(List.of(ResolverKind.DNSMASQ), r.get(0).flushed(), "only this host's own dnsmasq is seen in its PID namespace");
        assertEquals(Map.of(fq("cfgmaster"), Set.of("10.2.0.10")), r.get(0).resolved());
        assertEquals(Set.of("10.2.0.10"), resolveOnHost(fq("cfgmaster")));
    }

    @Test
    void flushOne_hostStillResolvingOldAddressFailsNamingHostNameExpectedSeen() throws Exception {
        assertEquals(Set.of("10.1.0.30"), resolveOnHost(fq("configdb")));
        // the record was never flipped: after every flush the host still resolves the old address
        CacheFlushException e = assertThrows(CacheFlushException.class, () -> flusher.flushOne(host,
                new ResolverCacheFlusher.Request(Map.of(fq("configdb"), Set.of("10.2.0.30")), Optional.empty(), Duration.ofSeconds(2))));
        System.out.println("[stale-host] " + e.getMessage());
        CacheFlushException.HostFailure f = e.failures().get(0);
        assertEquals("app-p", f.host());
        assertEquals(CacheFlushException.Kind.STALE, f.kind());
        assertTrue(f.message().startsWith(fq("configdb") + ": expected [10.2.0.30], seen [10.1.0.30] after "), f.message());
        assertTrue(f.message().contains("[DNSMASQ]"), f.message());
    }

    @Test
    void declaredNscdNotRunningOnTheHost_failsAtTheStepSayingSo_andDetectionDoesNotReportIt() throws Exception {
        // the inventory says nscd, but this host runs only dnsmasq: a clear error, nothing flushed by name elsewhere
        CacheHost declared = new CacheHost("app-p", app.runner(), Optional.empty());
        CacheFlushException e = assertThrows(CacheFlushException.class, () -> flusher.flushOne(declared,
                new ResolverCacheFlusher.Request(Map.of(fq("cfgmaster"), Set.of("10.1.0.10")), Optional.empty(),
                        Duration.ofSeconds(2), Optional.of(List.of(ResolverKind.NSCD)))));
        CacheFlushException.HostFailure f = e.failures().get(0);
        assertEquals(CacheFlushException.Kind.FLUSH_FAILED, f.kind(), f.toString());
        assertTrue(f.message().contains("no nscd of this host"), f.message());
        // detection reads this host's resolver path: its dnsmasq is what listens on the resolv.conf nameserver
        CommandResult detected = app.runner().run(CacheCommands.detectLinux(), Duration.ofSeconds(10));
        assertEquals(List.of(ResolverKind.DNSMASQ), CacheCommands.parseDetected(detected.stdout()),
                "no nscd socket here; dnsmasq found as what listens on resolv.conf's 127.0.0.1 (its pid file is not a standard one): "
                        + detected.stdout());
    }

    @Test
    void runner_seesOnlyTheHostsOwnProcessesAndResolvConf() throws Exception {
        CommandRunner r = host.runner();
        CommandResult ps = r.run("pgrep -x dnsmasq | wc -l; cat /etc/resolv.conf", Duration.ofSeconds(5));
        assertTrue(ps.stdout().startsWith("1\n"), ps.stdout());
        assertTrue(ps.stdout().contains("nameserver 127.0.0.1"), ps.stdout());
    }
}
