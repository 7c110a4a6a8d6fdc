package io.drctl.orchestrator.spi;

/** The action's deadline passed or the run was cancelled; the action must stop promptly. */
public class CancelledException extends Exception {
    private final boolean timedOut;

    public CancelledException(String message, boolean timedOut) {
        super(message);
        this.timedOut = timedOut;
    }

    /** True when the step's timeout expired (vs. the run being cancelled). */
    public boolean timedOut() {
        return timedOut;
    }
}
