package io.drctl.orchestrator.spi;

/**
 * Safety rule types by name, held by the {@link StepTypeRegistry} (see {@code steps/Builtins} for the
 * built-in list). Thread-safe; register everything before validating.
 */
public final class SafetyRules extends TypesByName<SafetyRule> {

    public SafetyRules() {
        super("rule type", SafetyRule.class, SafetyRule::name);
    }

    /** Adds {@code type}; a second type with the same name is an error. */
    public SafetyRules register(SafetyRule type) {
        add(type);
        return this;
    }

    /** Adds every rule type listed as a service (skipping names already registered). */
    public SafetyRules discover() {
        addExtensions();
        return this;
    }
}
