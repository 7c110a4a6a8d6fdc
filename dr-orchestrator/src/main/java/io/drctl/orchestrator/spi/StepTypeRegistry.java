package io.drctl.orchestrator.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Step types and safety rule types by name. Thread-safe after construction; register everything before validating. */
public final class StepTypeRegistry {
    private final Map<String, StepType> types = new TreeMap<>();
    private final SafetyRules rules = new SafetyRules();

    /** Adds {@code type}; a second type with the same name is an error. */
    public synchronized StepTypeRegistry register(StepType type) {
        StepType previous = types.putIfAbsent(type.name(), type);
        if (previous != null && previous != type) {
            throw new IllegalArgumentException("step type '" + type.name() + "' registered twice: "
                    + previous.getClass().getName() + " and " + type.getClass().getName());
        }
        return this;
    }

    /** Adds a safety rule type; a second type with the same name is an error. */
    public StepTypeRegistry register(SafetyRule type) {
        rules.register(type);
        return this;
    }

    /** The safety rule types. */
    public SafetyRules rules() {
        return rules;
    }

    /**
     * Adds the extensions: every step type listed in {@code META-INF/services/io.drctl.orchestrator.spi.StepType}
     * and every rule type in {@code META-INF/services/io.drctl.orchestrator.spi.SafetyRule} (a name already
     * registered wins). drctl's own types are listed in code, not here.
     */
    public StepTypeRegistry discover() {
        rules.discover();
        for (StepType t : Extensions.load(StepType.class)) {
            if (!types.containsKey(t.name())) {
                register(t);
            }
        }
        return this;
    }

    public synchronized Optional<StepType> find(String name) {
        return Optional.ofNullable(types.get(name));
    }

    public synchronized Collection<String> names() {
        return Collections.unmodifiableCollection(new java.util.ArrayList<>(types.keySet()));
    }

    public synchronized Collection<StepType> all() {
        return new java.util.ArrayList<>(types.values());
    }
}
