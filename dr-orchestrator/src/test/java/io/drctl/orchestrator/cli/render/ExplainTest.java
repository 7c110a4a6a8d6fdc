package io.drctl.orchestrator.cli.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drctl.orchestrator.engine.RuleEvaluator.Violation;
import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.journal.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The exact texts drctl prints when a run, a drill phase or a rollback did not simply succeed. */
class ExplainTest {
    private static final Path STATE = Path.of("/var/lib/drctl");
    private static final String RUN = "20261122T031500Z-full-failover-7f3a";
    private static final String RESUME = "./drctl resume " + RUN + " --state-dir /var/lib/drctl";
    private static final List<Violation> ONE_DBMS =
            List.of(new Violation("one-dbms", "single-dbms-reachable", "more than one DBMS accepts TCP 5432"));

    private static RunResult ended(Status s) {
        return new RunResult(RUN, s, List.of(), Duration.ofSeconds(3));
    }

    private static List<String> printed(Consumer<PrintStream> p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        p.accept(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void runEnd_failed_saysResumeWith() {
        assertEquals(List.of("drctl: run failed; fix the cause, then resume with:", "  " + RESUME),
                printed(err -> Explain.runEnd(err, ended(Status.FAILED), STATE, List.of())));
    }

    @Test
    void runEnd_bestEffortFailures_saysResumeRetriesThem() {
        assertEquals(List.of("drctl: run completed with best-effort failures; to retry them, fix the cause, then:", "  " + RESUME),
                printed(err -> Explain.runEnd(err, ended(Status.COMPLETED_WITH_FAILURES), STATE, List.of())));
    }

    @Test
    void runEnd_succeeded_printsNothing() {
        assertEquals(List.of(), printed(err -> Explain.runEnd(err, ended(Status.SUCCEEDED), STATE, List.of())));
    }

    @Test
    void runEnd_refused_namesEachRuleAndTheOverride() {
        assertEquals(List.of(
                        "drctl: refused by safety rule `one-dbms` (single-dbms-reachable): more than one DBMS accepts TCP 5432",
                        "drctl: no further step was started (steps in flight finished); the run is journaled.",
                        "  fix the cause, then:  " + RESUME,
                        "  or, only if you know it is safe (journaled with your name and reason):",
                        "    " + RESUME + " --override-rule one-dbms --reason \"WHY IT IS SAFE\""),
                printed(err -> Explain.runEnd(err, ended(Status.REFUSED), STATE, ONE_DBMS)));
    }

    @Test
    void drillPhase_failoverFailed_saysTheDrillStops() {
        assertEquals(List.of("drctl: failover failed; the drill stops here. Fix the cause, then resume with:", "  " + RESUME),
                printed(err -> Explain.drillPhase(err, "failover", ended(Status.FAILED), true, STATE, List.of())));
    }

    @Test
    void drillPhase_failbackBestEffort_saysResumeWith() {
        assertEquals(List.of("drctl: failback completed with best-effort failures (listed above). Fix the cause, then resume with:",
                        "  " + RESUME),
                printed(err -> Explain.drillPhase(err, "failback", ended(Status.COMPLETED_WITH_FAILURES), false, STATE,
                        List.of())));
    }

    @Test
    void drillPhase_refused_saysWhichPhaseThenTheRefusal() {
        assertEquals("drctl: failback refused by a safety rule.",
                printed(err -> Explain.drillPhase(err, "failback", ended(Status.REFUSED), false, STATE, ONE_DBMS)).get(0));
        assertEquals("drctl: failover refused by a safety rule; the drill stops here.",
                printed(err -> Explain.drillPhase(err, "failover", ended(Status.REFUSED), true, STATE, ONE_DBMS)).get(0));
    }

    @Test
    void rollbackFailed_saysRunItAgain() {
        assertEquals(List.of("drctl: rollback failed; fix the cause and run it again:",
                        "  ./drctl rollback " + RUN + " --state-dir /var/lib/drctl"),
                printed(err -> Explain.rollbackFailed(err, STATE, RUN)));
    }
}
