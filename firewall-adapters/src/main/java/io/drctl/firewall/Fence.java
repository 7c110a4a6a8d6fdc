package io.drctl.firewall;

import io.drctl.host.Values;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A fence on one host: inbound TCP to {@code port} from any of {@code sources} is refused.
 * Every rule a backend writes for it carries the tag {@link #tag()} ({@code drctl:fence:<name>}) or,
 * on Windows, the rule-name prefix {@link #windowsRulePrefix()}; that tag is how drctl finds its own
 * rules again and the only rules it ever removes.
 *
 * @param name     fence name, a {@link Values#name(String) safe name} of at most 64 characters
 * @param protocol always {@link Protocol#TCP} for now
 * @param port     the fenced local port, 1..65535
 * @param sources  source networks, IPv4 and/or IPv6, canonical and de-duplicated; never empty
 */
public record Fence(String name, Protocol protocol, int port, List<Cidr> sources) {

    /** Tag prefix shared by every drctl fence rule. */
    public static final String TAG_PREFIX = "drctl:fence:";

    public enum Protocol {
        TCP;

        /** Lower-case keyword used by iptables and nft. */
        public String keyword() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Fence {
        Values.name(name);
        if (name.length() > 64) {
            throw new IllegalArgumentException("fence name '" + name + "' is longer than 64 characters");
        }
        Objects.requireNonNull(protocol, "protocol");
        Values.port(port);
        Objects.requireNonNull(sources, "sources");
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("fence '" + name + "' has no source CIDRs (a fence from nowhere blocks nothing)");
        }
        sources = List.copyOf(new LinkedHashSet<>(sources));
    }

    /**
     * A TCP fence from source CIDR strings, each validated with {@link Values#cidr(String)} and canonicalised.
     *
     * @throws IllegalArgumentException quoting the first bad value
     */
    public static Fence tcp(String name, int port, List<String> sourceCidrs) {
        Objects.requireNonNull(sourceCidrs, "sourceCidrs");
        List<Cidr> parsed = new ArrayList<>();
        for (String s : sourceCidrs) {
            parsed.add(Cidr.parse(Values.cidr(s)));
        }
        return new Fence(name, Protocol.TCP, port, parsed);
    }

    /** The comment/tag on every rule of this fence: {@code drctl:fence:<name>}. */
    public String tag() {
        return TAG_PREFIX + name;
    }

    /** Windows rule names of this fence are {@code drctl-fence-<name>-<n>}. */
    public String windowsRulePrefix() {
        return "drctl-fence-" + name + "-";
    }

    public List<Cidr> ipv4Sources() {
        return sources.stream().filter(c -> !c.isIpv6()).toList();
    }

    public List<Cidr> ipv6Sources() {
        return sources.stream().filter(Cidr::isIpv6).toList();
    }

    @Override
    public String toString() {
        return "fence " + name + " (" + protocol.keyword() + "/" + port + " from " + sources + ")";
    }
}
