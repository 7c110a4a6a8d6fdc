package io.drctl.vm;

import java.util.Objects;

/**
 * A VM's power state as a provider reported it.
 *
 * @param power  the reduced state
 * @param detail the provider's own words: {@code POWERED_ON}, {@code SUSPENDED}, the first line of a status
 *               command's output; never a secret
 */
public record PowerState(Power power, String detail) {
    public PowerState {
        Objects.requireNonNull(power, "power");
        Objects.requireNonNull(detail, "detail");
    }

    public boolean isRunning() {
        return power == Power.RUNNING;
    }

    public boolean isStopped() {
        return power == Power.STOPPED;
    }

    @Override
    public String toString() {
        return detail.isEmpty() ? power.name() : power + " (" + detail + ")";
    }
}
