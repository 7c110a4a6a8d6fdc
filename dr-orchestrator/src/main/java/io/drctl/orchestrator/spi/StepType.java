package io.drctl.orchestrator.spi;

import java.util.List;

/**
 * A kind of runbook step ({@code exec}, {@code dns.update}, ...): declares its own YAML keys,
 * validates them, and expands a resolved step into concrete {@link Action}s (one per target).
 *
 * <p>Register an instance with {@link StepTypeRegistry#register(StepType)}, or list the class in
 * {@code META-INF/services/io.drctl.orchestrator.spi.StepType} (public no-arg constructor) so
 * {@link StepTypeRegistry#discover()} finds it. Implementations are stateless and thread-safe;
 * per-run state lives in the {@link ActionContext}. See {@code dr-orchestrator/STEP-TYPES.md}.
 */
public interface StepType {

    /** The {@code type:} value in runbooks, e.g. {@code wait.tcp}. Lower case, dots for namespaces. */
    String name();

    /** One line for {@code drctl plan} and help output. */
    String summary();

    /**
     * The type-specific keys a step of this type may have, besides the common ones
     * ({@code id, type, description, hosts, dependsOn, timeout, retry, onFailure, parallelism}).
     * Any other key is a validation error. The engine checks presence and kind of each field
     * (after {@code ${param}} substitution) before {@link #validate} is called.
     */
    List<FieldSpec> fields();

    /** Whether steps of this type take {@code hosts:} targets. */
    Targets targets();

    /**
     * Cross-field and inventory checks beyond what {@link #fields()} declares (e.g. "`records`
     * names a record the inventory lacks"). Report each problem with {@link StepValidation#problem};
     * do not throw. Called only when every declared field has the declared kind.
     */
    default void validate(StepSpec step, StepValidation validation) {
    }

    /**
     * The concrete actions of a validated step, in a stable order. Each action's
     * {@link Action#target()} must be unique within the step (it keys the journal on resume).
     * Must not contact any host: planning is offline; contact happens in the action's verbs.
     */
    List<Action> expand(StepSpec step, Expansion expansion);

    /** Whether a step takes {@code hosts:}. */
    enum Targets {
        /** {@code hosts:} is required; expand usually yields one action per host. */
        HOSTS,
        /** {@code hosts:} is allowed but optional (e.g. {@code exec}: local when absent). */
        OPTIONAL_HOSTS,
        /** {@code hosts:} is not allowed (e.g. {@code dns.update} targets records). */
        NONE
    }
}
