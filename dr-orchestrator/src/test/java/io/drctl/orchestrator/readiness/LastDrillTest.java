package io.drctl.orchestrator.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.report.LocalDrill;
import io.drctl.orchestrator.spi.Figure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The last drill of a state directory as {@code drctl drill} wrote it, read back for {@code /metrics}. */
class LastDrillTest {
    @TempDir
    Path tmp;

    @Test
    void read_noDrills_empty() {
        assertEquals(Optional.empty(), LastDrill.read(tmp.resolve("state")));
    }

    @Test
    void read_aPassedDrill_itsVerdictRtoObjectiveAndEnd() throws Exception {
        Path state = tmp.resolve("state");
        LocalDrill.run(tmp, state, "true").assertExit(ExitCodes.OK);
        LastDrill d = LastDrill.read(state).orElseThrow();
        assertTrue(d.drillId().endsWith("-drill"), d.drillId());
        assertTrue(d.passed());
        assertEquals("region1", d.from());
        assertEquals("region2", d.to());
        assertEquals(Optional.of(Duration.ofMinutes(1)), d.objective());
        assertTrue(d.rto().isPresent() && d.rto().get().compareTo(Duration.ofMinutes(1)) < 0, d.toString());
        assertEquals(List.of(), d.rpo(), "exec runbooks promote nothing: no recovery point measured");
        String text = Metrics.format(new ReadinessState(), Optional.of(d), Clock.systemUTC());
        assertTrue(text.contains("\ndrctl_drill_last_success 1\n"), text);
        assertTrue(text.contains("\ndrctl_drill_rto_objective_seconds 60.000\n"), text);
        assertTrue(text.contains("drctl_drill_last_info{drill=\"" + d.drillId() + "\",from=\"region1\",to=\"region2\"} 1\n"), text);
    }

    @Test
    void read_theNewestDrill_aFailedOneSaysSo_andADamagedReportIsPassedOver() throws Exception {
        Path state = tmp.resolve("state");
        LocalDrill.run(tmp, state, "true").assertExit(ExitCodes.OK);
        Thread.sleep(1100); // drill ids have whole seconds
        LocalDrill.run(tmp, state, "exit 7");
        LastDrill d = LastDrill.read(state).orElseThrow();
        assertFalse(d.passed());
        assertTrue(Metrics.format(new ReadinessState(), Optional.of(d), Clock.systemUTC()).contains("\ndrctl_drill_last_success 0\n"));

        Files.writeString(state.resolve("drills").resolve(d.drillId()).resolve("report.json"), "{\"drillId\": ");
        LastDrill earlier = LastDrill.read(state).orElseThrow();
        assertTrue(earlier.passed() && earlier.drillId().compareTo(d.drillId()) < 0, earlier.toString());
    }

    @Test
    void rpoFigures_theLastReadingPerReplicaOfTheFailoversJournal() throws Exception {
        Path runDir = Files.createDirectories(new RunStore(tmp.resolve("state")).runDir("20261202T125759Z-full-failover-f0cf"));
        try (Journal j = Journal.open(runDir, Clock.systemUTC(), Redactor.none())) {
            j.append(EventType.ACTION_OBSERVED, "promote-db", "region2/dbms", Figure.of("rpo_bytes", 4096, "replica", "region2/dbms").toMap());
            j.append(EventType.ACTION_OBSERVED, "promote-db", "region2/dbms", Figure.of("rpo_bytes", 0, "replica", "region2/dbms").toMap());
            j.append(EventType.ACTION_OBSERVED, "promote-db", "region2/dbms", Figure.of("rpo_seconds", 0, "replica", "region2/dbms").toMap());
            j.append(EventType.ACTION_OBSERVED, "check", "region2/dbms", Figure.of("replica_lag_bytes", 9, "replica", "region2/dbms").toMap());
            j.append(EventType.ACTION_NOTE, "promote-db", "region2/dbms", Map.of("key", "rpo", "value", "RPO 0 bytes"));
        }
        assertEquals(List.of(Figure.of("rpo_bytes", 0, "replica", "region2/dbms"), Figure.of("rpo_seconds", 0, "replica", "region2/dbms")),
                LastDrill.rpoFigures(runDir));
    }
}
