package io.drctl.orchestrator.plan;

import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.SafetyRules;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A runbook resolved into concrete actions, steps in a valid execution order (dependencies first,
 * file order among independent steps).
 *
 * @param loaded the validated input
 * @param steps  steps in execution order
 * @param ruleTypes the safety rule types that evaluate {@code loaded.rules()}
 */
public record Plan(Loaded loaded, List<PlannedStep> steps, SafetyRules ruleTypes) {
    public Plan {
        Objects.requireNonNull(loaded, "loaded");
        Objects.requireNonNull(ruleTypes, "ruleTypes");
        steps = List.copyOf(steps);
    }

    public Optional<PlannedStep> step(String id) {
        return steps.stream().filter(s -> s.spec().id().equals(id)).findFirst();
    }

    /**
     * One step with its actions.
     *
     * @param spec    the resolved step
     * @param type    its step type
     * @param actions one per target, in a stable order
     */
    public record PlannedStep(StepSpec spec, StepType type, List<Action> actions) {
        public PlannedStep {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(type, "type");
            actions = List.copyOf(actions);
        }

        public String id() {
            return spec.id();
        }
    }
}
