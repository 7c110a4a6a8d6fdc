package io.drctl.firewall;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a read-only probe found for one fence on one host. A fence is judged by its effect: whatever
 * rule drops or rejects the port from the fence's sources counts ({@link #blocking}), whoever wrote it;
 * drctl's own tagged rules are also sorted into present / missing / unexpected.
 *
 * @param fence       the fence asked about
 * @param present     drctl rules that enforce one of the fence's sources (port and source match)
 * @param missing     sources of the fence with no enforcing drctl rule
 * @param unexpected  rules tagged with this fence that enforce nothing it asks for (other port or source):
 *                    left by an older fence definition; reported, removed by {@code remove}, never by {@code apply}
 * @param inactive    rules tagged with this fence for one of its sources that do not block (shadowed, disabled)
 * @param blocking    every rule, drctl's or not, that drops or rejects the port from (part of) a source, with its exact text
 * @param alsoBlocking rules that block a source on every port (not a fence of this port): reported, never removed
 * @param persistence whether the rules survive a reboot
 */
public record FenceProbe(Fence fence, List<FirewallRule> present, List<Cidr> missing, List<FirewallRule> unexpected,
                         List<FirewallRule> inactive, List<BlockingRule> blocking, List<BlockingRule> alsoBlocking, FencePersistence persistence) {
    public FenceProbe {
        Objects.requireNonNull(fence, "fence");
        present = List.copyOf(present);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        inactive = List.copyOf(inactive);
        blocking = List.copyOf(blocking);
        alsoBlocking = List.copyOf(alsoBlocking);
        Objects.requireNonNull(persistence, "persistence");
    }

    /** A probe of a backend that only knows drctl's tagged rules (Windows): they are the blocking rules. */
    public FenceProbe(Fence fence, List<FirewallRule> present, List<Cidr> missing, List<FirewallRule> unexpected) {
        this(fence, present, missing, unexpected, List.of(), taggedAsBlocking(fence, present), List.of(), FencePersistence.unknown("not read"));
    }

    /** Sorts {@code tagged} (every rule carrying the fence's tag) into present / missing / unexpected. */
    public static FenceProbe of(Fence fence, List<FirewallRule> tagged) {
        return of(fence, tagged, null, List.of(), FencePersistence.unknown("not read"));
    }

    /**
     * Sorts {@code tagged} and keeps {@code blocking} (null: the tagged rules that enforce a source are the
     * only blocking rules known).
     */
    public static FenceProbe of(Fence fence, List<FirewallRule> tagged, List<BlockingRule> blocking, List<BlockingRule> alsoBlocking,
                                FencePersistence persistence) {
        List<FirewallRule> present = new ArrayList<>();
        List<Cidr> missing = new ArrayList<>();
        for (Cidr c : fence.sources()) {
            List<FirewallRule> hits = tagged.stream().filter(r -> r.enforces(fence, c)).toList();
            if (hits.isEmpty()) {
                missing.add(c);
            }
            hits.stream().filter(h -> !present.contains(h)).forEach(present::add);
        }
        List<FirewallRule> unexpected = tagged.stream().filter(r -> fence.sources().stream().noneMatch(c -> r.isFor(fence, c))).toList();
        List<FirewallRule> inactive = tagged.stream().filter(r -> !present.contains(r) && !unexpected.contains(r)).toList();
        return new FenceProbe(fence, present, missing, unexpected, inactive, blocking == null ? taggedAsBlocking(fence, present) : blocking,
                alsoBlocking, persistence);
    }

    private static List<BlockingRule> taggedAsBlocking(Fence fence, List<FirewallRule> present) {
        List<BlockingRule> out = new ArrayList<>();
        int i = 1;
        for (FirewallRule r : present) {
            out.add(new BlockingRule("windows", "any", "", "", i++, r.ref(), r.source(), BlockingRule.Origin.DRCTL, r.active()));
        }
        return out;
    }

    /** A copy with another persistence verdict. */
    public FenceProbe withPersistence(FencePersistence p) {
        return new FenceProbe(fence, present, missing, unexpected, inactive, blocking, alsoBlocking, p);
    }

    /** Every source of the fence is covered by a drctl rule. */
    public boolean isFenced() {
        return missing.isEmpty();
    }

    /** No rule carrying the fence's tag exists. */
    public boolean isUnfenced() {
        return present.isEmpty() && unexpected.isEmpty() && inactive.isEmpty();
    }

    /** Sources not wholly blocked by the effective rules of anyone (together: per-host rules block their subnet). */
    public List<Cidr> unblocked() {
        List<Cidr> blocked = blocking.stream().filter(BlockingRule::effective).map(BlockingRule::source).toList();
        return fence.sources().stream().filter(c -> !c.coveredBy(blocked)).toList();
    }

    /** By effect: every source is dropped or rejected on the port by some effective rule, drctl's or not. */
    public boolean isBlocked() {
        return unblocked().isEmpty();
    }

    /** By effect: no rule of anyone blocks the port from any part of a source, and no rule carries the fence's tag. */
    public boolean isOpen() {
        return blocking.isEmpty() && isUnfenced();
    }

    /** After adding the fence's rules: this probe, else UNEXPECTED_OUTPUT naming the sources still not blocked. */
    FenceProbe requireBlocked(String target) throws FirewallException {
        if (!isBlocked()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "after adding " + fence + " the rules still do not block " + unblocked() + ": " + describe());
        }
        return this;
    }

    /** After removing the rules blocking the fence: this probe, else UNEXPECTED_OUTPUT listing what is still there. */
    FenceProbe requireOpen(String target) throws FirewallException {
        if (!isOpen()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "after removing the rules blocking " + fence + " these are still listed: " + blocking + tagged());
        }
        return this;
    }

    /** drctl's rules of the fence this probe shows and {@code before} did not. */
    List<FirewallRule> addedSince(FenceProbe before) {
        return present.stream().filter(r -> !before.present().contains(r)).toList();
    }

    /** Each listed rule once (an nft rule with a set, or a Windows rule with several remote addresses, blocks several sources). */
    static List<BlockingRule> distinct(List<BlockingRule> rules) {
        List<BlockingRule> out = new ArrayList<>();
        for (BlockingRule r : rules) {
            if (out.stream().noneMatch(o -> o.samePlace(r))) {
                out.add(r);
            }
        }
        return out;
    }

    /** Every rule, drctl's or not, that blocks the port from (part of) a source, each once (shadowed ones included). */
    public List<BlockingRule> blockingRules() {
        return distinct(blocking);
    }

    /** The blocking rules drctl did not write. */
    public List<BlockingRule> foreign() {
        return distinct(blocking).stream().filter(BlockingRule::foreign).toList();
    }

    /** Every rule carrying the fence's tag (inactive ones, e.g. shadowed, included). */
    public List<FirewallRule> tagged() {
        List<FirewallRule> all = new ArrayList<>(present);
        all.addAll(inactive);
        all.addAll(unexpected);
        return all;
    }

    /**
     * One line for plans, checks and readiness: "blocked by 3 rules drctl did not write, 1 drctl rule",
     * "open", "partly blocked (not 10.0.0.0/24)".
     */
    public String describe() {
        if (isOpen()) {
            return "open (no rule blocks tcp/" + fence.port() + " from " + fence.sources() + ")";
        }
        List<BlockingRule> rules = distinct(blocking);
        long foreign = rules.stream().filter(BlockingRule::foreign).count();
        long mine = rules.size() - foreign;
        List<String> parts = new ArrayList<>();
        if (mine > 0) {
            parts.add(mine + " drctl rule(s)");
        }
        if (foreign > 0) {
            parts.add(foreign + " rule(s) drctl did not write");
        }
        if (!unexpected.isEmpty()) {
            parts.add(unexpected.size() + " stale " + fence.tag() + " rule(s)");
        }
        long shadowed = rules.stream().filter(r -> !r.effective()).count();
        String state = isBlocked() ? "fenced" : "partly fenced (not " + unblocked() + ")";
        return state + " by " + String.join(", ", parts) + (shadowed > 0 ? ", " + shadowed + " of them shadowed by an earlier ACCEPT" : "");
    }
}
