package io.drctl.orchestrator.steps.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.steps.ScriptedRunner;
import io.drctl.orchestrator.steps.StepHarness;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code dns.flush-cache} (scripted resolver hosts) and {@code dns.key-check} (the servers of {@link DnsStepsCase})
 * through their public contract.
 */
class DnsCacheAndKeyUnitTest extends DnsStepsCase {
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
}
