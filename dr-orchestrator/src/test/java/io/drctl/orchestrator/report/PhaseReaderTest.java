package io.drctl.orchestrator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.report.DrillReport.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A failover's journal, written event by event, read into a report phase: evidence, gaps, service restored, provenance. */
class PhaseReaderTest {
    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    final List<JournalEvent> events = new ArrayList<>();

    void at(double seconds, String event, String step, String target, Object... kv) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            data.put((String) kv[i], kv[i + 1]);
        }
        events.add(new JournalEvent(events.size() + 1, T0.plusMillis((long) (seconds * 1000)), event,
                Optional.ofNullable(step), Optional.ofNullable(target), data));
    }

    Object[] evidence(String subject, String observed, boolean ok, int attempt) {
        return new Object[] {"observer", "drctl", "subject", subject, "observed", observed, "expected", "[10.2.0.10]", "ok", ok,
                "attempt", attempt};
    }

    @Test
    void read_retriedVerificationKeepsTheLatestAttempt_gapsLabelled_serviceRestoredAtTheLastServicePathStep() {
        at(0.0, "run.started", null, null, "runbook", "full-failover", "user", "alice@ops1", "params", Map.of("mode", "planned"),
                "runbookSha256", "ab".repeat(32), "inventorySha256", "cd".repeat(32), "drctlVersion", "0.1.0",
                "ruleOverrides", Map.of("one-dbms", "region1 is gone"));
        at(2.0, "rule.checked", null, null, "rule", "one-dbms", "ok", true, "when", "before the first step",
                "detail", "region2/fw reaches region2/dbms [region2/dbms CONNECTED]");
        at(2.5, "step.started", "flip-dns", null, "type", "dns.update", "targets", 1);
        at(3.0, "action.evidence", "flip-dns", "cfgmaster", evidence("ns1 cfgmaster A", "[10.1.0.10]; SOA serial 7", false, 1));
        at(3.1, "action.attempt-failed", "flip-dns", "cfgmaster", "attempt", 1, "error", "not yet", "retriable", true);
        at(4.0, "action.evidence", "flip-dns", "cfgmaster", evidence("ns1 cfgmaster A", "[10.2.0.10]; SOA serial 8", true, 2));
        at(4.1, "action.finished", "flip-dns", "cfgmaster", "status", "SUCCEEDED");
        at(4.2, "step.finished", "flip-dns", null, "status", "SUCCEEDED");
        at(5.2, "rule.checked", null, null, "rule", "one-dbms", "ok", true, "when", "after flip-dns",
                "detail", "region2/fw reaches region2/dbms [region2/dbms CONNECTED]");
        at(5.5, "step.started", "dns-visible", null, "type", "dns.verify", "targets", 1);
        at(6.0, "action.evidence", "dns-visible", "cfgmaster", evidence("ns2 cfgmaster A", "[10.2.0.10]", true, 1));
        at(6.5, "step.finished", "dns-visible", null, "status", "SUCCEEDED");
        at(6.6, "step.started", "report-to-cmdb", null, "type", "exec", "targets", 1);
        at(7.0, "fault.injected", "report-to-cmdb", "region1/cmdb", "assumeLost", "region1");
        at(8.0, "step.finished", "report-to-cmdb", null, "status", "SUCCEEDED");
        at(8.1, "run.finished", null, null, "status", "SUCCEEDED");

        Phase p = PhaseReader.read("failover", "run-1", events, Redactor.none());

        assertEquals(List.of("[10.2.0.10]; SOA serial 8", "[10.2.0.10]"), p.evidence().stream().map(EvidenceRow::observed).toList(),
                "the first attempt's evidence is replaced by the retry's");
        assertEquals(List.of("flip-dns", "dns-visible"), p.evidence().stream().map(EvidenceRow::step).toList());

        assertEquals(List.of("run start → flip-dns", "flip-dns → dns-visible", "dns-visible → report-to-cmdb",
                "report-to-cmdb → run end"), p.gaps().stream().map(g -> g.after() + " → " + g.before()).toList());
        Gap first = p.gaps().get(0);
        assertEquals(Duration.ofSeconds(2), first.rules());
        assertEquals(Duration.ofMillis(500), first.overhead());
        assertEquals("2.5s: safety rules 2.0s (1 evaluation), drctl overhead 500ms", first.label());
        assertEquals(Duration.ofSeconds(1), p.gaps().get(1).rules());
        assertEquals(0, p.gaps().get(2).rulesRun());

        // service restored when dns-visible (the last service-path step) passed, before the run's last step
        assertEquals(Optional.of(T0.plusMillis(6500)), p.serviceRestored());
        assertEquals("dns-visible", p.serviceRestoredBy());
        DrillReport r = DrillReport.of("d", "inv", "region1", "region2", Optional.of(Duration.ofMinutes(15)), List.of(p));
        assertEquals(Optional.of(Duration.ofMillis(6500)), r.serviceRestored());
        assertEquals(Optional.of(Duration.ofMillis(8100)), r.rto());

        RunProvenance v = p.provenance();
        assertEquals(List.of("ab".repeat(32), "cd".repeat(32), "0.1.0", "alice@ops1", "planned"),
                List.of(v.runbookSha256(), v.inventorySha256(), v.drctlVersion(), v.operator(), v.mode()));
        assertEquals(List.of("one-dbms: override allowed (--override-rule), reason \"region1 is gone\"; not needed: the rule held"),
                v.overrides());
        assertEquals(1, p.ruleChecks().size(), "one line per distinct observation");
        assertEquals("before the first step, after flip-dns", p.ruleChecks().get(0).action());
        DrillReport withFault = DrillReport.of("d", "inv", "region1", "region2", Optional.of(Duration.ofMinutes(15)), List.of(p),
                Optional.empty(), new DrillOutcome(List.of("region1/cmdb (host)"), List.of("report-to-cmdb: ssh to region1/cmdb"),
                        List.of(), ""));
        String html = withFault.html();
        assertTrue(html.contains("<section id=\"faults\"><h2>Injected faults</h2>"), "the faults get their own section, once");
        assertEquals(html.indexOf("Injected faults"), html.lastIndexOf("Injected faults"), html);
        assertTrue(html.contains("<li data-fault>region1/cmdb (host)</li>"), html);
    }

    @Test
    void read_journalOfAnOlderDrctl_saysWhatWasNotJournaled_andNoServicePath() {
        at(0.0, "run.started", null, null, "runbook", "old", "user", "bob@ops2", "params", Map.of());
        at(0.1, "step.started", "x", null, "type", "exec");
        at(0.2, "step.finished", "x", null, "status", "SUCCEEDED");
        at(0.25, "rule.checked", null, null, "rule", "one-dbms", "ok", true, "when", "after x", "unchangedSince", "before the first step");
        at(0.3, "run.finished", null, null, "status", "SUCCEEDED");
        Phase p = PhaseReader.read("failover", "run-0", events, Redactor.none());
        assertEquals("holds as before the first step (nothing it reads changed since)", p.ruleChecks().get(0).observed(),
                "a rule left alone because nothing it reads changed");
        assertEquals(RunProvenance.NOT_JOURNALED, p.provenance().runbookSha256());
        assertEquals("(runbook has no mode)", p.provenance().mode());
        assertTrue(p.evidence().isEmpty());
        assertEquals(Optional.empty(), p.serviceRestored());
        DrillReport r = DrillReport.of("d", "inv", "region1", "region2", Optional.empty(), List.of(p));
        assertTrue(r.figures().get("Time to service restored").startsWith("not measured"), r.figures().toString());
        assertFalse(r.html().contains("id=\"faults\""), "no faults, no section");
    }
}
