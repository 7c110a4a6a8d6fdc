package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.StepValidation;
import java.util.List;
import java.util.Set;

/**
 * A kind of runbook safety rule (like an assertion rule in AWS Route 53 ARC): a read-only check of
 * the whole system that the engine evaluates before the first step and between steps. A violation
 * stops the run unless the operator overrides that rule with a reason.
 *
 * <p>A rule type declares its YAML keys exactly like a {@code StepType} (same {@link FieldSpec}
 * kinds, same strict validation with {@code file:line:column} and "did you mean" hints), and
 * evaluates a resolved {@link RuleSpec}. Register in {@link SafetyRules} or list the class in
 * {@code META-INF/services/io.drctl.orchestrator.spi.SafetyRule}. Implementations are stateless
 * and thread-safe. See {@code dr-orchestrator/STEP-TYPES.md} ("Adding a safety rule type").
 */
public interface SafetyRule {

    /** The {@code type:} value in a runbook's {@code rules:}, e.g. {@code single-dbms-reachable}. */
    String name();

    /** One line for docs and the JSON schema. */
    String summary();

    /** Type-specific keys besides {@code id, type, description}; any other key is an error. */
    List<FieldSpec> fields();

    /**
     * Cross-field and inventory checks beyond the field kinds. Report with
     * {@link StepValidation#problem}; do not throw. Called only when every field converted cleanly.
     */
    default void validate(RuleSpec rule, StepValidation validation) {
    }

    /**
     * Evaluates the rule now. Must only read (probe) — never change anything — and must bound
     * every network call. Return {@link Check#violated} with the target and expected vs seen.
     * An exception means "could not evaluate", which the engine treats as a violation (safety
     * cannot be shown), naming the error.
     */
    Check evaluate(RuleSpec rule, RuleContext context) throws Exception;

    /**
     * The hosts an evaluation of {@code rule} runs commands on over SSH: a run opens those sessions in the
     * background before the first evaluation. None by default.
     */
    default java.util.List<io.drctl.orchestrator.config.model.Host> sessions(RuleSpec rule) {
        return java.util.List.of();
    }

    /**
     * What the rule's outcome depends on. After a step that cannot change any of these (see
     * {@link StepType#effects}), the engine does not evaluate the rule again: its last outcome, which held,
     * still holds, and the journal says so. Default: everything (evaluated after every step).
     */
    default Set<Effect> reads() {
        return Effect.all();
    }
}
