package io.drctl.dns.cache;

/** A resolver cache drctl knows how to flush. */
public enum ResolverKind {
    /** systemd-resolved: {@code resolvectl flush-caches}. */
    SYSTEMD_RESOLVED("systemd-resolved"),
    /** nscd's hosts cache: {@code nscd -i hosts}. */
    NSCD("nscd"),
    /** dnsmasq: SIGHUP clears its cache ({@code pkill -HUP -x dnsmasq}; each host has its own PID namespace). */
    DNSMASQ("dnsmasq"),
    /** unbound: {@code unbound-control flush_zone ZONE} (or {@code flush NAME}). */
    UNBOUND("unbound"),
    /** The Windows DNS Client service: {@code Clear-DnsClientCache}, else {@code ipconfig /flushdns}. */
    WINDOWS_DNS_CLIENT("windows-dns-client");

    private final String label;

    ResolverKind(String label) {
        this.label = label;
    }

    /** The word the detection script prints for this kind. */
    public String label() {
        return label;
    }

    static ResolverKind fromLabel(String s) {
        for (ResolverKind k : values()) {
            if (k.label.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown resolver kind '" + s + "'");
    }
}
