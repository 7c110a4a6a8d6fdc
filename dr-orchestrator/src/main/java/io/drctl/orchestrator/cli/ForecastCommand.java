package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.forecast.Forecast;
import io.drctl.orchestrator.plan.Planner;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code drctl forecast}: the expected RTO of a runbook from the durations earlier runs measured; contacts no host. */
@Command(name = "forecast", mixinStandardHelpOptions = true,
        description = {"Forecast a runbook's RTO before running it: each step's median and p90 duration as earlier runs",
                "and drills in the state dir measured it, laid out on the plan's critical path, plus the safety-rule",
                "evaluations, against the inventory's objective. Changes nothing and contacts no host."},
        footer = {"", "Examples:", "  drctl forecast -i inventory/lab.yaml runbooks/full-failover.yaml",
                "  drctl forecast -i inventory/prod.yaml runbooks/full-failover.yaml --state-dir /var/lib/drctl"})
final class ForecastCommand extends StateCommand {
    @Mixin
    InputOptions input;

    @Override
    public Integer call() throws Exception {
        StepTypeRegistry registry = ctx.rt().registry().get();
        Loaded loaded = input.load(ctx, registry);
        Forecast f = Forecast.of(Planner.plan(loaded, registry), store().runsDir());
        ctx.out().println(f.table(loaded.inventory().rto()));
        return ExitCodes.OK;
    }
}
