package io.drctl.dns;

import io.drctl.host.Values;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Validation and conversion of names and addresses used by the DNS adapters. */
public final class DnsNames {
    private DnsNames() {
    }

    /** A validated absolute name with a trailing dot, lower case. */
    public static String fqdn(String s) {
        Values.hostname(s);
        String t = s.toLowerCase(Locale.ROOT);
        return t.endsWith(".") ? t : t + ".";
    }

    /**
     * A record name of {@code zone} as an absolute name: {@code cfgmaster} in {@code cc.example.com.} is
     * {@code cfgmaster.cc.example.com.}; a name that ends in a dot is absolute already. Spelling kept as written
     * (compare with {@link #fqdn(String)}).
     */
    public static String fqdn(String name, String zone) {
        return name.endsWith(".") ? name : name + "." + (zone.endsWith(".") ? zone : zone + ".");
    }

    /** The dnsjava name of a validated FQDN. */
    public static Name name(String fqdn) {
        try {
            return Name.fromString(fqdn(fqdn));
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: '" + fqdn + "'", e);
        }
    }

    /** A validated, sorted set of IPv4 addresses. */
    public static Set<String> ipv4Set(Collection<String> addresses, String what) {
        for (String a : addresses) {
            if (!Values.isIpv4(a)) {
                throw new IllegalArgumentException(what + ": not an IPv4 address: '" + a + "'");
            }
        }
        return sorted(addresses);
    }

    /** The addresses sorted numerically, for stable messages and comparisons. */
    public static Set<String> sorted(Collection<String> addresses) {
        TreeSet<String> s = new TreeSet<>((a, b) -> Long.compare(key(a), key(b)) != 0 ? Long.compare(key(a), key(b)) : a.compareTo(b));
        s.addAll(addresses);
        return java.util.Collections.unmodifiableSet(s);
    }

    private static long key(String ip) {
        if (!Values.isIpv4(ip)) {
            return Long.MAX_VALUE;
        }
        long k = 0;
        for (String p : ip.split("\\.")) {
            k = k * 256 + Integer.parseInt(p);
        }
        return k;
    }

    /** {@code [10.0.0.1, 10.0.0.2]} or {@code (none)}. */
    public static String show(Collection<String> addresses) {
        return addresses.isEmpty() ? "(none)" : sorted(addresses).stream().collect(Collectors.joining(", ", "[", "]"));
    }

    static List<String> list(Collection<String> c) {
        return List.copyOf(sorted(c));
    }
}
