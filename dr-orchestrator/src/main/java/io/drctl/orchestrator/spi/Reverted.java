package io.drctl.orchestrator.spi;

import java.util.Objects;

/**
 * The outcome of revert.
 *
 * @param reverted whether the change was undone (false = not revertible, nothing done)
 * @param detail   what was done, or why nothing could be
 */
public record Reverted(boolean reverted, String detail) {
    public Reverted {
        Objects.requireNonNull(detail, "detail");
    }

    public static Reverted done(String detail) {
        return new Reverted(true, detail);
    }

    public static Reverted notRevertible(String why) {
        return new Reverted(false, why);
    }
}
