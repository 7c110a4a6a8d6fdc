package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.Explain;
import io.drctl.orchestrator.cli.render.RunSummary;
import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.spi.LostTargets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drctl rollback}: reverts a run's changed actions, last completed first. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Revert the completed (changed) actions of a run, in reverse order of completion.",
        footer = {"", "Examples:", "  drctl rollback 20261122T031500Z-full-failover-7f3a",
                "  drctl rollback 20261122T031500Z-full-failover-7f3a --dry-run"})
final class RollbackCommand extends StateCommand {
    @Mixin
    RunParameter run;

    @Option(names = "--dry-run", description = "list what would be reverted; revert nothing")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        Runs runs = runs(dryRun, false, Map.of(), LostTargets.NONE);
        Ctx.findRun(runs.store(), run.id);
        RunResult r = runs.rollback(run.id);
        RunSummary.print(ctx.out(), r);
        if (r.status() == Status.FAILED) {
            Explain.rollbackFailed(ctx.err(), runs.store().stateDir(), run.id);
            return ExitCodes.STEP_FAILED;
        }
        return ExitCodes.OK;
    }
}
