package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.spi.LostTargets;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code drctl resume}: continues a crashed or failed run with the inputs it started with. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue a crashed, failed, refused or rolled-back run: done steps are skipped, the rest re-probed and completed.",
        footer = {"", "An action cut off while applying (drctl killed) is re-probed first; unless the probe shows it done,",
                "a remote one is applied again only after you confirm (prompt, or --yes): it may still be running.",
                "A torn last journal line is repaired (journal.repaired); a journal without run.started is refused.",
                "", "Examples:", "  drctl resume 20261122T031500Z-full-failover-7f3a",
                "  drctl resume 20261122T031500Z-full-failover-7f3a --state-dir /var/lib/drctl --yes"})
final class ResumeCommand extends StateCommand {
    @Mixin
    RunParameter run;

    @Option(names = {"-y", "--yes"}, description = "pre-approve every approval step, and applying again an action whose earlier attempt's fate is unknown")
    boolean yes;

    @Mixin
    OverrideOptions overrides;

    @Override
    public Integer call() throws Exception {
        Runs runs = runs(false, yes, overrides.map(), LostTargets.NONE);
        Ctx.findRun(runs.store(), run.id);
        Optional<RunResult> r = runs.resume(run.id);
        if (r.isEmpty()) {
            ctx.out().println("run " + run.id + " already succeeded; nothing to resume");
            return ExitCodes.OK;
        }
        return RunEnd.report(ctx, runs, r.get());
    }
}
