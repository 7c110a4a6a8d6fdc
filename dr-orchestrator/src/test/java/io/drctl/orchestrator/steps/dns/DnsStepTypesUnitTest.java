package io.drctl.orchestrator.steps.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.Evidence;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.steps.StepHarness;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code dns.update}, {@code dns.verify} and {@code dns.ttl} through their public contract, and what each DNS step
 * type changes, against the servers of {@link DnsStepsCase}.
 */
class DnsStepTypesUnitTest extends DnsStepsCase {
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
