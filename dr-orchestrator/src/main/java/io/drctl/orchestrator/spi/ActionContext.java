package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.model.Inventory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** Everything an action's verbs may use. One context per action attempt. */
public interface ActionContext {

    /** The run id, e.g. {@code 20261122T031500Z-full-failover-7f3a}. */
    String runId();

    String stepId();

    /** 1-based attempt number. */
    int attempt();

    Inventory inventory();

    /** Parameter values in effect. */
    Map<String, String> params();

    /** Command access to inventory hosts. */
    HostAccess hosts();

    Clock clock();

    /** Step deadline and run cancellation. */
    Cancellation cancellation();

    /**
     * Pauses {@code d}, bounded by the step's deadline; a cancelled step surfaces as an interrupt, which is
     * what an adapter's sleeper expects.
     */
    default void pause(java.time.Duration d) throws InterruptedException {
        try {
            cancellation().pause(d);
        } catch (CancelledException e) {
            InterruptedException ie = new InterruptedException(e.getMessage());
            ie.initCause(e);
            throw ie;
        }
    }

    /** Progress lines. */
    StepLog log();

    /**
     * The environment drctl runs in: where secret references ({@code keyEnv}, {@code passwordEnv})
     * are resolved. Values read from it must never be journaled or printed.
     */
    Map<String, String> env();

    /** Operator approvals for this run. */
    Approvals approvals();

    /** The run's directory (journal, approvals), absent in plan mode. */
    Optional<Path> runDir();

    /** Adds a non-secret key/value to the journal entry of this action (e.g. {@code approvedBy}). */
    void note(String key, String value);

    /**
     * Records a number this action observed (journaled as {@code action.observed}): what a check measured,
     * whether it passed or not, so readiness can expose it as a gauge. A later figure with the same name and
     * labels supersedes an earlier one (a retried check reports its last reading). A plan records nothing.
     */
    void observe(Figure figure);

    /**
     * Journals what the action observed while verifying ({@code action.evidence}), for the drill report.
     * Record what the verification already read; never probe again only to have something to record.
     */
    void evidence(Evidence e);

    /**
     * The targets assumed lost ({@code --assume-lost}): never contact them; {@link LostTargets#refuse} records
     * what was skipped. {@link #hosts()} already refuses their SSH sessions.
     */
    default LostTargets lost() {
        return LostTargets.NONE;
    }

    /**
     * Whether this is a dry run (or a plan): probe must then run nothing that is not declared read-only,
     * and say what it skipped.
     */
    default boolean dryRun() {
        return false;
    }
}
