package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.Json;
import io.drctl.orchestrator.cli.render.PlanView;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.engine.PlanProbe;
import io.drctl.orchestrator.plan.Planner;
import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.config.load.Loaded;
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

    PlanCommand(Ctx ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws Exception {
        StepTypeRegistry registry = ctx.rt().registry().get();
        Loaded loaded = Loaded.load(input.inventory(ctx), input.runbook(), input.params(), registry);
        Plan plan = Planner.plan(loaded, registry);
        Redactor redactor = Redactor.of(loaded.inventory(), ctx.rt().env());
        Map<String, PlanProbe.Outcome> probes = offline ? Map.of()
                : PlanProbe.probe(plan, ctx.options(false, false, Progress.NONE), PER_PROBE, redactor);
        PlanView view = new PlanView(loaded, plan, probes, redactor, offline);
        if (shared.json()) {
            ctx.out().println(Json.write(view.toMap()));
        } else {
            view.printText(ctx.out());
        }
        return ExitCodes.OK;
    }
}
