package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.journal.Status;

/** The exit codes scripts can rely on. */
public final class ExitCodes {
    private ExitCodes() {
    }

    /** Success (also: a dry run that completed, a validation with no problems). */
    public static final int OK = 0;
    /** Internal error (a bug, or an unexpected I/O failure). */
    public static final int INTERNAL = 1;
    /** Invalid input: bad inventory/runbook/arguments; nothing was run. */
    public static final int INVALID_INPUT = 2;
    /** A step failed; the run is journaled and can be resumed ({@code drctl resume RUN}). */
    public static final int STEP_FAILED = 3;
    /** Refused: the state directory is locked by another run, or a safety check refused. */
    public static final int REFUSED = 4;
    /**
     * The run completed, but best-effort steps ({@code onFailure: continue}) failed, e.g. the old
     * region's DBMS could not be fenced; each is listed in the summary, {@code status} and the drill
     * report, and {@code drctl resume RUN} retries them.
     */
    public static final int BEST_EFFORT_FAILED = 5;

    /** The exit code of a run (or resume, or drill phase) that ended with {@code s}. */
    public static int of(Status s) {
        return switch (s) {
            case REFUSED -> REFUSED;
            case COMPLETED_WITH_FAILURES -> BEST_EFFORT_FAILED;
            default -> s.isSuccessful() ? OK : STEP_FAILED;
        };
    }
}
