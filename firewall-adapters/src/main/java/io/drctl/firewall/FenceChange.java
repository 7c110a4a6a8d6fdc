package io.drctl.firewall;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link FirewallBackend#apply}, {@link FirewallBackend#remove} or {@link FirewallBackend#restore}:
 * what was changed and what was already as wanted.
 *
 * @param fence        the fence
 * @param verb         FENCE (apply), UNFENCE (remove) or RESTORE
 * @param added        drctl rules created by this call (FENCE only)
 * @param removed      drctl-tagged rules deleted by this call (UNFENCE only)
 * @param satisfied    rules that already existed and were left alone (FENCE), empty for UNFENCE
 * @param removedRules every rule deleted by this call, drctl's or not, with its exact text (UNFENCE); rules put back (RESTORE)
 * @param persistence  whether the resulting rules survive a reboot (written to the host's boot-time rules, or why not)
 * @param notes        other effects worth reporting, e.g. "conntrack: 2 flow entries deleted"
 */
public record FenceChange(Fence fence, Verb verb, List<FirewallRule> added, List<FirewallRule> removed,
                          List<FirewallRule> satisfied, List<BlockingRule> removedRules, FencePersistence persistence,
                          List<String> notes) {

    public enum Verb { FENCE, UNFENCE, RESTORE }

    public FenceChange {
        Objects.requireNonNull(fence, "fence");
        Objects.requireNonNull(verb, "verb");
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        satisfied = List.copyOf(satisfied);
        removedRules = List.copyOf(removedRules);
        Objects.requireNonNull(persistence, "persistence");
        notes = List.copyOf(notes);
    }

    /** A change of a backend that knows only drctl's tagged rules. */
    public FenceChange(Fence fence, Verb verb, List<FirewallRule> added, List<FirewallRule> removed,
                       List<FirewallRule> satisfied, FencePersistence persistence) {
        this(fence, verb, added, removed, satisfied, List.of(), persistence, List.of());
    }

    /** True if the host's rules were modified; false means the fence was already in the wanted state. */
    public boolean changed() {
        return !added.isEmpty() || !removed.isEmpty() || !removedRules.isEmpty();
    }

    /** True if the rules now in effect were also written where the host restores them at boot (or the firewall keeps them). */
    public boolean persisted() {
        return persistence.state() == FencePersistence.State.SAVED || persistence.state() == FencePersistence.State.BUILT_IN;
    }

    /** The rules this call deleted that drctl did not write. */
    public List<BlockingRule> removedForeign() {
        return removedRules.stream().filter(BlockingRule::foreign).toList();
    }

    @Override
    public String toString() {
        String what = switch (verb) {
            case FENCE -> changed() ? "added " + added.size() : "already satisfied";
            case UNFENCE -> changed() ? "removed " + Math.max(removed.size(), removedRules.size())
                    + (removedForeign().isEmpty() ? "" : " (" + removedForeign().size() + " drctl did not write)") : "already satisfied";
            case RESTORE -> "restored " + removedRules.size();
        };
        boolean fenced = verb != Verb.UNFENCE;
        return verb + " " + fence.name() + ": " + what + (satisfied.isEmpty() ? "" : ", kept " + satisfied.size())
                + "; " + persistence.describe(fence, fenced) + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
    }
}
