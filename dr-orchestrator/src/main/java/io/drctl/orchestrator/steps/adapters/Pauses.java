package io.drctl.orchestrator.steps.adapters;

import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.CancelledException;
import java.time.Duration;

/** Adapters wait through their own sleeper interfaces; these pauses go through the step's cancellation. */
final class Pauses {
    private Pauses() {
    }

    /** Pauses {@code d}, bounded by the step's deadline; a cancelled step surfaces as an interrupt to the adapter. */
    static void pause(ActionContext ctx, Duration d) throws InterruptedException {
        try {
            ctx.cancellation().pause(d);
        } catch (CancelledException e) {
            InterruptedException ie = new InterruptedException(e.getMessage());
            ie.initCause(e);
            throw ie;
        }
    }
}
