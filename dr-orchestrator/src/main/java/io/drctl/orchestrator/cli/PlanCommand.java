package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.Json;
import io.drctl.orchestrator.cli.render.PlanView;
import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.load.Params;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.engine.PlanProbe;
import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.forecast.Forecast;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.plan.Planner;
import io.drctl.orchestrator.spi.LostTargets;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drctl plan}: the actions a run would take, probed unless offline; changes nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Print the actions a run would take, in execution order, with current vs desired state. Changes nothing.",
        footer = {"", "Examples:", "  drctl plan --offline inventory/example.yaml runbooks/preflight.yaml",
                "  drctl plan -i inventory/lab.yaml runbooks/preflight.yaml -p region=region2 --output json"})
final class PlanCommand extends StateCommand {
    private static final Duration PER_PROBE = Duration.ofSeconds(15);

    @Mixin
    InputOptions input;

    @Option(names = "--offline", description = "do not probe targets (no host is contacted)")
    boolean offline;

    @Mixin
    AssumeLostOption assumeLost;

    @Override
    public Integer call() throws Exception {
        StepTypeRegistry registry = ctx.rt().registry().get();
        LostTargets lost = assumeLost.lost(input.inventory(ctx), input.params().get(Params.MODE));
        Loaded loaded = input.load(ctx, registry);
        Plan plan = Planner.plan(loaded, registry);
        Redactor redactor = Redactor.of(loaded.inventory(), ctx.rt().env());
        Map<String, PlanProbe.Outcome> probes = offline ? Map.of()
                : PlanProbe.probe(plan, ctx.options(false, false, Progress.NONE).withLost(lost), PER_PROBE, redactor);
        PlanView view = new PlanView(loaded, plan, probes, redactor, offline);
        Forecast forecast = Forecast.of(plan, store().runsDir());
        if (shared.json()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>(view.toMap());
            m.put("forecast", Map.of("medianMs", forecast.median().toMillis(), "p90Ms", forecast.p90().toMillis(),
                    "earlierRuns", forecast.runsRead()));
            ctx.out().println(Json.write(m));
        } else {
            view.printText(ctx.out());
            if (forecast.runsRead() > 0) {
                ctx.out().println("forecast RTO: " + Durations.format(forecast.median(), Durations.Style.COMPACT) + " (p90 "
                        + Durations.format(forecast.p90(), Durations.Style.COMPACT) + ") from " + forecast.runsRead()
                        + " earlier run(s); per step: drctl forecast");
            }
        }
        return ExitCodes.OK;
    }
}
