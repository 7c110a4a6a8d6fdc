package io.drctl.orchestrator.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Operator approvals of the current run (TTY prompt, {@code drctl approve RUN STEP}, or {@code --yes}). */
public interface Approvals {

    /** The approval already given for {@code stepId}, if any (read-only; used by probe). */
    Optional<Approval> find(String stepId);

    /**
     * Blocks until an operator approves {@code stepId} or the cancellation fires.
     *
     * @throws StepFailure        when an operator rejects it
     * @throws CancelledException when the step times out or the run is cancelled
     */
    Approval await(String stepId, String message, Cancellation cancellation) throws StepFailure, CancelledException;

    /**
     * @param by  who approved: {@code user@host}
     * @param via {@code tty}, {@code approve-command}, or {@code --yes}
     * @param at  when
     */
    record Approval(String by, String via, Instant at) {
        public Approval {
            Objects.requireNonNull(by, "by");
            Objects.requireNonNull(via, "via");
            Objects.requireNonNull(at, "at");
        }
    }
}
