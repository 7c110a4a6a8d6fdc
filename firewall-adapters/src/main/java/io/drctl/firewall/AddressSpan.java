package io.drctl.firewall;

import java.math.BigInteger;

/** An address interval of one family, [lo, hi]: a network, a range ({@code a-b}), or the intersection of such. */
record AddressSpan(boolean ipv6, BigInteger lo, BigInteger hi) {
    static AddressSpan of(Cidr c) {
        int bits = c.isIpv6() ? 128 : 32;
        BigInteger lo = new BigInteger(1, c.network().getAddress());
        BigInteger size = BigInteger.ONE.shiftLeft(bits - c.prefix());
        return new AddressSpan(c.isIpv6(), lo, lo.add(size).subtract(BigInteger.ONE));
    }

    static AddressSpan any(boolean ipv6) {
        return of(Cidr.parse(ipv6 ? "::/0" : "0.0.0.0/0"));
    }

    boolean overlaps(AddressSpan o) {
        return ipv6 == o.ipv6 && lo.compareTo(o.hi) <= 0 && o.lo.compareTo(hi) <= 0;
    }

    boolean covers(AddressSpan o) {
        return ipv6 == o.ipv6 && lo.compareTo(o.lo) <= 0 && hi.compareTo(o.hi) >= 0;
    }

    AddressSpan intersect(AddressSpan o) {
        return overlaps(o) ? new AddressSpan(ipv6, lo.max(o.lo), hi.min(o.hi)) : null;
    }

    /** The network this span is, or null when it is not one. */
    Cidr asCidr() {
        BigInteger size = hi.subtract(lo).add(BigInteger.ONE);
        int bits = ipv6 ? 128 : 32;
        if (size.bitCount() != 1 || !lo.mod(size).equals(BigInteger.ZERO)) {
            return null;
        }
        return new Cidr(address(lo), bits - (size.bitLength() - 1));
    }

    /**
     * The source to report for this span against fence source {@code c}: the span itself when it is a network,
     * {@code c} when the span (a range) covers it, else the first address they share (a partial block).
     */
    Cidr reportFor(Cidr c) {
        Cidr exact = asCidr();
        if (exact != null) {
            return exact;
        }
        AddressSpan sc = of(c);
        if (covers(sc)) {
            return c;
        }
        return new Cidr(address(intersect(sc).lo), ipv6 ? 128 : 32);
    }

    private java.net.InetAddress address(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] b = new byte[ipv6 ? 16 : 4];
        int n = Math.min(raw.length, b.length);
        System.arraycopy(raw, raw.length - n, b, b.length - n, n);
        try {
            return java.net.InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: length is 4 or 16
        }
    }
}
