package io.drctl.vm;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** The outcome for one VM of {@link VmFleet#startAll}. */
public sealed interface FleetResult {

    VmRef vm();

    /** True only for {@link Started}. */
    default boolean isSuccessful() {
        return this instanceof Started;
    }

    /**
     * Powered on (or already on) and, when readiness checks were given, the guest passed them.
     *
     * @param guest present when readiness checks were run
     */
    record Started(VmRef vm, PowerResult power, Optional<GuestReady> guest) implements FleetResult {
        public Started {
            Objects.requireNonNull(vm, "vm");
            Objects.requireNonNull(power, "power");
            Objects.requireNonNull(guest, "guest");
        }
    }

    /** Start or readiness wait failed; {@code error.kind()} says why. */
    record Failed(VmRef vm, VmException error) implements FleetResult {
        public Failed {
            Objects.requireNonNull(vm, "vm");
            Objects.requireNonNull(error, "error");
        }
    }

    /** Not finished within the fleet's overall timeout (never started, or cancelled while running). */
    record TimedOut(VmRef vm, Duration timeout) implements FleetResult {
        public TimedOut {
            Objects.requireNonNull(vm, "vm");
            Objects.requireNonNull(timeout, "timeout");
        }
    }
}
