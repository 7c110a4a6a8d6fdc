package io.drctl.orchestrator.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed runbook (before parameter substitution and target resolution).
 *
 * @param name        runbook name
 * @param description what it does, for plans and reports
 * @param params      parameters by name, in file order
 * @param steps       steps in file order
 */
public record Runbook(String name, Optional<String> description, Map<String, Param> params, List<Step> steps) {
    public Runbook {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        steps = List.copyOf(steps);
    }

    public Optional<Step> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /**
     * A runbook parameter.
     *
     * @param name         parameter name, referenced as {@code ${name}}
     * @param defaultValue default, or empty when the operator must give it ({@code -p name=value})
     * @param allowed      allowed values, empty = any
     * @param description  what it means
     */
    public record Param(String name, Optional<String> defaultValue, List<String> allowed, Optional<String> description) {
        public Param {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(defaultValue, "defaultValue");
            allowed = List.copyOf(allowed);
            Objects.requireNonNull(description, "description");
        }
    }
}
