package io.drctl.orchestrator.spi;

import io.drctl.host.AdapterException;

/**
 * An action failed. The message names the target and says expected vs seen, e.g.
 * {@code "region2/dbms: expected exit 0 from `pg_ctl promote`, got 1: server is not in standby mode"}.
 * Never put secrets in it.
 */
public class StepFailure extends Exception {
    private final boolean retriable;

    public StepFailure(String message, boolean retriable) {
        super(message);
        this.retriable = retriable;
    }

    public StepFailure(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    /**
     * The step failure for an adapter's failure: its message as is (it already names the target and carries the
     * kind's hint), retriable as its kind says, the exception kept as the cause.
     */
    public static StepFailure of(AdapterException e) {
        return new StepFailure(e.getMessage(), e.isRetriable(), e);
    }

    /** Whether another attempt (per the step's {@code retry}) may succeed. */
    public boolean isRetriable() {
        return retriable;
    }
}
