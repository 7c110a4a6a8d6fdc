package io.drctl.host;

import java.util.regex.Pattern;

/**
 * Validation for every value that may reach a command line or a protocol field.
 * Each check returns the value unchanged or throws {@link IllegalArgumentException} quoting it.
 */
public final class Values {
    private Values() {
    }

    private static final Pattern IPV4 = Pattern.compile(
            "^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]{2,45}$");
    private static final Pattern LABEL = Pattern.compile("^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$");
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$");

    public static boolean isIpv4(String s) {
        return s != null && IPV4.matcher(s).matches();
    }

    public static boolean isIpv6(String s) {
        if (s == null || !IPV6_CHARS.matcher(s).matches() || !s.contains(":")) {
            return false;
        }
        // InetAddress parses a literal that starts with a hex digit or ':' and contains ':' without any
        // name lookup (an invalid one throws); anything else could reach DNS, so it is rejected first.
        char first = s.charAt(0);
        if (first != ':' && Character.digit(first, 16) < 0) {
            return false;
        }
        try {
            java.net.InetAddress.getByName(s); // ::ffff:a.b.c.d comes back as Inet4Address: still a v6 literal
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public static boolean isIp(String s) {
        return isIpv4(s) || isIpv6(s);
    }

    public static String ip(String s) {
        if (!isIp(s)) {
            throw new IllegalArgumentException("not an IP address: '" + s + "' (expected e.g. 10.0.0.5 or 2001:db8::5)");
        }
        return s;
    }

    public static boolean isCidr(String s) {
        if (s == null) {
            return false;
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            return isIp(s);
        }
        String addr = s.substring(0, slash);
        String bits = s.substring(slash + 1);
        if (!bits.matches("\\d{1,3}")) {
            return false;
        }
        int n = Integer.parseInt(bits);
        return isIpv4(addr) ? n <= 32 : isIpv6(addr) && n <= 128;
    }

    public static String cidr(String s) {
        if (!isCidr(s)) {
            throw new IllegalArgumentException("not a CIDR: '" + s + "' (expected e.g. 10.1.0.0/24 or 2001:db8::/64)");
        }
        return s;
    }

    public static int port(int p) {
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("not a TCP port: " + p + " (expected 1..65535)");
        }
        return p;
    }

    /**
     * A DNS host name or FQDN (trailing dot allowed): letters, digits and hyphens per label, no label
     * starting or ending with a hyphen, and a last label that is not all digits.
     */
    public static boolean isHostname(String s) {
        if (s == null || s.isEmpty() || s.length() > 254) {
            return false;
        }
        String t = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (t.isEmpty()) {
            return false;
        }
        String[] labels = t.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // an all-numeric last label is a mistyped IP (10.0.0.256), never a DNS name (RFC 3696 2)
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    public static String hostname(String s) {
        if (!isHostname(s)) {
            throw new IllegalArgumentException("not a host name: '" + s + "' (letters, digits, hyphens and dots)");
        }
        return s;
    }

    /** A host name or an IP literal. */
    public static String address(String s) {
        if (!isIp(s) && !isHostname(s)) {
            throw new IllegalArgumentException("not an address: '" + s + "' (expected an IP or a host name)");
        }
        return s;
    }

    /** A safe identifier for rule names, tags, VM ids, namespace names: [A-Za-z0-9][A-Za-z0-9_.-]*. */
    public static boolean isName(String s) {
        return s != null && NAME.matcher(s).matches();
    }

    public static String name(String s) {
        if (!isName(s)) {
            throw new IllegalArgumentException(
                    "not a safe name: '" + s + "' (letters, digits, '_', '.', '-'; must start with a letter or digit)");
        }
        return s;
    }
}
