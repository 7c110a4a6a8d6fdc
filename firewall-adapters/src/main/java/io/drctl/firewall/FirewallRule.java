package io.drctl.firewall;

import java.util.Objects;

/**
 * One drctl rule as found on a host by a backend's listing.
 *
 * @param fenceName the fence the rule's tag names
 * @param protocol  protocol matched
 * @param port      destination (local) port matched
 * @param source    source network matched
 * @param ref       backend-specific handle used to remove exactly this rule: the iptables rule
 *                  specification as listed, the nft rule handle, or the Windows rule name
 * @param active    false for a rule that exists but does not block (Windows: disabled, not Block, not Inbound)
 */
public record FirewallRule(String fenceName, Fence.Protocol protocol, int port, Cidr source, String ref, boolean active) {
    public FirewallRule {
        Objects.requireNonNull(fenceName, "fenceName");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(ref, "ref");
    }

    /** An active (blocking) rule. */
    public FirewallRule(String fenceName, Fence.Protocol protocol, int port, Cidr source, String ref) {
        this(fenceName, protocol, port, source, ref, true);
    }

    /** True if this rule enforces {@code fence} for {@code cidr}: active, same fence, protocol, port and source. */
    public boolean enforces(Fence fence, Cidr cidr) {
        return active && isFor(fence, cidr);
    }

    /** True if this rule was written for {@code fence} and {@code cidr} (same fence, protocol, port, source), active or not. */
    public boolean isFor(Fence fence, Cidr cidr) {
        return fenceName.equals(fence.name()) && protocol == fence.protocol() && port == fence.port() && source.equals(cidr);
    }

    @Override
    public String toString() {
        return protocol.keyword() + "/" + port + " from " + source + " [" + ref + "]" + (active ? "" : " (inactive)");
    }
}
