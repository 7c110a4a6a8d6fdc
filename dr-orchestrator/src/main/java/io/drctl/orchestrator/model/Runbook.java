package io.drctl.orchestrator.model;

import io.drctl.orchestrator.yaml.Location;
import io.drctl.orchestrator.yaml.YNode;
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
 * @param rules       safety rules in file order (checked before the first step and between steps)
 */
public record Runbook(String name, Optional<String> description, Map<String, Param> params, List<Step> steps,
                      List<Rule> rules) {
    public Runbook {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        steps = List.copyOf(steps);
        rules = List.copyOf(rules);
    }

    /** A runbook without safety rules. */
    public Runbook(String name, Optional<String> description, Map<String, Param> params, List<Step> steps) {
        this(name, description, params, steps, List.of());
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

    /**
     * A safety rule as written: common keys typed, the rule type's own keys kept as located YAML
     * until parameters are substituted and the type validates them.
     *
     * @param id          unique rule id (what {@code --override-rule} names)
     * @param type        rule type name (see {@code io.drctl.orchestrator.safety.SafetyRules})
     * @param description optional human description
     * @param fields      type-specific keys, unresolved
     * @param location    where the rule starts
     * @param source      the rule as written (for key locations in problems)
     */
    public record Rule(String id, String type, Optional<String> description, Map<String, YNode> fields, Location location,
                       YNode.YMap source) {
        public Rule {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(description, "description");
            fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(source, "source");
        }

        /** Where {@code key}'s value is written, else where the key would be. */
        public Location at(String key) {
            YNode n = source.get(key);
            return n != null ? n.location() : location.child(key);
        }

        /** Where the key {@code key} itself is written. */
        public Location keyAt(String key) {
            return source.entries().containsKey(key) ? source.keyLocation(key) : location.child(key);
        }
    }
}
