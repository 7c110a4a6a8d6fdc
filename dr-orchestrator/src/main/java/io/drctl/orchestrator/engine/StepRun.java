package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Cancellation;
import java.time.Clock;
import java.util.Optional;

/** One step in flight: its deadline, and the run's abort signal as it reaches the step. */
final class StepRun {
    final Plan.PlannedStep step;
    final Cancellation cancel;
    final boolean observing;
    /** In a dry run, why this step's actions cannot be evaluated (it depends on a change the dry run did not make). */
    final Optional<String> dryRunBlocked;
    volatile String aborted;

    StepRun(Plan.PlannedStep step, Optional<String> dryRunBlocked, Clock clock) {
        this.step = step;
        this.cancel = new Cancellation(clock, step.spec().timeout().map(clock.instant()::plus), "step " + step.id());
        this.observing = step.actions().stream().noneMatch(Action::changes);
        this.dryRunBlocked = dryRunBlocked;
    }

    /** The run aborts: an observing step is cancelled at once; a changing one starts no further action or attempt. */
    void abort(String why) {
        aborted = why;
        if (observing) {
            cancel.cancel();
        }
    }
}
