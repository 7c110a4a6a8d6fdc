package io.drctl.orchestrator.cli.render;

import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.engine.StepOutcome;
import io.drctl.orchestrator.journal.Status;
import java.io.PrintStream;
import java.util.List;

/** The table printed after a run, resume or rollback: one row per step, the run's status, and its best-effort failures. */
public final class RunSummary {
    private RunSummary() {
    }

    public static void print(PrintStream out, RunResult r) {
        out.println();
        out.printf("%-24s %-16s %-14s %7s %7s %9s  %s%n", "STEP", "TYPE", "STATUS", "TARGETS", "CHANGED", "DURATION", "ERROR");
        for (StepOutcome o : r.steps()) {
            out.printf("%-24s %-16s %-14s %7d %7d %9s  %s%n", o.id(), o.type(), o.status(), o.targets(), o.changed(),
                    Durations.format(o.duration()), o.error().orElse(""));
        }
        out.println("run " + r.runId() + ": " + r.status() + " in " + Durations.format(r.duration()));
        if (r.status() == Status.COMPLETED_WITH_FAILURES) {
            List<StepOutcome> failed = r.steps().stream()
                    .filter(o -> !o.status().isSuccessful() && o.status() != Status.SKIPPED).toList();
            out.println("completed with " + failed.size() + " best-effort failure(s) (steps marked onFailure: continue):");
            failed.forEach(o -> out.println("  " + o.id() + ": " + o.status() + o.error().map(e -> ": " + e).orElse("")));
        }
    }
}
