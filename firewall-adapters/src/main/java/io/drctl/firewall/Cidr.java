package io.drctl.firewall;

import io.drctl.host.Values;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network in canonical form: host bits cleared, IPv6 written per RFC 5952
 * (lower case, longest zero run compressed). {@code 10.78.0.5/24} becomes {@code 10.78.0.0/24};
 * a bare address becomes a {@code /32} or {@code /128}. The canonical text is what every backend
 * writes and what listings are compared against, so a rule is matched exactly whatever the tool printed.
 *
 * @param network the network address (host bits zero)
 * @param prefix  prefix length, 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress network, int prefix) {

    public Cidr {
        Objects.requireNonNull(network, "network");
        int max = network instanceof Inet4Address ? 32 : 128;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix " + prefix + " out of range 0.." + max + " for " + network.getHostAddress());
        }
        network = mask(network, prefix);
    }

    /**
     * Parses {@code addr}, {@code addr/len} or (as Windows prints subnets) {@code addr/dotted-mask}.
     *
     * @throws IllegalArgumentException quoting {@code text} when it is not a CIDR
     */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("not a CIDR: null");
        }
        String t = text.strip();
        int slash = t.indexOf('/');
        if (slash > 0 && Values.isIpv4(t.substring(0, slash)) && Values.isIpv4(t.substring(slash + 1))) {
            int len = maskLength(t.substring(slash + 1), text);
            return new Cidr(literal(t.substring(0, slash)), len);
        }
        Values.cidr(t);
        if (slash < 0) {
            InetAddress a = literal(t);
            return new Cidr(a, a instanceof Inet4Address ? 32 : 128);
        }
        return new Cidr(literal(t.substring(0, slash)), Integer.parseInt(t.substring(slash + 1)));
    }

    public boolean isIpv6() {
        return network instanceof Inet6Address;
    }

    /** True if {@code address} lies inside this network (false for the other address family). */
    public boolean contains(InetAddress address) {
        if ((address instanceof Inet6Address) != isIpv6()) {
            return false;
        }
        return mask(address, prefix).equals(network);
    }

    /** True if this network overlaps {@code other} (one contains the other). */
    public boolean overlaps(Cidr other) {
        return other.isIpv6() == isIpv6() && (contains(other.network) || other.contains(network));
    }

    /** True if every address of {@code other} lies inside this network (same family, prefix no longer). */
    public boolean covers(Cidr other) {
        return other.isIpv6() == isIpv6() && prefix <= other.prefix && contains(other.network);
    }

    /**
     * True if the union of {@code parts} covers every address of this network, e.g. two /32 rules cover a /31:
     * a fence written per host blocks the subnet of those hosts.
     */
    public boolean coveredBy(java.util.Collection<Cidr> parts) {
        if (parts.stream().anyMatch(p -> p.covers(this))) {
            return true;
        }
        List<Cidr> inside = parts.stream().filter(p -> p.overlaps(this)).toList();
        int bits = network.getAddress().length * 8;
        if (inside.isEmpty() || prefix >= bits) {
            return false;
        }
        // some parts lie inside: covered exactly when both halves are (at most one split per bit and part)
        byte[] upper = network.getAddress();
        upper[prefix / 8] |= (byte) (0x80 >>> (prefix % 8));
        try {
            return new Cidr(network, prefix + 1).coveredBy(inside)
                    && new Cidr(InetAddress.getByAddress(upper), prefix + 1).coveredBy(inside);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: length is 4 or 16
        }
    }

    /** The network address alone, canonical text. */
    public String address() {
        return network instanceof Inet6Address ? rfc5952(network.getAddress()) : network.getHostAddress();
    }

    /** Canonical {@code address/prefix}, e.g. {@code 10.78.0.0/24}, {@code fd00:78::/64}. */
    @Override
    public String toString() {
        return address() + "/" + prefix;
    }

    static InetAddress literal(String ip) {
        Values.ip(ip);
        try {
            return InetAddress.getByName(ip); // an IP literal (validated above): no name lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + ip + "'", e);
        }
    }

    private static int maskLength(String dotted, String original) {
        byte[] b = literal(dotted).getAddress();
        int bits = 0;
        boolean zeroSeen = false;
        for (byte x : b) {
            for (int i = 7; i >= 0; i--) {
                boolean one = ((x >> i) & 1) == 1;
                if (one && zeroSeen) {
                    throw new IllegalArgumentException("not a contiguous netmask in '" + original + "'");
                }
                if (one) {
                    bits++;
                } else {
                    zeroSeen = true;
                }
            }
        }
        return bits;
    }

    private static InetAddress mask(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] = (byte) (b[i] & (0xFF << (8 - keep)));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: length is 4 or 16
        }
    }

    private static String rfc5952(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
