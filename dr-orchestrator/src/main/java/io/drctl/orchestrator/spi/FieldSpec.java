package io.drctl.orchestrator.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One type-specific key of a step type.
 *
 * @param name        the YAML key
 * @param kind        what value it takes; decides the Java type {@link StepFields} returns
 * @param required    whether a step must have it
 * @param description one line for docs and the JSON schema
 * @param values      {@link FieldKind#ENUM}: the accepted values (the one definition of that closed set); else empty
 * @param bounds      {@link FieldKind#INTEGER} and {@link FieldKind#NUMBER}: the accepted range, if limited
 */
public record FieldSpec(String name, FieldKind kind, boolean required, String description, List<String> values,
                        Optional<Bounds> bounds) {
    public FieldSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
        values = List.copyOf(values);
        Objects.requireNonNull(bounds, "bounds");
        if (!name.matches("[a-z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException("field name must be lowerCamelCase, got '" + name + "'");
        }
        if ((kind == FieldKind.ENUM) == values.isEmpty()) {
            throw new IllegalArgumentException("field '" + name + "': an ENUM field needs values, other kinds none");
        }
        if (bounds.isPresent() && kind != FieldKind.INTEGER && kind != FieldKind.NUMBER) {
            throw new IllegalArgumentException("field '" + name + "': only INTEGER and NUMBER fields have bounds");
        }
    }

    public FieldSpec(String name, FieldKind kind, boolean required, String description) {
        this(name, kind, required, description, List.of(), Optional.empty());
    }

    public static FieldSpec required(String name, FieldKind kind, String description) {
        return new FieldSpec(name, kind, true, description);
    }

    public static FieldSpec optional(String name, FieldKind kind, String description) {
        return new FieldSpec(name, kind, false, description);
    }

    /** An {@link FieldKind#ENUM} field taking one of {@code values}. */
    public static FieldSpec oneOf(String name, boolean required, List<String> values, String description) {
        return new FieldSpec(name, FieldKind.ENUM, required, description, values, Optional.empty());
    }

    /** This (INTEGER or NUMBER) field, accepting only {@code min..max}. */
    public FieldSpec between(double min, double max) {
        return new FieldSpec(name, kind, required, description, values, Optional.of(new Bounds(min, max)));
    }

    /**
     * An inclusive range.
     *
     * @param min smallest accepted value
     * @param max largest accepted value
     */
    public record Bounds(double min, double max) {
        public Bounds {
            if (!(min <= max)) {
                throw new IllegalArgumentException("bounds need min <= max, got " + min + ".." + max);
            }
        }

        public boolean contains(double v) {
            return v >= min && v <= max;
        }

        /** {@code 0..255}, {@code 0..1}: integers without a decimal point. */
        public String render() {
            return show(min) + ".." + show(max);
        }

        private static String show(double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
    }
}
