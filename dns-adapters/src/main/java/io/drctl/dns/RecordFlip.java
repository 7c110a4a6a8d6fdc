package io.drctl.dns;

import java.util.Collection;
import java.util.Set;

/**
 * Move one name's A RRset from the addresses it is expected to hold to new ones.
 *
 * @param name the FQDN, e.g. {@code cfgmaster.cc.lab.test.}
 * @param from the whole RRset expected now (empty = the name must have no A records)
 * @param to   the whole RRset wanted (must not be empty)
 */
public record RecordFlip(String name, Set<String> from, Set<String> to) {
    public RecordFlip {
        name = DnsNames.fqdn(name);
        from = DnsNames.ipv4Set(from, name + " from");
        to = DnsNames.ipv4Set(to, name + " to");
        if (to.isEmpty()) {
            throw new IllegalArgumentException(name + ": the target RRset is empty (deleting records is not a flip)");
        }
    }

    /** One address to one address. */
    public static RecordFlip of(String name, String from, String to) {
        return new RecordFlip(name, Set.of(from), Set.of(to));
    }

    public static RecordFlip of(String name, Collection<String> from, Collection<String> to) {
        return new RecordFlip(name, Set.copyOf(from), Set.copyOf(to));
    }

    /** The flip back; a record that was created (empty {@code from}) cannot be flipped back. */
    public RecordFlip reversed() {
        if (from.isEmpty()) {
            throw new IllegalStateException(name + ": the flip created the record; deleting it is not a flip back");
        }
        return new RecordFlip(name, to, from);
    }

    @Override
    public String toString() {
        return name + " A " + DnsNames.show(from) + " -> " + DnsNames.show(to);
    }
}
