package io.drctl.firewall;

import java.util.List;

/**
 * One host's firewall, driven through an {@link io.drctl.host.CommandRunner}. A fence is judged by its
 * effect: any rule that drops or rejects the fence's port from its sources counts, whoever wrote it.
 *
 * <ul>
 *   <li>{@link #probe} is read-only: drctl's tagged rules, every blocking rule with its origin and exact text,
 *       and whether the rules survive a reboot;</li>
 *   <li>{@link #apply} (fence) probes first and adds only what is missing, ahead of any ACCEPT that would let
 *       the traffic in, so running it twice adds nothing;</li>
 *   <li>{@link #remove} (unfence) deletes every rule that blocks the fence's sources on its port, whoever wrote
 *       it, each by its own exact specification, after telling the {@link RemovalJournal} what it will delete;</li>
 *   <li>{@link #restore} puts rules removed by {@link #remove} back verbatim, in the same chain and position.</li>
 * </ul>
 */
public interface FirewallBackend {

    BackendKind kind();

    /** What a client sees when this backend's fence blocks it; decides what {@link FenceVerifier} expects. */
    BlockBehavior blockBehavior();

    /** Human-readable host and backend, for messages. */
    String describe();

    /**
     * Lists the rules that block {@code fence}'s port from its sources and drctl's tagged rules.
     *
     * @throws FirewallException HOST_UNREACHABLE, PERMISSION_DENIED, BACKEND_MISSING, COMMAND_FAILED, UNEXPECTED_OUTPUT
     */
    FenceProbe probe(Fence fence) throws FirewallException;

    /**
     * Fences: adds the rules that are missing, after {@code guard} accepted the fence.
     *
     * @throws FirewallException LOCKOUT_REFUSED before any command when the guard refuses; else as {@link #probe}
     */
    FenceChange apply(Fence fence, LockoutGuard guard) throws FirewallException;

    /**
     * Unfences: removes every rule that blocks the fence's sources on its port (and every rule tagged with the fence).
     *
     * @param journal told the exact rules before the first is deleted
     * @throws FirewallException as {@link #probe}
     */
    FenceChange remove(Fence fence, RemovalJournal journal) throws FirewallException;

    /** {@link #remove(Fence, RemovalJournal)} without a journal. */
    default FenceChange remove(Fence fence) throws FirewallException {
        return remove(fence, RemovalJournal.NONE);
    }

    /**
     * Puts back rules an earlier {@link #remove} deleted, verbatim, each in its chain at its listed position
     * (rules still present are left alone).
     *
     * @throws FirewallException COMMAND_FAILED when this backend cannot restore rules; else as {@link #probe}
     */
    default FenceChange restore(Fence fence, List<BlockingRule> rules) throws FirewallException {
        throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, describe(),
                "restoring removed rules verbatim is not supported by " + kind());
    }
}
