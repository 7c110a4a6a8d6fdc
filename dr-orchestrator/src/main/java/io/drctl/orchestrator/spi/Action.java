package io.drctl.orchestrator.spi;

/**
 * One concrete unit of work: a step applied to one target. The engine calls the verbs in this order
 * for each attempt: {@link #probe} → (skip if satisfied) {@link #apply} → {@link #verify}; on
 * {@code drctl rollback}, {@link #revert}. Every verb may throw {@link StepFailure} (classified
 * retriable or not), {@link io.drctl.host.HostAccessException} (retriable per its kind) or
 * {@link CancelledException}; other exceptions are treated as non-retriable bugs.
 *
 * <p>Results and error messages are journaled and printed: they must never contain secrets.
 */
public interface Action {

    /**
     * The target, unique within the step and stable across runs: a host reference
     * ({@code region2/dbms}), a record name ({@code cfgmaster}), or {@code local}.
     */
    String target();

    /** What apply does, for plans: {@code "run `pg_ctl promote` as postgres"}. */
    String description();

    /**
     * Reads the current state without side effects and compares it with the desired one.
     * Used by {@code plan} (unless {@code --offline}), before every apply, and on resume.
     * Return {@link Probe#unknown} when this action cannot probe.
     */
    Probe probe(ActionContext ctx) throws Exception;

    /** Makes the change. Idempotent: running it twice leaves the same state. */
    Applied apply(ActionContext ctx) throws Exception;

    /** Proves the outcome from outside (a query, a connection). Called after apply and after a satisfied probe. */
    Verified verify(ActionContext ctx) throws Exception;

    /** Whether {@link #revert} can undo apply. */
    default boolean revertible() {
        return false;
    }

    /** Undoes apply (used by {@code drctl rollback}, in reverse order of completion). */
    default Reverted revert(ActionContext ctx) throws Exception {
        return Reverted.notRevertible(description() + " cannot be undone automatically");
    }
}
