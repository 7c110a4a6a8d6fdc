package io.drctl.orchestrator.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where a run's time went, from a journal with known instants. */
class TimeBreakdownTest {
    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    final List<JournalEvent> events = new ArrayList<>();

    void at(double seconds, String event, String step, Map<String, Object> data) {
        events.add(new JournalEvent(events.size() + 1, T0.plusMillis((long) (seconds * 1000)), event,
                Optional.ofNullable(step), Optional.empty(), data));
    }

    @Test
    void of_rulesBetweenSteps_parallelStepsCountOnce_approvalNamed() {
        at(0.0, "run.started", null, Map.of());
        at(2.0, "rule.checked", null, Map.of("rule", "one-dbms"));         // 2 s of rules before the first step
        at(2.1, "rule.checked", null, Map.of("rule", "dns-one-region"));   // +0.1 s
        at(2.2, "step.started", "go", Map.of("type", "approval"));
        at(3.2, "step.finished", "go", Map.of("status", "SUCCEEDED"));    // 1 s waiting for a person
        at(3.5, "rule.checked", null, Map.of("rule", "one-dbms"));         // +0.3 s
        at(3.6, "step.started", "a", Map.of("type", "exec"));
        at(3.6, "step.started", "b", Map.of("type", "exec"));
        at(5.6, "step.finished", "a", Map.of("status", "SUCCEEDED"));
        at(6.6, "step.finished", "b", Map.of("status", "SUCCEEDED"));     // a and b overlap: 3 s of step work
        at(7.0, "rule.violated", null, Map.of("rule", "one-dbms"));        // +0.4 s
        at(7.1, "run.finished", null, Map.of("status", "REFUSED"));
        TimeBreakdown t = TimeBreakdown.of(events);
        assertEquals(Duration.ofMillis(7100), t.total());
        assertEquals(Duration.ofMillis(4000), t.stepWork());
        assertEquals(Duration.ofMillis(1000), t.approvals());
        assertEquals(Duration.ofMillis(2800), t.ruleEvaluations());
        assertEquals(Duration.ofMillis(300), t.overhead());
        assertTrue(t.describe().equals("step work 4.0s (of which waiting for approval 1.0s), safety-rule evaluations 2.8s, drctl overhead 300ms"),
                t.describe());
    }

    @Test
    void of_emptyOrStepless_isAllOverhead() {
        assertEquals(Duration.ZERO, TimeBreakdown.of(List.of()).total());
        at(0.0, "run.started", null, Map.of());
        at(0.5, "run.finished", null, Map.of("status", "SUCCEEDED"));
        TimeBreakdown t = TimeBreakdown.of(events);
        assertEquals(Duration.ofMillis(500), t.overhead());
        assertEquals(Duration.ZERO, t.stepWork());
        assertTrue(!t.describe().contains("approval"), t.describe());
    }
}
