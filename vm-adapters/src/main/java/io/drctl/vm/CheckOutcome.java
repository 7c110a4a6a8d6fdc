package io.drctl.vm;

import java.util.Objects;
import java.util.Optional;

/**
 * The result of running one {@link ReadinessCheck} once.
 *
 * @param check   {@link ReadinessCheck#describe()}
 * @param problem empty when ready, else why not
 */
public record CheckOutcome(String check, Optional<String> problem) {
    public CheckOutcome {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(problem, "problem");
    }

    public boolean ready() {
        return problem.isEmpty();
    }

    @Override
    public String toString() {
        return check + ": " + problem.orElse("ready");
    }
}
