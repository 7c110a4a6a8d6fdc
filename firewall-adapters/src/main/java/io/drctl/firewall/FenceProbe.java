package io.drctl.firewall;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a read-only probe found for one fence on one host.
 *
 * @param fence      the fence asked about
 * @param present    drctl rules that enforce one of the fence's sources (port and source match)
 * @param missing    sources of the fence with no enforcing rule
 * @param unexpected rules tagged with this fence that enforce nothing it asks for (other port or source):
 *                   left by an older fence definition; reported, removed by {@code remove}, never by {@code apply}
 */
public record FenceProbe(Fence fence, List<FirewallRule> present, List<Cidr> missing, List<FirewallRule> unexpected) {
    public FenceProbe {
        Objects.requireNonNull(fence, "fence");
        present = List.copyOf(present);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
    }

    /** Sorts {@code tagged} (every rule carrying the fence's tag) into present / missing / unexpected. */
    public static FenceProbe of(Fence fence, List<FirewallRule> tagged) {
        List<FirewallRule> present = new ArrayList<>();
        List<Cidr> missing = new ArrayList<>();
        for (Cidr c : fence.sources()) {
            List<FirewallRule> hits = tagged.stream().filter(r -> r.enforces(fence, c)).toList();
            if (hits.isEmpty()) {
                missing.add(c);
            }
            present.addAll(hits);
        }
        List<FirewallRule> unexpected = tagged.stream().filter(r -> !present.contains(r)).toList();
        return new FenceProbe(fence, present, missing, unexpected);
    }

    /** Every source of the fence is covered by a rule. */
    public boolean isFenced() {
        return missing.isEmpty();
    }

    /** No rule carrying the fence's tag exists. */
    public boolean isUnfenced() {
        return present.isEmpty() && unexpected.isEmpty();
    }

    /** Every rule carrying the fence's tag. */
    public List<FirewallRule> tagged() {
        List<FirewallRule> all = new ArrayList<>(present);
        all.addAll(unexpected);
        return all;
    }
}
