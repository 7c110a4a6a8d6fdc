package io.drctl.orchestrator.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.spi.Figure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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

    /** The text with the value of {@code drctl_readiness_last_pass_age_seconds} (it grows with the clock) blanked. */
    static String atAnyAge(String metrics) {
        return metrics.replaceAll("(?m)^(drctl_readiness_last_pass_age_seconds) .*$", "$1 <age>");
    }

    @Test
    void format_passedRun_everyMetricWithHelpTypeAndValue() {
        ReadinessState s = new ReadinessState();
        s.record(result(true));
        Clock later = Clock.fixed(Instant.parse("2026-11-22T04:01:33.250Z"), ZoneOffset.UTC);
        String text = Metrics.format(s, Optional.empty(), later);
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
                # HELP drctl_readiness_last_pass_timestamp_seconds end of the latest readiness run in which every check passed, Unix time in seconds
                # TYPE drctl_readiness_last_pass_timestamp_seconds gauge
                drctl_readiness_last_pass_timestamp_seconds 1795320003.250
                # HELP drctl_readiness_last_pass_age_seconds seconds since the latest readiness run in which every check passed ended
                # TYPE drctl_readiness_last_pass_age_seconds gauge
                drctl_readiness_last_pass_age_seconds 90.000
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

    /** A round whose checks measured what the lab has: a streaming replica, two fence rules, equal serials. */
    static ReadinessResult measured(Instant start, boolean ok) {
        return new ReadinessResult(Optional.of("20261122T040000Z-readiness-cd34"), "runbooks/readiness.yaml", "inventory/lab.yaml",
                start, start.plusMillis(2500), List.of(
                new CheckResult("standby-replica", "db.replica", ok, ok ? "SATISFIED" : "FAILED", "region2/dbms: replica", Duration.ofMillis(900),
                        List.of(Figure.of("replica_streaming", 1, "replica", "region2/dbms"),
                                Figure.of("replica_lag_bytes", ok ? 0 : 40960, "replica", "region2/dbms"),
                                Figure.of("replica_lag_seconds", ok ? 0 : 1.25, "replica", "region2/dbms"))),
                new CheckResult("standby-fenced", "firewall.verify", true, "SUCCEEDED", "region1/mfwk-p saw REFUSED", Duration.ofMillis(1200),
                        List.of(Figure.of("fence_rules", 2, "host", "region2/dbms", "port", "5432"),
                                Figure.of("fence_persisted", 1, "host", "region2/dbms", "port", "5432"))),
                new CheckResult("tsig-key", "dns.key-check", true, "SATISFIED", "ns1: key accepted", Duration.ofMillis(300),
                        List.of(Figure.of("dns_soa_serial", 2026120201L, "server", "ns1", "zone", "cc.lab.test."),
                                Figure.of("tsig_clock_skew_seconds", -1, "server", "ns1"),
                                Figure.of("dns_soa_serial", 2026120201L, "server", "ns2", "zone", "cc.lab.test."),
                                Figure.of("tsig_clock_skew_seconds", 0, "server", "ns2")))),
                Optional.empty());
    }

    @Test
    void format_figures_oneGaugeFamilyPerFigure_samplesLabelledWithTheirCheck() {
        ReadinessState s = new ReadinessState();
        s.record(measured(Instant.parse("2026-11-22T04:00:00Z"), true));
        String text = Metrics.format(s);
        assertContainsAll(text, """
                # HELP drctl_dr_replica_lag_bytes WAL the replica received but has not replayed, in bytes (db.replica check)
                # TYPE drctl_dr_replica_lag_bytes gauge
                drctl_dr_replica_lag_bytes{check="standby-replica",replica="region2/dbms"} 0
                """, """
                # TYPE drctl_dr_replica_lag_seconds gauge
                drctl_dr_replica_lag_seconds{check="standby-replica",replica="region2/dbms"} 0
                """, """
                # TYPE drctl_dr_fence_rules gauge
                drctl_dr_fence_rules{check="standby-fenced",host="region2/dbms",port="5432"} 2
                """, """
                # TYPE drctl_dr_fence_persisted gauge
                drctl_dr_fence_persisted{check="standby-fenced",host="region2/dbms",port="5432"} 1
                """, """
                # TYPE drctl_dr_dns_soa_serial gauge
                drctl_dr_dns_soa_serial{check="tsig-key",server="ns1",zone="cc.lab.test."} 2026120201
                drctl_dr_dns_soa_serial{check="tsig-key",server="ns2",zone="cc.lab.test."} 2026120201
                """, """
                # TYPE drctl_dr_tsig_clock_skew_seconds gauge
                drctl_dr_tsig_clock_skew_seconds{check="tsig-key",server="ns1"} -1
                drctl_dr_tsig_clock_skew_seconds{check="tsig-key",server="ns2"} 0
                """);
        assertEquals(1, text.split("# TYPE drctl_dr_dns_soa_serial ", -1).length - 1, "one family, both servers in it");

        s.record(measured(Instant.parse("2026-11-22T04:05:00Z"), false));
        assertContainsAll(Metrics.format(s),
                "drctl_dr_replica_lag_bytes{check=\"standby-replica\",replica=\"region2/dbms\"} 40960\n",
                "drctl_dr_replica_lag_seconds{check=\"standby-replica\",replica=\"region2/dbms\"} 1.25\n");
    }

    @Test
    void format_sameFigureTwiceInACheck_oneSample_theLastReading() {
        ReadinessState s = new ReadinessState();
        Instant t = Instant.parse("2026-11-22T04:00:00Z");
        s.record(new ReadinessResult(Optional.of("r"), "rb", "inv", t, t.plusSeconds(1), List.of(
                new CheckResult("lag", "db.replica", true, "SATISFIED", "", Duration.ZERO, List.of(
                        Figure.of("replica_lag_bytes", 7, "replica", "a\"b"), Figure.of("replica_lag_bytes", 0, "replica", "a\"b")))),
                Optional.empty()));
        String text = Metrics.format(s);
        assertTrue(text.contains("drctl_dr_replica_lag_bytes{check=\"lag\",replica=\"a\\\"b\"} 0\n"), text);
        assertFalse(text.contains("} 7\n"), text);
    }

    @Test
    void format_lastPass_keptThroughFailedRounds_ageFromTheClock_absentBeforeAnyPass() {
        ReadinessState s = new ReadinessState();
        s.record(result(false));
        Clock now = Clock.fixed(Instant.parse("2026-11-22T05:00:00Z"), ZoneOffset.UTC);
        assertFalse(Metrics.format(s, Optional.empty(), now).contains("last_pass"), "no pass yet: absent, not a made-up age");
        s.record(measured(Instant.parse("2026-11-22T04:00:00Z"), true));
        s.record(measured(Instant.parse("2026-11-22T04:05:00Z"), false));
        String text = Metrics.format(s, Optional.empty(), now);
        assertContainsAll(text, "\ndrctl_readiness_ok 0\n",
                "\ndrctl_readiness_last_pass_timestamp_seconds 1795320002.500\n",
                "\ndrctl_readiness_last_pass_age_seconds 3597.500\n");
    }

    @Test
    void seconds_andValue_textFormatNumbers() {
        assertEquals("-1.500", Metrics.seconds(-1500));
        assertEquals("0.007", Metrics.seconds(7));
        assertEquals("2026120201", Metrics.value(2026120201d));
        assertEquals("0.25", Metrics.value(0.25));
        assertEquals("-90", Metrics.value(-90));
    }

    /** Asserts that {@code text} contains each fragment (the failure shows the whole text). */
    static void assertContainsAll(String text, String... fragments) {
        for (String f : fragments) {
            assertTrue(text.contains(f), text);
        }
    }
}
