package io.drctl.orchestrator.spi;

/** Progress lines from an action, printed (verbose) and kept in the run's log. Never log secrets. */
@FunctionalInterface
public interface StepLog {
    void info(String line);

    /**
     * A line the operator sees even without {@code --verbose}: what the action is about to change that drctl did not
     * make (a site's firewall rule it removes, keeps or restores). Journaled with the action as well.
     */
    default void notice(String line) {
        info(line);
    }

    StepLog NONE = line -> { };
}
