package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.journal.FileApprovals;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.journal.RunStore;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code drctl approve}: records an approval (or rejection) that a waiting run picks up. */
@Command(name = "approve", mixinStandardHelpOptions = true,
        description = "Approve (or reject) an approval step of a waiting run, from any shell.",
        footer = {"", "Examples:", "  drctl approve 20261122T031500Z-full-failover-7f3a go",
                "  drctl approve 20261122T031500Z-full-failover-7f3a go --reject"})
final class ApproveCommand extends StateCommand {
    @Mixin
    RunParameter run;

    @Parameters(index = "1", paramLabel = "STEP")
    String step;

    @Option(names = "--reject", description = "reject instead of approve (the step fails)")
    boolean reject;

    @Override
    public Integer call() throws Exception {
        RunStore store = store();
        Path runDir = Ctx.findRun(store, run.id);
        RunState state = RunState.replay(Journal.read(runDir.resolve(Journal.FILE)));
        Loaded loaded = ctx.runs(store, ctx.options(false, false, Progress.NONE))
                .reload(runDir, state);
        boolean isApproval = loaded.steps().stream().anyMatch(s -> s.id().equals(step) && s.type().equals("approval"));
        if (!isApproval) {
            throw new InvalidArgumentException("run " + run.id + " has no approval step '" + step + "'");
        }
        String who = ctx.rt().user() + "@" + ctx.rt().host();
        FileApprovals.record(runDir, step, who, "approve-command", !reject, ctx.rt().clock().instant());
        ctx.out().println((reject ? "rejected " : "approved ") + run.id + " " + step + " as " + who);
        return ExitCodes.OK;
    }
}
