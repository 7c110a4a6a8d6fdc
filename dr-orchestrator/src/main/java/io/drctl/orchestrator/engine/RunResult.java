package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.journal.Status;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The end of a run, resume or rollback.
 *
 * @param runId    the run
 * @param status   SUCCEEDED, WOULD_APPLY (dry run), FAILED, TIMED_OUT, ...
 * @param steps    step outcomes in execution order
 * @param duration wall time of this invocation
 */
public record RunResult(String runId, Status status, List<StepOutcome> steps, Duration duration) {
    public RunResult {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(status, "status");
        steps = List.copyOf(steps);
        Objects.requireNonNull(duration, "duration");
    }
}
