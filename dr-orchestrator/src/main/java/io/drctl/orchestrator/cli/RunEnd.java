package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.Explain;
import io.drctl.orchestrator.cli.render.RunSummary;
import io.drctl.orchestrator.engine.RuleEvaluator;
import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The end of a run or resume: its summary, how to go on, and its exit code. */
final class RunEnd {
    private RunEnd() {
    }

    static int report(Ctx ctx, Runs runs, RunResult r) throws IOException {
        summary(ctx, runs, r);
        Explain.runEnd(ctx.err(), r, runs.store().stateDir(), refusals(runs, r));
        return ExitCodes.of(r.status());
    }

    /** A run's summary table, then each promotion's recovery point, and where the run's time went. */
    static void summary(Ctx ctx, Runs runs, RunResult r) throws IOException {
        RunSummary.print(ctx.out(), r);
        java.util.Optional<Path> runDir = runs.store().existing(r.runId());
        if (runDir.isEmpty()) {
            return;
        }
        List<io.drctl.orchestrator.journal.JournalEvent> events = Journal.read(runDir.get().resolve(Journal.FILE));
        io.drctl.orchestrator.cli.render.RunView.rpo(io.drctl.orchestrator.journal.RunState.replay(events))
                .forEach(line -> ctx.out().println("recovery point: " + line));
        ctx.out().println("time: " + io.drctl.orchestrator.journal.TimeBreakdown.of(events).describe());
    }

    /** The safety rules that refused {@code r}, read from its journal; empty unless it was refused. */
    static List<RuleEvaluator.Violation> refusals(Runs runs, RunResult r) throws IOException {
        if (r.status() != Status.REFUSED) {
            return List.of();
        }
        Path runDir = runs.store().existing(r.runId()).orElseThrow();
        return RuleEvaluator.refusals(Journal.read(runDir.resolve(Journal.FILE)));
    }
}
