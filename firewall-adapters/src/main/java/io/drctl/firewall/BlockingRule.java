package io.drctl.firewall;

/**
 * A rule on a host that drops or rejects a fence's port from (part of) one of its sources, whoever
 * wrote it: drctl (tagged with the fence) or anyone else ("foreign": a hand-made rule from the reference
 * architecture's manual procedure, another tool, another fence). Its {@link #text} is exactly as the
 * host listed it, so removing it and putting it back restores the host's rules byte for byte.
 *
 * @param backend   {@code iptables}, {@code nft} or {@code windows} (which tool restores it)
 * @param family    {@code ipv4}/{@code ipv6} for iptables; the nft table family ({@code ip}, {@code ip6}, {@code inet})
 * @param table     iptables table ({@code filter}) or nft table name
 * @param chain     the chain the rule is in ({@code INPUT}, or a chain INPUT jumps to; nft: a chain hooked at input
 *                  or one it jumps to; Windows: {@code inbound})
 * @param position  1-based position in that chain when listed
 * @param text      the rule exactly as listed ({@code -A INPUT -s 10.0.0.3/32 -p tcp ... -j REJECT};
 *                  nft: the rule statement as {@code nft -a list ruleset} prints it, without its {@code # handle N};
 *                  Windows: the rule's definition as one line of JSON, see {@link WindowsRuleDefinition})
 * @param source    the source network the rule matches ({@code 0.0.0.0/0} when it names none)
 * @param origin    whether this fence's drctl tag is on it
 * @param effective false when an earlier ACCEPT in INPUT can let new connections from the source in
 *                  before the rule is reached (the rule lists but does not block)
 * @param handle    the nft rule handle when listed live (how it is deleted); 0 for iptables and Windows, and for
 *                  a rule read back from a journal (handles are not reused: a restored rule gets a new one)
 */
public record BlockingRule(String backend, String family, String table, String chain, int position, String text,
                           Cidr source, Origin origin, boolean effective, long handle) {

    /** Who wrote a blocking rule, as far as drctl can tell. */
    public enum Origin {
        /** Tagged with this fence's {@code drctl:fence:<name>}. */
        DRCTL,
        /** Anything else: no comment, another comment, another fence's tag. */
        FOREIGN
    }

    public BlockingRule {
        if (position < 1) {
            throw new IllegalArgumentException("rule position must be 1 or more, got " + position + " for: " + text);
        }
        if (text.contains("\n") || text.contains("\r")) {
            throw new IllegalArgumentException("a rule is one line, got: " + text.replace("\n", "\\n"));
        }
        if (handle < 0) {
            throw new IllegalArgumentException("rule handle must be 0 or more, got " + handle + " for: " + text);
        }
    }

    /** A rule without an nft handle (iptables, Windows, or read back from a journal). */
    public BlockingRule(String backend, String family, String table, String chain, int position, String text,
                        Cidr source, Origin origin, boolean effective) {
        this(backend, family, table, chain, position, text, source, origin, effective, 0);
    }

    public boolean foreign() {
        return origin == Origin.FOREIGN;
    }

    /** True when this rule drops every connection from all of {@code c} (its source covers it) and is not shadowed. */
    public boolean blocksAll(Cidr c) {
        return effective && source.covers(c);
    }

    /** Same rule (same place and text), whatever its listed position. */
    public boolean sameRule(BlockingRule o) {
        return backend.equals(o.backend) && family.equals(o.family) && table.equals(o.table) && chain.equals(o.chain)
                && text.equals(o.text);
    }

    /** Same rule at the same listed place (one nft rule with a set of sources is reported once per source it blocks). */
    boolean samePlace(BlockingRule o) {
        return sameRule(o) && position == o.position && handle == o.handle;
    }

    @Override
    public String toString() {
        return (origin == Origin.DRCTL ? "" : "[not drctl's] ") + (backend.equals("nft") ? family + " " + table + " " + chain + ": " : "")
                + text + (effective ? "" : " (shadowed by an earlier ACCEPT)");
    }
}
