package io.drctl.orchestrator.spi;

/** Progress lines from an action, printed (verbose) and kept in the run's log. Never log secrets. */
@FunctionalInterface
public interface StepLog {
    void info(String line);

    StepLog NONE = line -> { };
}
