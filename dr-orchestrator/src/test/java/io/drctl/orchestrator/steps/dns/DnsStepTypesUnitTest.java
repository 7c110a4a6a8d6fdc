package io.drctl.orchestrator.steps.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.dns.TsigKey;
import io.drctl.dns.TsigKeys;
import io.drctl.orchestrator.InventoryYaml;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.ScriptedRunner;
import io.drctl.orchestrator.steps.StepHarness;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dns.update}, {@code dns.verify}, {@code dns.ttl}, {@code dns.flush-cache} and {@code dns.key-check} through
 * their public contract, against two small authoritative servers on 127.0.0.1 ({@link ZoneServer}: they apply the
 * signed UPDATEs to their zone and answer later queries from it) and scripted resolver hosts. No root, no BIND.
 */
class DnsStepTypesUnitTest {
    @TempDir
    Path tmp;

    static final String KEY_VAR = "DRCTL_TSIG";
    String keyText;
    ZoneServer ns1;
    ZoneServer ns2;

    static String newKey(String name) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return "hmac-sha256:" + name + ":" + Base64.getEncoder().encodeToString(secret);
    }

    static TsigKey key(String text) throws Exception {
        return TsigKeys.fromEnvironment(Map.of("K", text), "K");
    }

    @BeforeEach
    void start() throws Exception {
        keyText = newKey("drctl-update");
        ns1 = new ZoneServer("cc.test.", Optional.of(key(keyText)), Clock.systemUTC());
        ns2 = new ZoneServer("cc.test.", Optional.of(key(keyText)), Clock.systemUTC());
        for (ZoneServer ns : List.of(ns1, ns2)) {
            inRegion1(ns);
        }
    }

    @AfterEach
    void stop() throws Exception {
        ns1.close();
        ns2.close();
    }

    static void inRegion1(ZoneServer ns) {
        ns.put("cfgmaster", 300, "10.1.0.10");
        ns.put("configdb", 300, "10.1.0.30");
    }

    static void inRegion2(ZoneServer ns) {
        ns.put("cfgmaster", 300, "10.2.0.10");
        ns.put("configdb", 300, "10.2.0.30");
    }

    String inventory(int ns2Port) {
        return InventoryYaml.named("dns-test").nameServers(ns1.port(), ns2Port)
                .dns("tsig: { keyEnv: DRCTL_TSIG }").dns("ttl: 60")
                .hosts("region1", "fw:   { address: 10.1.0.10, roles: [framework] }", "dbms: { address: 10.1.0.30, roles: [dbms] }",
                        "app:  { address: 10.1.0.20, roles: [cs-proxy] }")
                .hosts("region2", "fw:   { address: 10.2.0.10, roles: [framework] }", "dbms: { address: 10.2.0.30, roles: [dbms] }",
                        "app:  { address: 10.2.0.20, roles: [cs-proxy], resolver: dnsmasq, resolverPidFile: /run/dnsmasq/own.pid }",
                        "gw:   { address: 10.2.0.40, roles: [gateway], resolver: none }")
                .records("cfgmaster: { region1: fw, region2: fw }", "configdb:  { region1: dbms, region2: dbms }").yaml();
    }

    static final String RUNBOOK = """
            name: dns
            steps:
              - { id: flip, type: dns.update, records: [cfgmaster, configdb], to: region2 }
              - { id: flip-ttl, type: dns.update, records: [cfgmaster], to: region2, ttl: 30s }
              - { id: share, type: dns.update, records: [cfgmaster, configdb], to: region2, maxZoneShare: 0.3 }
              - { id: forced-share, type: dns.update, records: [cfgmaster, configdb], to: region2, maxZoneShare: 0.3, force: "region1 is lost" }
              - { id: check, type: dns.verify, records: [cfgmaster, configdb], to: region2, within: 5s, interval: 1s }
              - { id: lower, type: dns.ttl, records: [cfgmaster, configdb], ttl: 30s }
              - { id: flush, type: dns.flush-cache, hosts: "role=cs-proxy", records: [cfgmaster], to: region2, within: 6s, interval: 2s }
              - { id: flush-none, type: dns.flush-cache, hosts: "role=gateway", records: [cfgmaster], to: region2, within: 1s }
              - { id: key, type: dns.key-check }
              - { id: key-skew, type: dns.key-check, maxSkew: 60s }
            """;

    StepHarness harness(Map<String, String> params) throws Exception {
        return harness(ns2.port(), params);
    }

    StepHarness harness(int ns2Port, Map<String, String> params) throws Exception {
        StepHarness h = StepHarness.load(tmp, inventory(ns2Port), RUNBOOK, params);
        h.env.put(KEY_VAR, keyText);
        return h;
    }

    StepHarness harness() throws Exception {
        return harness(Map.of());
    }

    // ------------------------------------------------------------------ dns.update

    @Test
    void update_probeNeeded_applySendsOneUpdate_verifyReadsItBack_revertRestoresTheOldValues() throws Exception {
        StepHarness h = harness();
        Action a = h.action("flip");
        assertEquals("cfgmaster.cc.test.,configdb.cc.test.", a.target());
        Probe p = a.probe(h.ctx("flip"));
        assertEquals(Probe.needed("cfgmaster.cc.test. A 10.1.0.10 ttl 300, configdb.cc.test. A 10.1.0.30 ttl 300",
                "cfgmaster.cc.test. A 10.2.0.10, configdb.cc.test. A 10.2.0.30"), p);

        Applied applied = a.apply(h.ctx("flip"));
        assertTrue(applied.summary().startsWith("sent one UPDATE: "), applied.summary());
        assertEquals(1, ns1.updates().size(), "both records in ONE update: " + ns1.updates());
        assertTrue(ns1.updates().get(0).startsWith("NOERROR"), ns1.updates().toString());
        assertEquals(Optional.of(new ZoneServer.RRset(300, Set.of("10.2.0.10"))), ns1.get("cfgmaster"), "TTL kept");
        assertEquals(Set.of("10.2.0.30"), ns1.get("configdb").orElseThrow().addresses());
        assertTrue(ns2.updates().isEmpty(), "updates go to the first server only");

        Verified v = a.verify(h.ctx("flip"));
        assertTrue(v.ok(), v.detail());
        // evidence: what each server answered for each record, with the zone version (SOA serial) that answered
        String at1 = "ns1 (127.0.0.1:" + ns1.port() + ") (primary) ";
        String at2 = "ns2 (127.0.0.1:" + ns2.port() + ") (secondary) ";
        assertEquals(List.of(
                new Evidence("drctl", at1 + "cfgmaster.cc.test. A", "[10.2.0.10] ttl 300; SOA serial 2026010102", "[10.2.0.10]", true),
                new Evidence("drctl", at1 + "configdb.cc.test. A", "[10.2.0.30] ttl 300; SOA serial 2026010102", "[10.2.0.30]", true),
                // the test's second server takes no zone transfers: it still serves the old zone, and the evidence says so
                new Evidence("drctl", at2 + "cfgmaster.cc.test. A", "[10.1.0.10] ttl 300; SOA serial 2026010101", "[10.2.0.10]", false),
                new Evidence("drctl", at2 + "configdb.cc.test. A", "[10.1.0.30] ttl 300; SOA serial 2026010101", "[10.2.0.30]", false)),
                h.evidence);
        assertTrue(a.probe(h.ctx("flip")).isSatisfied());

        assertTrue(a.revertible());
        Reverted r = a.revert(h.ctx("flip"));
        assertTrue(r.reverted() && r.detail().startsWith("sent one UPDATE: "), r.detail());
        assertEquals(Set.of("10.1.0.10"), ns1.get("cfgmaster").orElseThrow().addresses());
        assertEquals(Set.of("10.1.0.30"), ns1.get("configdb").orElseThrow().addresses());
    }

    @Test
    void update_alreadyPointingAtTheTarget_satisfied_applySendsNothing() throws Exception {
        inRegion2(ns1);
        StepHarness h = harness();
        Action a = h.action("flip");
        assertTrue(a.probe(h.ctx("flip")).isSatisfied());
        assertEquals("already held, nothing sent: [cfgmaster.cc.test., configdb.cc.test.]", a.apply(h.ctx("flip")).summary());
        assertTrue(ns1.updates().isEmpty());
    }

    @Test
    void update_recordChangedBySomeoneElse_refused_nothingSent_notRetriable() throws Exception {
        ns1.put("cfgmaster", 300, "10.9.9.9");
        StepHarness h = harness();
        Action a = h.action("flip");
        assertEquals(Probe.State.NEEDED, a.probe(h.ctx("flip")).state());
        StepFailure f = assertThrows(StepFailure.class, () -> a.apply(h.ctx("flip")));
        assertFalse(f.isRetriable());
        assertTrue(f.getMessage().contains("refusing to update, nothing sent: cfgmaster.cc.test. A: expected [10.1.0.10] (or the target"
                + " [10.2.0.10]), found [10.9.9.9]"), f.getMessage());
        assertTrue(ns1.updates().isEmpty());
        assertEquals(Set.of("10.1.0.30"), ns1.get("configdb").orElseThrow().addresses(), "all or nothing");
    }

    @Test
    void update_ttlField_wrongTtlIsNeeded_andTheUpdateWritesIt() throws Exception {
        ns1.put("cfgmaster", 300, "10.2.0.10"); // right address, old TTL
        StepHarness h = harness();
        Action a = h.action("flip-ttl");
        assertEquals(Probe.State.NEEDED, a.probe(h.ctx("flip-ttl")).state());
        a.apply(h.ctx("flip-ttl"));
        assertEquals(Optional.of(new ZoneServer.RRset(30, Set.of("10.2.0.10"))), ns1.get("cfgmaster"));
        assertTrue(a.probe(h.ctx("flip-ttl")).isSatisfied());
    }

    @Test
    void update_overTheZoneShare_refusedBeforeSending_forceWithAReasonGoesThroughAndIsNoted() throws Exception {
        ns1.put("other1", 300, "10.1.0.50");
        ns1.put("other2", 300, "10.1.0.51");
        StepHarness h = harness();
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("share").apply(h.ctx("share")));
        assertFalse(f.isRetriable());
        assertTrue(f.getMessage().contains("refusing to update, nothing sent: the update touches 2 of the zone's 4 A records (50%),"
                + " more than the allowed 30%"), f.getMessage());
        assertTrue(ns1.updates().isEmpty());
        assertEquals(Set.of("10.1.0.10"), ns1.get("cfgmaster").orElseThrow().addresses());

        Applied forced = h.action("forced-share").apply(h.ctx("forced-share"));
        assertTrue(forced.summary().endsWith("(threshold forced: region1 is lost)"), forced.summary());
        assertEquals("region1 is lost", h.notes.get("forceReason"));
        assertEquals(Set.of("10.2.0.10"), ns1.get("cfgmaster").orElseThrow().addresses());
    }

    @Test
    void update_wrongSecret_badSignature_notRetriable_nothingChanged() throws Exception {
        StepHarness h = harness();
        h.env.put(KEY_VAR, newKey("drctl-update"));
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("flip").apply(h.ctx("flip")));
        assertFalse(f.isRetriable());
        assertTrue(f.getMessage().contains("bad signature"), f.getMessage());
        assertEquals(List.of("NOTAUTH/BADSIG"), ns1.updates());
        assertEquals(Set.of("10.1.0.10"), ns1.get("cfgmaster").orElseThrow().addresses());
    }

    @Test
    void update_keyVariableMissing_failsNamingTheReference_notRetriable() throws Exception {
        StepHarness h = harness();
        h.env.remove(KEY_VAR);
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("flip").probe(h.ctx("flip")));
        assertFalse(f.isRetriable());
        assertTrue(f.getMessage().startsWith("TSIG key (keyEnv DRCTL_TSIG): "), f.getMessage());
    }

    // ------------------------------------------------------------------ dns.verify

    @Test
    void verify_everyServerAnswersTheNewAddresses_ok_observesOnly() throws Exception {
        inRegion2(ns1);
        inRegion2(ns2);
        StepHarness h = harness();
        Action a = h.action("check");
        assertFalse(a.changes());
        assertEquals(Probe.State.UNKNOWN, a.probe(h.ctx("check")).state());
        Applied applied = a.apply(h.ctx("check"));
        assertTrue(applied.summary().startsWith("2 server(s) answer cfgmaster.cc.test. A 10.2.0.10, configdb.cc.test. A 10.2.0.30 after"),
                applied.summary());
        assertTrue(applied.summary().endsWith("(1 round(s))"), applied.summary());
        assertEquals(Verified.byApply(), a.verify(h.ctx("check")));
        assertEquals(List.of(
                Evidence.of("drctl", "ns1 (127.0.0.1:" + ns1.port() + ") cfgmaster.cc.test. A", "[10.2.0.10]", "[10.2.0.10]"),
                Evidence.of("drctl", "ns1 (127.0.0.1:" + ns1.port() + ") configdb.cc.test. A", "[10.2.0.30]", "[10.2.0.30]"),
                Evidence.of("drctl", "ns2 (127.0.0.1:" + ns2.port() + ") cfgmaster.cc.test. A", "[10.2.0.10]", "[10.2.0.10]"),
                Evidence.of("drctl", "ns2 (127.0.0.1:" + ns2.port() + ") configdb.cc.test. A", "[10.2.0.30]", "[10.2.0.30]")),
                h.evidence);
    }

    @Test
    void verify_secondaryKeepsOldData_failsAfterWithinOnTheFakeClock_namingServerAndSeen_retriable() throws Exception {
        inRegion2(ns1); // ns2 never got the transfer
        StepHarness h = harness();
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("check").apply(h.ctx("check")));
        assertTrue(f.isRetriable());
        assertTrue(f.getMessage().contains("cfgmaster.cc.test. A: expected [10.2.0.10] at ns2"), f.getMessage());
        assertTrue(f.getMessage().contains("seen [10.1.0.10]"), f.getMessage());
        assertEquals(5, h.pauses.size(), "1 s apart until within (5 s) passed: " + h.pauses);
    }

    @Test
    void verify_laggingSecondaryCatchesUp_passesInALaterRound() throws Exception {
        inRegion2(ns1);
        StepHarness h = harness();
        h.onPause = d -> inRegion2(ns2); // the secondary gets the zone during the first pause
        Applied applied = h.action("check").apply(h.ctx("check"));
        assertTrue(applied.summary().contains("round(s))") && !applied.summary().endsWith("(1 round(s))"), applied.summary());
    }

    @Test
    void verify_silentServer_skippedOnlyInForcedMode() throws Exception {
        int dead;
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            dead = d.getLocalPort();
        }
        inRegion2(ns1);
        StepHarness planned = harness(dead, Map.of());
        StepFailure f = assertThrows(StepFailure.class, () -> planned.action("check").apply(planned.ctx("check")));
        assertTrue(f.getMessage().contains("at ns2"), f.getMessage());

        StepHarness forced = harness(dead, Map.of("mode", "forced"));
        Applied a = forced.action("check").apply(forced.ctx("check"));
        assertTrue(a.summary().startsWith("1 server(s) answer"), a.summary());
        assertTrue(a.summary().contains("skipped, not answering (forced mode): [ns2"), a.summary());
        assertTrue(forced.notices.stream().anyMatch(n -> n.startsWith("skipped DNS server ns2")), forced.notices.toString());
        // evidence: what the answering server served, and the silent one named as skipped (not as expected)
        assertEquals(3, forced.evidence.size(), forced.evidence.toString());
        assertTrue(forced.evidence.get(0).ok() && forced.evidence.get(1).ok(), forced.evidence.toString());
        Evidence skipped = forced.evidence.get(2);
        assertFalse(skipped.ok());
        assertEquals("ns2 (127.0.0.1:" + dead + ")", skipped.target());
        assertTrue(skipped.observed().startsWith("skipped, not answering (forced mode): "), skipped.observed());

        // dns.update's evidence does not ask a silent server for its serial again
        forced.evidence.clear();
        assertTrue(forced.action("flip").verify(forced.ctx("flip")).ok());
        Evidence silent = forced.evidence.get(2);
        assertEquals("ns2 (127.0.0.1:" + dead + ") (secondary) cfgmaster.cc.test. A", silent.target());
        assertTrue(silent.observed().startsWith("no answer: ") && silent.observed().endsWith("; SOA serial not asked (the server did not answer)"),
                silent.observed());
        assertFalse(silent.ok());
    }

    // ------------------------------------------------------------------ dns.ttl

    @Test
    void ttl_lowersKeepingAddresses_revertRestoresTheInventoryTtl() throws Exception {
        StepHarness h = harness();
        Action a = h.action("lower");
        Probe p = a.probe(h.ctx("lower"));
        assertEquals(Probe.State.NEEDED, p.state());
        assertEquals("ttl 30", p.desired());
        assertEquals("previous TTLs: {cfgmaster.cc.test.=PT5M, configdb.cc.test.=PT5M}", a.apply(h.ctx("lower")).summary());
        assertEquals(Optional.of(new ZoneServer.RRset(30, Set.of("10.1.0.10"))), ns1.get("cfgmaster"));
        assertTrue(a.verify(h.ctx("lower")).ok());
        assertTrue(a.probe(h.ctx("lower")).isSatisfied());
        assertEquals(Reverted.done("TTL restored to the inventory's dns.ttl 60s on [cfgmaster.cc.test., configdb.cc.test.]"),
                a.revert(h.ctx("lower")));
        assertEquals(Optional.of(new ZoneServer.RRset(60, Set.of("10.1.0.10"))), ns1.get("cfgmaster"));
    }

    @Test
    void ttl_recordAbsent_refused() throws Exception {
        ns1.put("configdb", 300);
        StepHarness h = harness();
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("lower").apply(h.ctx("lower")));
        assertTrue(f.getMessage().contains("no A records to change the TTL of"), f.getMessage());
    }

    // ------------------------------------------------------------------ dns.flush-cache

    static final String GETENT = "getent ahostsv4 'cfgmaster.cc.test.'";

    /** On {@code host}, cfgmaster resolves to {@code address} (what getent prints). */
    static void resolves(ScriptedRunner host, String address) {
        host.on(c -> c.equals(GETENT), c -> ScriptedRunner.ok(address + "      STREAM cfgmaster.cc.test.\n"));
    }

    /** region2/app, whose inventory declares its dnsmasq: HUP answered with {@code hupOutput}, cfgmaster at {@code address}. */
    static ScriptedRunner region2App(StepHarness h, String hupOutput, String address) {
        ScriptedRunner host = h.host("region2/app");
        host.whenContains("kill -HUP", 0, hupOutput);
        resolves(host, address);
        return host;
    }

    @Test
    void flush_noResolverDeclared_detectsTheCachesFromTheHost_flushesEach_thenResolves() throws Exception {
        StepHarness h = harness();
        Action a = h.action("flush", "region1/app");
        assertEquals(Probe.State.UNKNOWN, a.probe(h.ctx("flush")).state(), "caches are always flushed");
        ScriptedRunner host = h.host("region1/app");
        host.whenContains("resolvectl status", 0, "systemd-resolved\nnscd\n");
        host.on(c -> c.equals("resolvectl flush-caches"), c -> ScriptedRunner.ok(""));
        host.whenContains("nscd -i hosts", 0, "nscd: hosts cache invalidated\n");
        resolves(host, "10.2.0.10");
        Applied applied = a.apply(h.ctx("flush"));
        assertTrue(applied.summary().startsWith("flushed [SYSTEMD_RESOLVED, NSCD]; resolves {cfgmaster.cc.test.=[10.2.0.10]} after 1 round(s)"),
                applied.summary());
        assertEquals(4, host.commands().size(), host.commands().toString());
        assertEquals(List.of(new Evidence("region1/app", "resolve cfgmaster.cc.test.",
                "[10.2.0.10] (flushed [SYSTEMD_RESOLVED, NSCD])", "[10.2.0.10]", true)), h.evidence);
    }

    @Test
    void flush_declaredDnsmasqWithPidFile_noDetection_signalsTheHostsOwnDnsmasq() throws Exception {
        StepHarness h = harness();
        ScriptedRunner host = region2App(h, "dnsmasq pid 42 (/run/dnsmasq/own.pid): HUP\n", "10.2.0.10");
        Applied applied = h.action("flush", "region2/app").apply(h.ctx("flush"));
        assertTrue(applied.summary().startsWith("flushed [DNSMASQ]"), applied.summary());
        assertTrue(host.commandsContaining("resolvectl status").isEmpty(), "the inventory names the cache: nothing detected");
        assertTrue(host.commands().get(0).contains("for f in '/run/dnsmasq/own.pid' "), host.commands().get(0));
    }

    @Test
    void flush_resolverNone_onlyResolves() throws Exception {
        StepHarness h = harness();
        ScriptedRunner host = h.host("region2/gw");
        resolves(host, "10.2.0.10");
        Applied applied = h.action("flush-none").apply(h.ctx("flush-none"));
        assertTrue(applied.summary().startsWith("flushed []"), applied.summary());
        assertEquals(List.of(GETENT), host.commands());
    }

    @Test
    void flush_staleAnswerUntilTheTimeout_retriableFailureNamingExpectedAndSeen_flushedEveryRound() throws Exception {
        StepHarness h = harness();
        ScriptedRunner host = region2App(h, "HUP\n", "10.1.0.10");
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("flush", "region2/app").apply(h.ctx("flush")));
        assertTrue(f.isRetriable(), f.getMessage());
        assertTrue(f.getMessage().contains("cfgmaster.cc.test.: expected [10.2.0.10], seen [10.1.0.10] after 6.0 s and 4 flush(es)"),
                f.getMessage());
        assertEquals(4, host.commandsContaining("kill -HUP").size());
    }

    @Test
    void flush_declaredCacheNotRunning_failsNamingIt() throws Exception {
        StepHarness h = harness();
        h.host("region2/app").whenContains("kill -HUP", 3, "");
        StepFailure f = assertThrows(StepFailure.class, () -> h.action("flush", "region2/app").apply(h.ctx("flush")));
        assertTrue(f.getMessage().contains("flushing dnsmasq failed (exit 3)"), f.getMessage());
    }

    // ------------------------------------------------------------------ dns.key-check

    @Test
    void keyCheck_oneActionPerServer_keyAccepted_reportsSerialAndSkew_observesOnly() throws Exception {
        StepHarness h = harness();
        List<Action> actions = h.actions("key");
        assertEquals(List.of("ns1", "ns2"), actions.stream().map(Action::target).toList());
        Action a = actions.get(0);
        assertFalse(a.changes());
        Probe p = a.probe(h.ctx("key"));
        assertTrue(p.isSatisfied(), p.toString());
        assertTrue(p.current().startsWith("key drctl-update accepted by ns1"), p.current());
        assertTrue(p.current().contains("zone serial 2026010101"), p.current());
        assertTrue(a.verify(h.ctx("key")).ok());
        assertTrue(ns1.updates().isEmpty(), "sends no update");
    }

    @Test
    void keyCheck_figures_serialPerServer_equalWhileInSync_andTheClockSkew() throws Exception {
        StepHarness h = harness();
        for (Action a : h.actions("key")) {
            assertTrue(a.probe(h.ctx("key")).isSatisfied());
        }
        List<Figure> serials = h.figures.stream().filter(f -> f.name().equals("dns_soa_serial")).toList();
        assertEquals(List.of(Figure.of("dns_soa_serial", 2026010101L, "server", "ns1", "zone", "cc.test."),
                Figure.of("dns_soa_serial", 2026010101L, "server", "ns2", "zone", "cc.test.")), serials);
        List<Figure> skews = h.figures.stream().filter(f -> f.name().equals("tsig_clock_skew_seconds")).toList();
        assertEquals(List.of("ns1", "ns2"), skews.stream().map(f -> f.labels().get("server")).toList());
        skews.forEach(f -> assertTrue(Math.abs(f.value()) <= 2, "same clock, whole-second TSIG times: " + f));

        h.figures.clear();
        ns1.close();
        ns1 = new ZoneServer("cc.test.", Optional.of(key(keyText)), Clock.offset(Clock.systemUTC(), Duration.ofSeconds(90)));
        inRegion1(ns1);
        StepHarness later = harness();
        later.action("flip").apply(later.ctx("flip")); // the signed UPDATE goes to the primary, ns1; ns2 has not seen it
        later.actions("key").get(0).probe(later.ctx("key"));
        later.actions("key").get(1).probe(later.ctx("key"));
        Map<String, Double> serial = new java.util.TreeMap<>();
        later.figures.stream().filter(f -> f.name().equals("dns_soa_serial")).forEach(f -> serial.put(f.labels().get("server"), f.value()));
        Figure skew = later.figures.stream().filter(f -> f.name().equals("tsig_clock_skew_seconds") && f.labels().get("server").equals("ns1"))
                .findFirst().orElseThrow();
        assertTrue(skew.value() <= -88 && skew.value() >= -92, "ns1's clock is 90 s ahead: " + skew);
        assertEquals(2026010102L, serial.get("ns1").longValue());
        assertEquals(2026010101L, serial.get("ns2").longValue());
    }

    @Test
    void keyCheck_serverClockAhead_overMaxSkew_needed_verifyFails() throws Exception {
        ns2.close();
        ns2 = new ZoneServer("cc.test.", Optional.of(key(keyText)), Clock.offset(Clock.systemUTC(), Duration.ofSeconds(90)));
        inRegion1(ns2);
        StepHarness h = harness();
        Action a = h.action("key-skew", "ns2");
        Probe p = a.probe(h.ctx("key-skew"));
        assertEquals(Probe.State.NEEDED, p.state(), p.toString());
        assertEquals("key accepted, |skew| <= 1m00s", p.desired());
        assertTrue(p.current().contains("clock skew -1m"), p.current());
        assertFalse(a.verify(h.ctx("key-skew")).ok());
        assertTrue(h.action("key-skew", "ns1").probe(h.ctx("key-skew")).isSatisfied());
    }

    @Test
    void keyCheck_wrongSecret_badSignature_unknownKeyName_badKey_neitherRetriable() throws Exception {
        StepHarness h = harness();
        h.env.put(KEY_VAR, newKey("drctl-update"));
        StepFailure sig = assertThrows(StepFailure.class, () -> h.action("key", "ns1").probe(h.ctx("key")));
        assertFalse(sig.isRetriable());
        assertTrue(sig.getMessage().contains("rejected: bad signature"), sig.getMessage());
        h.env.put(KEY_VAR, newKey("someone-else"));
        StepFailure unknown = assertThrows(StepFailure.class, () -> h.action("key", "ns1").probe(h.ctx("key")));
        assertFalse(unknown.isRetriable());
        assertTrue(unknown.getMessage().contains("the server does not know key 'someone-else'"), unknown.getMessage());
    }

    @Test
    void effects_updateAndTtlChangeRecords_flushChangesCaches_verifyNothing() throws Exception {
        StepHarness h = harness();
        assertEquals(Set.of(Effect.DNS_RECORDS), h.action("flip").effects());
        assertEquals(Set.of(Effect.DNS_RECORDS), h.action("lower").effects());
        assertEquals(Set.of(Effect.RESOLVER_CACHE), h.action("flush", "region2/app").effects());
        assertEquals(Set.of(), h.action("check").effects());
        assertEquals(Set.of(Effect.DNS_RECORDS), new RecordsInOneRegionRule().reads());
    }
}
