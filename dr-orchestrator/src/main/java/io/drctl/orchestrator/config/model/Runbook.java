package io.drctl.orchestrator.config.model;

import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.YNode;
import java.util.List;
import java.util.Map;
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
    /** This runbook as a forced run runs it: each step's {@code whenForced} applied. */
    public Runbook forced() {
        return new Runbook(name, description, params, steps.stream().map(Step::forced).toList(), rules);
    }

    public Runbook {
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
     * @param type         what values it takes (checked before anything runs)
     * @param differsFrom  another parameter whose value this one must differ from (e.g. {@code to} vs {@code from})
     * @param location     where the default is written (else the parameter), for problems with the default
     */
    public record Param(String name, Optional<String> defaultValue, List<String> allowed, Optional<String> description,
                        ParamType type, Optional<String> differsFrom, Location location) {
        public Param {
            allowed = List.copyOf(allowed);
        }

        /** An untyped ({@link ParamType#STRING}) parameter. */
        public Param(String name, Optional<String> defaultValue, List<String> allowed, Optional<String> description) {
            this(name, defaultValue, allowed, description, ParamType.STRING, Optional.empty(),
                    Location.synthetic("runbook", "params." + name));
        }
    }

    /**
     * What values a parameter takes. Every value is checked before anything runs; in a command
     * ({@code command}, {@code unless}, {@code revert}) it is pasted POSIX single-quoted, one literal word,
     * except for {@link #COMMAND}.
     */
    public enum ParamType {
        /** Any text without control characters (the default). */
        STRING("string"),
        /** A whole number (at most 18 digits, optionally negative). */
        INT("int"),
        /** {@code true} or {@code false}. */
        BOOL("bool"),
        /** The name of a region of the inventory. */
        REGION("region"),
        /** A host of the inventory: {@code region/name}, or a name unique across regions. */
        HOST("host"),
        /**
         * A command line the operator supplies, pasted into commands unquoted (it is meant to be run as
         * shell text): give it only values you would type at a shell yourself.
         */
        COMMAND("command");

        private final String label;

        ParamType(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static List<String> labels() {
            return java.util.Arrays.stream(values()).map(ParamType::label).toList();
        }

        public static Optional<ParamType> find(String label) {
            return java.util.Arrays.stream(values()).filter(t -> t.label.equals(label)).findFirst();
        }
    }

    /**
     * A safety rule as written: common keys typed, the rule type's own keys kept as located YAML
     * until parameters are substituted and the type validates them.
     *
     * @param id          unique rule id (what {@code --override-rule} names)
     * @param type        rule type name (a registered safety rule type)
     * @param description optional human description
     * @param fields      type-specific keys, unresolved
     * @param location    where the rule starts
     * @param source      the rule as written (for key locations in problems)
     */
    public record Rule(String id, String type, Optional<String> description, Map<String, YNode> fields, Location location,
                       YNode.YMap source) implements Sourced {
        public Rule {
            fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
        }
    }
}
