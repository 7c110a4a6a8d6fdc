package io.drctl.vm;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One VM to start as part of a {@link VmFleet}, and what "up" means for its guest.
 *
 * @param vm           the VM
 * @param provider     the provider that controls it
 * @param readiness    checks that must pass after power-on; empty = power state only
 * @param guestTimeout bound for the readiness wait
 */
public record StartRequest(VmRef vm, VmProvider provider, List<ReadinessCheck> readiness, Duration guestTimeout) {
    public StartRequest {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(provider, "provider");
        readiness = List.copyOf(readiness);
        Objects.requireNonNull(guestTimeout, "guestTimeout");
    }
}
