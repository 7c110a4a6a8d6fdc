package io.drctl.vm;

/** The power state of a VM, reduced to what a failover cares about. */
public enum Power {
    /** Powered on (the guest may still be booting: see {@link GuestWait}). */
    RUNNING,
    /** Powered off or suspended: a start brings it up. */
    STOPPED,
    /** The provider answered but the answer matched neither state. */
    UNKNOWN
}
