package io.drctl.orchestrator.steps.support;

import io.drctl.orchestrator.spi.FieldSpec;
import java.util.List;
import java.util.Objects;

/**
 * What a step type and a rule type declare alike, given once to the constructor: the {@code type:} name runbooks
 * use, the one-line summary for plans, docs and the schema, and the type-specific fields. Extended through
 * {@link DeclaredStepType} and {@link DeclaredRule} only.
 */
public abstract class Declared {
    private final String name;
    private final String summary;
    private final List<FieldSpec> fields;

    Declared(String name, String summary, List<FieldSpec> fields) {
        this.name = Objects.requireNonNull(name, "name");
        this.summary = Objects.requireNonNull(summary, "summary");
        this.fields = List.copyOf(fields);
    }

    /** The {@code type:} value in runbooks, e.g. {@code wait.tcp}. */
    public final String name() {
        return name;
    }

    /** One line for {@code drctl plan}, docs and the JSON schema. */
    public final String summary() {
        return summary;
    }

    /** The type-specific keys, in the order docs and the schema list them. */
    public final List<FieldSpec> fields() {
        return fields;
    }
}
