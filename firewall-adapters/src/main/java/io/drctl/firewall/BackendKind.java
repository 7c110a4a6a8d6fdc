package io.drctl.firewall;

/** Which firewall a host uses, as named in the inventory ({@code firewall: iptables}). */
public enum BackendKind {
    /** iptables for IPv4 sources, ip6tables for IPv6 sources, rules in the filter INPUT chain. */
    IPTABLES,
    /** nft, rules in drctl's own {@code table inet drctl}. */
    NFTABLES,
    /** Windows Firewall through the NetSecurity PowerShell cmdlets. */
    WINDOWS,
    /** Windows Firewall through {@code netsh advfirewall firewall} (hosts without NetSecurity cmdlets). */
    WINDOWS_NETSH,
    /** Linux: detect (iptables if installed, else nft); Windows hosts: the cmdlets if present, else netsh. */
    AUTO;

    /** Parses an inventory value, case-insensitively; {@code windows-netsh} and {@code nft} accepted. */
    public static BackendKind parse(String s) {
        String t = s == null ? "" : s.strip().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        return switch (t) {
            case "iptables" -> IPTABLES;
            case "nftables", "nft" -> NFTABLES;
            case "windows", "windows_firewall" -> WINDOWS;
            case "windows_netsh", "netsh" -> WINDOWS_NETSH;
            case "auto", "detect" -> AUTO;
            default -> throw new IllegalArgumentException(
                    "unknown firewall kind '" + s + "' (expected iptables, nftables, windows, windows-netsh or auto)");
        };
    }
}
