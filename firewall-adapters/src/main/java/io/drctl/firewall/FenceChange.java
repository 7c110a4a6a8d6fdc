package io.drctl.firewall;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link FirewallBackend#apply} or {@link FirewallBackend#remove}: what was changed and
 * what was already as wanted.
 *
 * @param fence     the fence
 * @param verb      FENCE (apply) or UNFENCE (remove)
 * @param added     rules created by this call (FENCE only)
 * @param removed   rules deleted by this call (UNFENCE only)
 * @param satisfied rules that already existed and were left alone (FENCE), empty for UNFENCE
 * @param persisted true if the rule set was also saved to the host's boot-time rules file
 */
public record FenceChange(Fence fence, Verb verb, List<FirewallRule> added, List<FirewallRule> removed,
                          List<FirewallRule> satisfied, boolean persisted) {

    public enum Verb { FENCE, UNFENCE }

    public FenceChange {
        Objects.requireNonNull(fence, "fence");
        Objects.requireNonNull(verb, "verb");
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        satisfied = List.copyOf(satisfied);
    }

    /** True if the host's rules were modified; false means the fence was already in the wanted state. */
    public boolean changed() {
        return !added.isEmpty() || !removed.isEmpty();
    }

    @Override
    public String toString() {
        return verb + " " + fence.name() + ": " + (changed()
                ? "added " + added.size() + ", removed " + removed.size()
                : "already satisfied") + (satisfied.isEmpty() ? "" : ", kept " + satisfied.size());
    }
}
