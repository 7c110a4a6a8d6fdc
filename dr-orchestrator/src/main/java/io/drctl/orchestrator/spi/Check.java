package io.drctl.orchestrator.spi;

import java.util.Objects;

/**
 * The outcome of evaluating one {@link SafetyRule}: holds, or violated with what was seen.
 *
 * @param ok     true when the rule holds
 * @param detail what was seen, one line (journaled; never secrets)
 */
public record Check(boolean ok, String detail) {
    public Check {
        Objects.requireNonNull(detail, "detail");
        if (detail.isBlank()) {
            throw new IllegalArgumentException("a check needs a detail saying what was seen, got '" + detail + "'");
        }
    }

    /** The rule holds; {@code detail} says what was seen. */
    public static Check ok(String detail) {
        return new Check(true, detail);
    }

    /** The rule is violated; {@code detail} names the target and expected vs seen. */
    public static Check violated(String detail) {
        return new Check(false, detail);
    }
}
