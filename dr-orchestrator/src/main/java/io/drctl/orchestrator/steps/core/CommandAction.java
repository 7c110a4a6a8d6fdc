package io.drctl.orchestrator.steps.core;

import io.drctl.host.CommandRunner;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.Verified;

/**
 * An {@code exec} or {@code ssh} action: the step's {@link CommandSpec} verbs, each run through the runner of this
 * action's target (the local machine, or the host over SSH).
 *
 * @param stopsWithDrctl whether what apply starts ends with drctl (a supervised local command)
 * @param runner         the runner one verb uses, asked for at each verb
 */
record CommandAction(String target, String description, boolean stopsWithDrctl, CommandSpec cmd, Runner runner)
        implements Action {

    /** Where a verb's commands run. */
    interface Runner {
        CommandRunner in(ActionContext ctx) throws Exception;
    }

    @Override
    public Probe probe(ActionContext ctx) throws Exception {
        return cmd.probe(runner.in(ctx), ctx);
    }

    @Override
    public Applied apply(ActionContext ctx) throws Exception {
        return cmd.apply(runner.in(ctx), ctx);
    }

    @Override
    public Verified verify(ActionContext ctx) throws Exception {
        return cmd.verify(runner.in(ctx), ctx);
    }

    @Override
    public boolean revertible() {
        return cmd.revert().isPresent();
    }

    @Override
    public Reverted revert(ActionContext ctx) throws Exception {
        return cmd.revert(runner.in(ctx), ctx);
    }
}
