package io.drctl.vm;

/**
 * What a {@link VmProvider#start(VmRef)} or {@link VmProvider#stop(VmRef)} did.
 *
 * @param vm      the VM
 * @param desired the state that was asked for ({@link Power#RUNNING} or {@link Power#STOPPED})
 * @param outcome whether the provider had to act
 * @param before  the state probed before acting
 * @param after   the state probed after acting (equal to {@code before} when nothing was done)
 */
public record PowerResult(VmRef vm, Power desired, Outcome outcome, PowerState before, PowerState after) {

    /** Whether a power operation was sent. */
    public enum Outcome {
        /** The VM was in another state and the provider changed it. */
        CHANGED,
        /** The VM already was in the desired state; nothing was sent. */
        ALREADY_SATISFIED
    }

    public PowerResult {
        if (desired == Power.UNKNOWN) {
            throw new IllegalArgumentException("desired power state cannot be UNKNOWN (expected RUNNING or STOPPED)");
        }
    }

    public boolean changed() {
        return outcome == Outcome.CHANGED;
    }
}
