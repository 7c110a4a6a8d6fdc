package io.drctl.orchestrator.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A number an action observed while it checked something: a replica's lag, the rules fencing a port, a
 * zone's SOA serial at one server. Journaled as {@code action.observed}; readiness turns a round's
 * figures into gauges ({@code drctl_dr_<name>}) on {@code /metrics}.
 *
 * @param name   the measured quantity with its base unit last, Prometheus style: {@code replica_lag_bytes},
 *               {@code tsig_clock_skew_seconds}, {@code fence_rules} (a count has no unit)
 * @param labels what it is of: {@code replica=region2/dbms}, {@code server=ns1}; sorted by label name
 * @param value  the number, finite
 */
public record Figure(String name, Map<String, String> labels, double value) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    public Figure {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(labels, "labels");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("figure name '" + name + "' must match " + NAME + " (e.g. replica_lag_bytes)");
        }
        labels.forEach((k, v) -> {
            if (!NAME.matcher(k).matches()) {
                throw new IllegalArgumentException("label name '" + k + "' of figure " + name + " must match " + NAME);
            }
            Objects.requireNonNull(v, () -> "label " + k + " of figure " + name);
        });
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("figure " + name + labels + " must be a finite number, got " + value);
        }
        labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    /** {@code Figure.of("replica_lag_bytes", 0, "replica", "region2/dbms")}: label names and values alternate. */
    public static Figure of(String name, double value, String... labelPairs) {
        if (labelPairs.length % 2 != 0) {
            throw new IllegalArgumentException("figure " + name + ": labels come in name/value pairs, got " + labelPairs.length + " strings");
        }
        Map<String, String> l = new LinkedHashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            l.put(labelPairs[i], labelPairs[i + 1]);
        }
        return new Figure(name, l, value);
    }

    /** Name and labels: two figures with the same key measure the same thing. */
    public String key() {
        return name + labels;
    }

    /** The journal's form: {@code {"name": .., "labels": {..}, "value": ..}}, a whole number written as one. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("labels", labels);
        m.put("value", number(value));
        return m;
    }

    /** {@code v} as a {@code Long} when it is a whole number (written without ".0"), else as itself. */
    public static Number number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Number) (long) v : (Number) v;
    }

    /** Reads {@link #toMap}'s form back (a journal line, a stored result); empty when it is not one. */
    public static Optional<Figure> fromMap(Map<String, ?> m) {
        if (!(m.get("name") instanceof String n) || !(m.get("value") instanceof Number v)) {
            return Optional.empty();
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.get("labels") instanceof Map<?, ?> l) {
            l.forEach((k, x) -> labels.put(String.valueOf(k), String.valueOf(x)));
        }
        try {
            return Optional.of(new Figure(n, labels, v.doubleValue()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
