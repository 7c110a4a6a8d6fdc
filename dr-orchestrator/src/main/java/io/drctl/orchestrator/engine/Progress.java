package io.drctl.orchestrator.engine;

/** Live progress: one line per step start and end. Implementations must be thread-safe. */
public interface Progress {
    /** A run, resume or rollback begins; {@code headline} says what and where the journal is. */
    default void runStarted(String runId, String headline) {
    }

    void stepStarted(String id, String type, int targets);

    void stepFinished(StepOutcome outcome);

    /** Verbose detail lines from actions. */
    default void detail(String step, String target, String line) {
    }

    /** Lines from actions that are always shown (see {@link io.drctl.orchestrator.spi.StepLog#notice}). */
    default void notice(String step, String target, String line) {
        detail(step, target, line);
    }

    Progress NONE = new Progress() {
        @Override
        public void stepStarted(String id, String type, int targets) {
        }

        @Override
        public void stepFinished(StepOutcome outcome) {
        }
    };
}
