package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.engine.Runs;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drctl run}: executes a runbook, journaled and resumable, under the state directory's lock. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Execute a runbook: DAG order, journaled, resumable, under an exclusive lock.",
        footer = {"", "Examples:", "  drctl run -i inventory/lab.yaml runbooks/preflight.yaml",
                "  drctl run inventory/lab.yaml runbooks/preflight.yaml -p region=region2 --yes",
                "  drctl run --dry-run inventory/lab.yaml runbooks/preflight.yaml",
                "  drctl run -i inventory/prod.yaml runbooks/full-failover.yaml \\",
                "      --override-rule one-dbms --reason \"region1 DBMS host powered off, INC-123\"",
                "",
                "Safety rules (runbook `rules:`) are checked before the first step and between steps; a",
                "violation stops the run with exit 4 unless that rule is overridden with a reason."})
final class RunCommand extends StateCommand {
    @Mixin
    InputOptions input;

    @Option(names = "--dry-run", description = "probe only; apply nothing (journaled as a dry run)")
    boolean dryRun;

    @Mixin
    YesOption yes;

    @Mixin
    OverrideOptions overrides;

    RunCommand(Ctx ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws Exception {
        Path stateDir = shared.stateDir(ctx);
        Runs runs = ctx.runs(stateDir, dryRun, yes.yes, shared.verbose, overrides.map());
        RunResult r = runs.run(input.inventory(ctx), input.runbook(), input.params());
        return RunEnd.report(ctx, runs, stateDir, r);
    }
}
