package io.drctl.host;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A closed set whose constants are named by a word in the inventory, a runbook or a tool's output: by
 * default the constant's name in lower case with {@code _} as {@code -} ({@code WINDOWS_NETSH} is
 * {@code windows-netsh}). One label rule and one lookup for every such enum; a constant whose word
 * differs overrides {@link #label()}.
 */
public interface Labelled {
    /** The constant's name, e.g. {@code WINDOWS_NETSH}. */
    String name();

    /** The word for this constant, e.g. {@code windows-netsh}. */
    default String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Every label of {@code type}, in declaration order. */
    static <E extends Enum<E> & Labelled> List<String> labels(Class<E> type) {
        return EnumSet.allOf(type).stream().map(Labelled::label).toList();
    }

    /** The constant of {@code type} with exactly this label, if any. */
    static <E extends Enum<E> & Labelled> Optional<E> find(Class<E> type, String label) {
        return EnumSet.allOf(type).stream().filter(e -> e.label().equals(label)).findFirst();
    }
}
