package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.load.Params;
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
                "  drctl run -i inventory/lab.yaml runbooks/full-failover.yaml --mode forced --assume-lost region1/dbms",
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

    @Mixin
    AssumeLostOption assumeLost;

    @Override
    public Integer call() throws Exception {
        Path inventory = input.inventory(ctx);
        Runs runs = runs(dryRun, yes.yes, overrides.map(), assumeLost.lost(inventory, input.params().get(Params.MODE)));
        RunResult r = runs.run(inventory, input.runbook(), input.params());
        return RunEnd.report(ctx, runs, r);
    }
}
