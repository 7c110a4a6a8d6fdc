package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.spi.LostTargets;
import java.util.Map;
import picocli.CommandLine.Mixin;

/** A command that reads or writes the state directory: {@code --state-dir}, {@code -o}, {@code -v}. */
abstract class StateCommand extends CtxCommand {
    @Mixin
    SharedOptions shared;

    /** The runs of the state directory. */
    RunStore store() {
        return new RunStore(shared.stateDir(ctx));
    }

    /**
     * A {@link Runs} on the state directory, printing progress lines ({@code -v}: detail lines too), overriding the
     * safety rules in {@code overrides} (rule id to reason), never contacting the targets in {@code lost}.
     */
    Runs runs(boolean dryRun, boolean yes, Map<String, String> overrides, LostTargets lost) {
        return ctx.runs(store(), ctx.options(dryRun, yes, ctx.printer(shared.verbose)).withOverrides(overrides).withLost(lost));
    }
}
