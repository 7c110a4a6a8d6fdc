package io.drctl.vm;

/**
 * Controls the power of VMs on one platform (a vCenter, a hypervisor reached by a CLI, the lab).
 *
 * <p>{@link #start} and {@link #stop} are idempotent: they probe first and send nothing when the VM already is
 * in the desired state ({@link PowerResult.Outcome#ALREADY_SATISFIED}). Implementations are safe for use from
 * several threads.
 */
public interface VmProvider extends AutoCloseable {

    /** Read-only probe of the VM's power state. */
    PowerState status(VmRef vm) throws VmException;

    /** Powers the VM on unless it is running; returns once the provider reports it running. */
    PowerResult start(VmRef vm) throws VmException;

    /** Powers the VM off (hard) unless it is stopped; returns once the provider reports it stopped. */
    PowerResult stop(VmRef vm) throws VmException;

    /** Human-readable endpoint for logs and errors, e.g. {@code vsphere https://vc.example.com}; never a secret. */
    String describe();

    /** Releases sessions and connections; the provider must not be used afterwards. */
    @Override
    default void close() {
    }
}
