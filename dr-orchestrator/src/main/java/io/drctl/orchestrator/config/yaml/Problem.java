package io.drctl.orchestrator.config.yaml;

import java.util.Objects;
import java.util.Optional;

/**
 * One validation problem: where, what, and optionally how to fix it.
 *
 * @param location where in which file
 * @param message  what is wrong, quoting the bad value
 * @param hint     a suggestion such as "did you mean `dependsOn`?", or empty
 */
public record Problem(Location location, String message, Optional<String> hint) {
    public Problem {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(hint, "hint");
    }

    /** {@code file:line:col: path: message (hint)}. */
    public String render() {
        String where = location.position() + (location.path().isEmpty() ? "" : ": " + location.path());
        return where + ": " + message + hint.map(h -> " (" + h + ")").orElse("");
    }

    @Override
    public String toString() {
        return render();
    }
}
