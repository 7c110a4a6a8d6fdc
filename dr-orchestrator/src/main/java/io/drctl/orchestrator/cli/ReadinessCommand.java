package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.cli.render.Json;
import io.drctl.orchestrator.cli.render.ReadinessView;
import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.readiness.Readiness;
import io.drctl.orchestrator.readiness.ReadinessResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code drctl readiness}: runs the readiness runbook (read-only checks) as an ordinary journaled run
 * and prints one line per check and the verdict. Exit 0 when every check passed, 3 otherwise.
 */
@Command(name = "readiness", mixinStandardHelpOptions = true,
        description = {"Check, read-only, that the standby region would take over.",
                "Runs the readiness runbook as a journaled run; prints one line per check (ok/FAIL, what was seen) and the verdict.",
                "Exit 0 when every check passed, 3 otherwise (4: another readiness round is in progress).",
                "Rounds journal into <state-dir>/readiness/ under a lock of their own: an operator's `drctl run`",
                "is never refused because of a readiness round (see past rounds: drctl history --state-dir <state-dir>/readiness)."},
        footer = {"", "Examples:",
                "  drctl readiness -i inventory/lab.yaml",
                "  drctl readiness -i inventory/prod.yaml -p active=region2 -p standby=region1 --output json",
                "  drctl readiness -i inventory/prod.yaml runbooks/readiness.yaml -v"})
final class ReadinessCommand extends StateCommand {
    @Mixin
    ReadinessInput input;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "runbook parameter (repeatable), e.g. standby=region2")
    Map<String, String> params = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Path inv = input.inventory(ctx);
        RunStore store = Readiness.store(shared.stateDir(ctx));
        Progress progress = shared.verbose && !shared.json()
                ? ctx.printer(true) : Progress.NONE;
        Runs runs = ctx.runs(store, ctx.options(false, false, progress));
        ReadinessResult r = ctx.readiness(runs).run(inv, input.runbook, params);
        if (r.error().filter(e -> e.startsWith("refused:")).isPresent()) {
            ctx.err().println("drctl: " + r.error().get());
            return ExitCodes.REFUSED;
        }
        if (shared.json()) {
            ctx.out().println(Json.write(r.toMap()));
        } else {
            ReadinessView.print(ctx.out(), r);
        }
        return r.ok() ? ExitCodes.OK : ExitCodes.STEP_FAILED;
    }
}
