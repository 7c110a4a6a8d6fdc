package io.drctl.firewall;

/**
 * One host's firewall, driven through an {@link io.drctl.host.CommandRunner}. Implementations find
 * drctl's rules by the fence's tag and never touch any other rule.
 *
 * <ul>
 *   <li>{@link #probe} is read-only;</li>
 *   <li>{@link #apply} (fence) probes first and adds only the missing rules, so running it twice adds nothing;</li>
 *   <li>{@link #remove} (unfence) deletes exactly the rules that carry the fence's tag, each by its own
 *       exact specification, and nothing else.</li>
 * </ul>
 */
public interface FirewallBackend {

    BackendKind kind();

    /** What a client sees when this backend's fence blocks it; decides what {@link FenceVerifier} expects. */
    BlockBehavior blockBehavior();

    /** Human-readable host and backend, for messages. */
    String describe();

    /**
     * Lists drctl's rules for {@code fence} (found by its tag) and compares them with what it asks for.
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
     * Unfences: removes every rule tagged with the fence (and only those).
     *
     * @throws FirewallException as {@link #probe}
     */
    FenceChange remove(Fence fence) throws FirewallException;
}
