package io.drctl.dns.cache;

/**
 * A resolver cache drctl knows how to flush. The labels are the one definition of the closed set: the
 * inventory's {@code resolver:} (plus {@link #AUTO} and {@link #NONE}), its JSON Schema and the flusher use them.
 */
public enum ResolverKind {
    /** systemd-resolved: {@code resolvectl flush-caches}. */
    SYSTEMD_RESOLVED("systemd-resolved"),
    /** nscd's hosts cache: {@code nscd -i hosts}. */
    NSCD("nscd"),
    /** dnsmasq: SIGHUP clears its cache; sent to this host's instance only (its systemd unit, or its pid file). */
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

    /** Inventory word: detect the caches on the host (the default). */
    public static final String AUTO = "auto";
    /** Inventory word: the host has no local cache; names are only resolved and checked. */
    public static final String NONE = "none";

    /** What the inventory's {@code resolver:} accepts: every label, then {@code auto} and {@code none}. */
    public static java.util.List<String> inventoryChoices() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (ResolverKind k : values()) {
            out.add(k.label);
        }
        out.add(AUTO);
        out.add(NONE);
        return java.util.List.copyOf(out);
    }

    /**
     * The caches an inventory choice names: empty = detect ({@code auto}), an empty list = none, else the one kind.
     *
     * @throws IllegalArgumentException when {@code choice} is not one of {@link #inventoryChoices()}
     */
    public static java.util.Optional<java.util.List<ResolverKind>> declared(String choice) {
        if (AUTO.equals(choice)) {
            return java.util.Optional.empty();
        }
        if (NONE.equals(choice)) {
            return java.util.Optional.of(java.util.List.of());
        }
        return java.util.Optional.of(java.util.List.of(fromLabel(choice)));
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
