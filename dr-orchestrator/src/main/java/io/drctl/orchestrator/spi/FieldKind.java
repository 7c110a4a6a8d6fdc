package io.drctl.orchestrator.spi;

/**
 * The kinds of value a step field takes. The engine converts and checks them (with file:line:column)
 * after {@code ${param}} substitution; {@link StepFields} returns the Java type given here.
 */
public enum FieldKind {
    /** {@code String}. */
    STRING,
    /** {@code List<String>}; a single scalar is a one-element list. */
    STRING_LIST,
    /** {@code Integer}, within the field's {@link FieldSpec#bounds()} when it declares them. */
    INTEGER,
    /** {@code Double}: a finite decimal number, within the field's {@link FieldSpec#bounds()} when it declares them. */
    NUMBER,
    /** {@code String}: one of the field's {@link FieldSpec#values()} (a closed set, e.g. {@code fenced}, {@code open}). */
    ENUM,
    /**
     * {@code String}: a shell command line. {@code ${param}} references are replaced by the value POSIX
     * single-quoted (one literal word), except parameters declared {@code type: command}.
     */
    COMMAND,
    /** {@code Boolean}. */
    BOOLEAN,
    /** {@code java.time.Duration}, written {@code 30s}, {@code 10m}, {@code 1h}. */
    DURATION,
    /** {@code Integer} 1..65535; written as a number or a name from the inventory's {@code ports}. */
    PORT,
    /** {@code List<Host>}: a host selector (see {@code hosts:}); must match at least one host. */
    SELECTOR,
    /** {@code String}: the name of an inventory region. */
    REGION,
    /** {@code List<DnsRecord>}: names of inventory {@code records}. */
    RECORDS,
    /** {@code String}: the name of an inventory named subnet, or a CIDR. */
    SOURCE,
    /** {@code Map<String,String>}: a mapping of scalars (e.g. environment variables). */
    STRING_MAP
}
