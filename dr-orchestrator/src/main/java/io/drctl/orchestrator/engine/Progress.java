package io.drctl.orchestrator.engine;

/** Live progress: one line per step start and end. Implementations must be thread-safe. */
public interface Progress {
    void stepStarted(String id, String type, int targets);

    void stepFinished(StepOutcome outcome);

    /** Verbose detail lines from actions. */
    default void detail(String step, String target, String line) {
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
