package io.drctl.orchestrator.config.yaml;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Collects every problem found in a pass instead of stopping at the first (jreleaser's Errors). */
public final class Problems {
    private final List<Problem> list = new ArrayList<>();

    public void add(Location at, String message) {
        list.add(new Problem(at, message, Optional.empty()));
    }

    public void add(Location at, String message, String hint) {
        list.add(new Problem(at, message, Optional.ofNullable(hint)));
    }

    public void addAll(Collection<Problem> problems) {
        list.addAll(problems);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public int size() {
        return list.size();
    }

    /** Problems sorted by file, line and column; duplicates dropped. */
    public List<Problem> list() {
        return list.stream().distinct()
                .sorted(Comparator.comparing((Problem p) -> p.location().file())
                        .thenComparingInt(p -> p.location().line())
                        .thenComparingInt(p -> p.location().column()))
                .toList();
    }

    /** Throws {@link InvalidInputException} carrying all problems if there are any. */
    public void throwIfAny() throws InvalidInputException {
        if (!list.isEmpty()) {
            throw new InvalidInputException(list());
        }
    }
}
