package io.drctl.orchestrator.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.spi.Figure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} as Prometheus's own tool reads it: {@code promtool check metrics} must accept every shape the
 * text takes (before the first round, a round that could not run, a measured round with every DR gauge, the last
 * drill) with exit 0 and not one lint warning. Fails, never skips, without promtool.
 */
class MetricsPromtoolTest {
    static final Clock NOW = Clock.fixed(Instant.parse("2026-11-22T04:10:00Z"), ZoneOffset.UTC);

    static LastDrill drill(boolean passed) {
        return new LastDrill("20261122T031500Z-drill", "region1", "region2", passed, Instant.parse("2026-11-22T03:16:02.5Z"),
                Optional.of(Duration.ofMillis(20135)), Optional.of(Duration.ofMinutes(15)),
                List.of(Figure.of("rpo_bytes", 0, "replica", "region2/dbms"), Figure.of("rpo_seconds", 0, "replica", "region2/dbms")));
    }

    @Test
    void beforeTheFirstRound_clean() throws Exception {
        Promtool.assertClean(Metrics.format(new ReadinessState(), Optional.empty(), NOW));
    }

    @Test
    void roundThatCouldNotRun_clean() throws Exception {
        ReadinessState s = new ReadinessState();
        Instant t = Instant.parse("2026-11-22T04:00:00Z");
        s.record(ReadinessResult.failedToRun("rb", "inv", t, t.plusSeconds(1), "refused: lock held"));
        Promtool.assertClean(Metrics.format(s, Optional.empty(), NOW));
    }

    @Test
    void measuredRounds_everyDrGauge_andTheLastDrill_clean() throws Exception {
        ReadinessState s = new ReadinessState();
        s.record(MetricsTest.measured(Instant.parse("2026-11-22T04:00:00Z"), true));
        s.record(MetricsTest.measured(Instant.parse("2026-11-22T04:05:00Z"), false));
        String text = Metrics.format(s, Optional.of(drill(true)), NOW);
        for (String family : List.of("drctl_dr_replica_streaming", "drctl_dr_replica_lag_bytes", "drctl_dr_replica_lag_seconds",
                "drctl_dr_fence_rules", "drctl_dr_fence_persisted", "drctl_dr_dns_soa_serial", "drctl_dr_tsig_clock_skew_seconds",
                "drctl_readiness_last_pass_timestamp_seconds", "drctl_readiness_last_pass_age_seconds", "drctl_drill_last_info",
                "drctl_drill_last_success", "drctl_drill_last_timestamp_seconds", "drctl_drill_last_rto_seconds",
                "drctl_drill_rto_objective_seconds", "drctl_drill_last_rpo_bytes", "drctl_drill_last_rpo_seconds")) {
            assertTrue(text.contains("\n# TYPE " + family + " gauge\n"), family + " missing in:\n" + text);
        }
        Promtool.assertClean(text);
        Promtool.assertClean(Metrics.format(s, Optional.of(drill(false)), NOW));
    }

    @Test
    void labelValuesThatNeedEscaping_andAFigureWithoutItsOwnHelp_clean() throws Exception {
        ReadinessState s = new ReadinessState();
        Instant t = Instant.parse("2026-11-22T04:00:00Z");
        s.record(new ReadinessResult(Optional.of("r"), "rb", "inv", t, t.plusSeconds(1), List.of(
                new CheckResult("odd \"check\"\\\n", "x.check", true, "SATISFIED", "", Duration.ZERO, List.of(
                        Figure.of("widget_temperature_celsius", 21.5, "server", "a\"b\\c\nd"),
                        Figure.of("replica_lag_seconds", 0.000125, "replica", "r2/db")))),
                Optional.empty()));
        String text = Metrics.format(s, Optional.empty(), NOW);
        assertTrue(text.contains("drctl_dr_replica_lag_seconds{check=\"odd \\\"check\\\"\\\\\\n\",replica=\"r2/db\"} 1.25E-4\n"), text);
        Promtool.assertClean(text);
    }

    @Test
    void promtool_rejectsWhatIsWrong_soACleanVerdictMeansSomething() throws Exception {
        Promtool.Verdict lint = Promtool.check("# HELP drctl_x_total a counter\n# TYPE drctl_x_total gauge\ndrctl_x_total 1\n");
        assertTrue(lint.exit() != 0 || !lint.output().isBlank(), "a gauge named _total is linted: " + lint);
        Promtool.Verdict broken = Promtool.check("drctl_x{a=\"unterminated} 1\n");
        assertEquals(true, broken.exit() != 0, "a syntax error fails: " + broken);
    }
}
