package io.drctl.orchestrator.journal;

import java.util.Objects;

/**
 * One action of a run: a step applied to one target ({@code region2/dbms}, {@code cfgmaster},
 * {@code local}).
 */
public record ActionKey(String step, String target) {
    public ActionKey {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(target, "target");
    }

    @Override
    public String toString() {
        return step + " " + target;
    }
}
