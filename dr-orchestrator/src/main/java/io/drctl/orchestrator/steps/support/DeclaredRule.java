package io.drctl.orchestrator.steps.support;

import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.SafetyRule;
import java.util.List;

/**
 * A safety rule type whose name, summary and fields are declared once, in its constructor; what is left to write is
 * {@link #validate}, {@link #evaluate} and, when it reads less than everything, {@link #reads}.
 */
public abstract class DeclaredRule extends Declared implements SafetyRule {

    protected DeclaredRule(String name, String summary, List<FieldSpec> fields) {
        super(name, summary, fields);
    }
}
