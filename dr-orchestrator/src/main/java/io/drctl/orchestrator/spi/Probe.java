package io.drctl.orchestrator.spi;

import java.util.Objects;

/**
 * The result of a read-only probe: current vs desired state.
 *
 * @param state   whether the desired state already holds
 * @param current the current state as seen, e.g. {@code "cfgmaster A 10.77.1.10"}
 * @param desired the desired state, e.g. {@code "cfgmaster A 10.77.2.10"}
 */
public record Probe(State state, String current, String desired) {
    public Probe {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(desired, "desired");
    }

    public enum State {
        /** The desired state holds; apply is skipped. */
        SATISFIED,
        /** The desired state does not hold; apply is needed. */
        NEEDED,
        /** This action cannot tell (no probe, or probing is not possible); apply runs. */
        UNKNOWN
    }

    public static Probe satisfied(String current, String desired) {
        return new Probe(State.SATISFIED, current, desired);
    }

    public static Probe needed(String current, String desired) {
        return new Probe(State.NEEDED, current, desired);
    }

    public static Probe unknown(String why) {
        return new Probe(State.UNKNOWN, "unknown (" + why + ")", "");
    }

    public boolean isSatisfied() {
        return state == State.SATISFIED;
    }
}
