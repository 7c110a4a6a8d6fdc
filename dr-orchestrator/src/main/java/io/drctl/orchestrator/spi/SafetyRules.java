package io.drctl.orchestrator.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Safety rule types by name, held by the {@link StepTypeRegistry} (see {@code steps/Builtins} for the
 * built-in list). Thread-safe; register everything before validating.
 */
public final class SafetyRules {
    private final Map<String, SafetyRule> types = new TreeMap<>();

    /** Adds {@code type}; a second type with the same name is an error. */
    public synchronized SafetyRules register(SafetyRule type) {
        SafetyRule previous = types.putIfAbsent(type.name(), type);
        if (previous != null && previous != type) {
            throw new IllegalArgumentException("rule type '" + type.name() + "' registered twice: "
                    + previous.getClass().getName() + " and " + type.getClass().getName());
        }
        return this;
    }

    /** Adds every rule type listed as a service (skipping names already registered). */
    public SafetyRules discover() {
        for (SafetyRule t : Extensions.load(SafetyRule.class)) {
            synchronized (this) {
                types.putIfAbsent(t.name(), t);
            }
        }
        return this;
    }

    public synchronized Optional<SafetyRule> find(String name) {
        return Optional.ofNullable(types.get(name));
    }

    public synchronized Collection<String> names() {
        return Collections.unmodifiableCollection(new ArrayList<>(types.keySet()));
    }

    public synchronized Collection<SafetyRule> all() {
        return new ArrayList<>(types.values());
    }
}
