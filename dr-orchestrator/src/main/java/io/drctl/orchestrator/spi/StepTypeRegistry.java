package io.drctl.orchestrator.spi;

/** Step types and safety rule types by name. Thread-safe after construction; register everything before validating. */
public final class StepTypeRegistry extends TypesByName<StepType> {
    private final SafetyRules rules = new SafetyRules();

    public StepTypeRegistry() {
        super("step type", StepType.class, StepType::name);
    }

    /** Adds {@code type}; a second type with the same name is an error. */
    public StepTypeRegistry register(StepType type) {
        add(type);
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
        addExtensions();
        return this;
    }
}
