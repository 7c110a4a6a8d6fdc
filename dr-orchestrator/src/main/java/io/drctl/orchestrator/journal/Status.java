package io.drctl.orchestrator.journal;

/**
 * The one status of a step or action. The journal replay, resume, rollback and the CLI ask it
 * instead of repeating switches.
 */
public enum Status {
    /** Not started yet. */
    PENDING(false),
    /** Started and not finished (in the journal of a crashed run: in flight). */
    RUNNING(false),
    /** Applied and verified. */
    SUCCEEDED(true),
    /** The probe found the desired state already held; apply skipped, verified. */
    SATISFIED(true),
    /** Dry run: the probe said apply would be needed; nothing was done. */
    WOULD_APPLY(true),
    /** Failed after its attempts. */
    FAILED(false),
    /** The step timeout expired. */
    TIMED_OUT(false),
    /** The run was stopped by a violated safety rule (exit 4); resumable once the rule holds or is overridden. */
    REFUSED(false),
    /** An observing step (a wait, a check) stopped because the run aborted after another step failed. */
    CANCELLED(false),
    /**
     * The run finished, but steps marked {@code onFailure: continue} failed (best-effort failures, e.g.
     * the old region's DBMS could not be fenced); exit code 5, each failure listed.
     */
    COMPLETED_WITH_FAILURES(false),
    /** Not run because a dependency failed or the run was aborted. */
    SKIPPED(false),
    /** Undone by rollback. */
    REVERTED(true),
    /** Rollback could not undo it (no revert). */
    NOT_REVERTIBLE(false);

    private final boolean successful;

    Status(boolean successful) {
        this.successful = successful;
    }

    /** The step or action will not change any more in this run: every status but PENDING and RUNNING. */
    public boolean isTerminal() {
        return this != PENDING && this != RUNNING;
    }

    /** The desired state holds (or, dry run, was assessed). Resume skips these. */
    public boolean isSuccessful() {
        return successful;
    }

    /**
     * The desired state was reached and proven in this run (applied or found satisfied): resume skips
     * it. Unlike {@link #isSuccessful()}, a dry run's WOULD_APPLY and a rollback's REVERTED are not done.
     */
    public boolean isDone() {
        return this == SUCCEEDED || this == SATISFIED;
    }
}
