package io.drctl.orchestrator.steps.support;

import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.StepType;
import java.util.List;
import java.util.Objects;

/**
 * A step type whose name, summary, targets and fields are declared once, in its constructor; what is left to write
 * is what differs from type to type: {@link #validate} and {@link #expand}.
 */
public abstract class DeclaredStepType extends Declared implements StepType {
    private final Targets targets;

    protected DeclaredStepType(String name, Targets targets, String summary, List<FieldSpec> fields) {
        super(name, summary, fields);
        this.targets = Objects.requireNonNull(targets, "targets");
    }

    @Override
    public final Targets targets() {
        return targets;
    }
}
