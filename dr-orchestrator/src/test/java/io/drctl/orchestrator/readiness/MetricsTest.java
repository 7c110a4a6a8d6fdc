package io.drctl.orchestrator.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetricsTest {
    static ReadinessResult result(boolean fencedOk) {
        Instant start = Instant.parse("2026-11-22T04:00:00Z");
        return new ReadinessResult(Optional.of("20261122T040000Z-readiness-ab12"), "runbooks/readiness.yaml", "inventory/lab.yaml",
                start, start.plusMillis(3250), List.of(
                new CheckResult("ssh-standby", "ssh", true, "SUCCEEDED", "region2/dbms: exit 0", Duration.ofMillis(800)),
                new CheckResult("standby-fenced", "firewall.verify", fencedOk, fencedOk ? "SUCCEEDED" : "FAILED",
                        fencedOk ? "region1/mfwk-p saw REFUSED" : "region2/dbms: expected refused, saw ACCEPTED", Duration.ofMillis(1200))),
                Optional.empty());
    }

    @Test
    void format_passedRun_everyMetricWithHelpTypeAndValue() {
        ReadinessState s = new ReadinessState();
        s.record(result(true));
        String text = Metrics.format(s);
        assertEquals("""
                # HELP drctl_readiness_ok 1 when every check of the last readiness run passed, else 0 (0 before the first run)
                # TYPE drctl_readiness_ok gauge
                drctl_readiness_ok 1
                # HELP drctl_readiness_check_ok 1 when the check passed in the last readiness run, else 0
                # TYPE drctl_readiness_check_ok gauge
                drctl_readiness_check_ok{check="ssh-standby",type="ssh"} 1
                drctl_readiness_check_ok{check="standby-fenced",type="firewall.verify"} 1
                # HELP drctl_readiness_last_run_timestamp_seconds end of the last readiness run, Unix time in seconds
                # TYPE drctl_readiness_last_run_timestamp_seconds gauge
                drctl_readiness_last_run_timestamp_seconds 1795320003.250
                # HELP drctl_readiness_duration_seconds wall time of the last readiness run in seconds
                # TYPE drctl_readiness_duration_seconds gauge
                drctl_readiness_duration_seconds 3.250
                # HELP drctl_readiness_runs_total readiness runs finished since the daemon started
                # TYPE drctl_readiness_runs_total counter
                drctl_readiness_runs_total 1
                # HELP drctl_readiness_not_ready_total readiness runs since the daemon started that were not ready
                # TYPE drctl_readiness_not_ready_total counter
                drctl_readiness_not_ready_total 0
                """, text);
    }

    @Test
    void format_failedCheck_overallZeroAndThatCheckZero() {
        ReadinessState s = new ReadinessState();
        s.record(result(true));
        s.record(result(false));
        String text = Metrics.format(s);
        assertContainsAll(text,
                "\ndrctl_readiness_ok 0\n",
                "drctl_readiness_check_ok{check=\"standby-fenced\",type=\"firewall.verify\"} 0\n",
                "drctl_readiness_check_ok{check=\"ssh-standby\",type=\"ssh\"} 1\n",
                "\ndrctl_readiness_runs_total 2\n",
                "\ndrctl_readiness_not_ready_total 1\n");
    }

    @Test
    void format_beforeFirstRun_notOkAndNoPerRunSamples() {
        String text = Metrics.format(new ReadinessState());
        assertContainsAll(text,
                "\ndrctl_readiness_ok 0\n",
                "\ndrctl_readiness_runs_total 0\n");
        assertFalse(text.contains("drctl_readiness_check_ok{"), text);
        assertFalse(text.contains("drctl_readiness_last_run_timestamp_seconds "), text);
    }

    @Test
    void escape_quoteBackslashNewline_escapedPerTextFormat() {
        assertEquals("a\\\"b\\\\c\\nd", Metrics.escape("a\"b\\c\nd"));
    }

    @Test
    void format_roundThatCouldNotRun_notReadyWithoutChecks() {
        ReadinessState s = new ReadinessState();
        Instant t = Instant.parse("2026-11-22T04:00:00Z");
        s.record(ReadinessResult.failedToRun("rb", "inv", t, t.plusSeconds(1), "refused: lock held"));
        String text = Metrics.format(s);
        assertContainsAll(text,
                "\ndrctl_readiness_ok 0\n",
                "# TYPE drctl_readiness_check_ok gauge\n# HELP drctl_readiness_last_run");
    }

    /** Asserts that {@code text} contains each fragment (the failure shows the whole text). */
    static void assertContainsAll(String text, String... fragments) {
        for (String f : fragments) {
            assertTrue(text.contains(f), text);
        }
    }
}
