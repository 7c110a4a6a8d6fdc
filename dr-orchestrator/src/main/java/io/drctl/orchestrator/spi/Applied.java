package io.drctl.orchestrator.spi;

import java.util.Objects;

/**
 * What apply did.
 *
 * @param summary one line for the journal and progress output, e.g. {@code "exit 0"}
 * @param output  captured output worth keeping (truncated by the engine before journaling), may be empty
 */
public record Applied(String summary, String output) {
    public Applied {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(output, "output");
    }

    public static Applied of(String summary) {
        return new Applied(summary, "");
    }
}
