package io.drctl.orchestrator.spi;

import java.util.Set;

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

    /**
     * The hosts this action runs commands on over their SSH session (its host; a verification's source hosts): a
     * run opens those sessions in the background before the action needs them. None by default: an action that
     * declares none is never the reason a host is contacted early.
     */
    default java.util.List<io.drctl.orchestrator.config.model.Host> sessions() {
        return java.util.List.of();
    }

    /**
     * Whether {@link #apply} changes the system ({@code db.promote}, {@code firewall.fence}) or only
     * observes it ({@code dns.verify}, {@code wait.tcp}: its "apply" waits or checks). Observing actions
     * never enter rollback, are not counted as changed, run for real in a dry run (they only read), and
     * are cancelled at once when the run aborts; a changing action finishes its current attempt.
     */
    default boolean changes() {
        return true;
    }

    /**
     * What {@link #apply} can change on the site. After a step, the engine re-checks only the safety rules that
     * {@linkplain SafetyRule#reads read} one of these. Default: everything when the action changes something
     * (a site command can do anything), nothing when it only observes. Declare less only when apply cannot
     * touch the rest.
     */
    default Set<Effect> effects() {
        return changes() ? Effect.all() : Set.of();
    }

    /**
     * Whether whatever {@link #apply} started ends when drctl ends (a local command in its own,
     * supervised process group). When false (a command on another host, an API call), an apply cut off
     * by a crash may still be running or may have happened: resume re-probes and, unless the probe is
     * satisfied, asks the operator before applying again ({@code --yes} answers).
     */
    default boolean stopsWithDrctl() {
        return false;
    }

    /** Whether {@link #revert} can undo apply. */
    default boolean revertible() {
        return false;
    }

    /** Undoes apply (used by {@code drctl rollback}, in reverse order of completion). */
    default Reverted revert(ActionContext ctx) throws Exception {
        return Reverted.notRevertible(description() + " cannot be undone automatically");
    }
}
