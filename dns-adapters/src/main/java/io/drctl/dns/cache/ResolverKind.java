package io.drctl.dns.cache;

import io.drctl.host.Labelled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A resolver cache drctl knows how to flush. The labels are the one definition of the closed set: the
 * inventory's {@code resolver:} (plus {@link #AUTO} and {@link #NONE}), its JSON Schema and the flusher use them,
 * and the detection script prints them ({@link #label()}, e.g. {@code systemd-resolved}).
 */
public enum ResolverKind implements Labelled {
    /** systemd-resolved: {@code resolvectl flush-caches}. */
    SYSTEMD_RESOLVED,
    /** nscd's hosts cache: {@code nscd -i hosts}. */
    NSCD,
    /** dnsmasq: SIGHUP clears its cache; sent to this host's instance only (its systemd unit, or its pid file). */
    DNSMASQ,
    /** unbound: {@code unbound-control flush_zone ZONE} (or {@code flush NAME}). */
    UNBOUND,
    /** The Windows DNS Client service: {@code Clear-DnsClientCache}, else {@code ipconfig /flushdns}. */
    WINDOWS_DNS_CLIENT;

    /** Inventory word: detect the caches on the host (the default). */
    public static final String AUTO = "auto";
    /** Inventory word: the host has no local cache; names are only resolved and checked. */
    public static final String NONE = "none";

    /** What the inventory's {@code resolver:} accepts: every label, then {@code auto} and {@code none}. */
    public static List<String> inventoryChoices() {
        List<String> out = new ArrayList<>(Labelled.labels(ResolverKind.class));
        out.add(AUTO);
        out.add(NONE);
        return List.copyOf(out);
    }

    /**
     * The caches an inventory choice names: empty = detect ({@code auto}), an empty list = none, else the one kind.
     *
     * @throws IllegalArgumentException when {@code choice} is not one of {@link #inventoryChoices()}
     */
    public static Optional<List<ResolverKind>> declared(String choice) {
        if (AUTO.equals(choice)) {
            return Optional.empty();
        }
        if (NONE.equals(choice)) {
            return Optional.of(List.of());
        }
        return Optional.of(List.of(fromLabel(choice)));
    }

    static ResolverKind fromLabel(String s) {
        return Labelled.find(ResolverKind.class, s)
                .orElseThrow(() -> new IllegalArgumentException("unknown resolver kind '" + s + "'"));
    }
}
