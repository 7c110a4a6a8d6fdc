package io.drctl.orchestrator.spi;

import java.util.Objects;

/**
 * One type-specific key of a step type.
 *
 * @param name        the YAML key
 * @param kind        what value it takes; decides the Java type {@link StepFields} returns
 * @param required    whether a step must have it
 * @param description one line for docs and the JSON schema
 */
public record FieldSpec(String name, FieldKind kind, boolean required, String description) {
    public FieldSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
        if (!name.matches("[a-z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException("field name must be lowerCamelCase, got '" + name + "'");
        }
    }

    public static FieldSpec required(String name, FieldKind kind, String description) {
        return new FieldSpec(name, kind, true, description);
    }

    public static FieldSpec optional(String name, FieldKind kind, String description) {
        return new FieldSpec(name, kind, false, description);
    }
}
