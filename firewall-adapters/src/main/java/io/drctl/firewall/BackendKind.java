package io.drctl.firewall;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which firewall a host uses, as named in the inventory ({@code firewall: iptables}). The labels are the one
 * definition of the closed set: the inventory loader, its JSON Schema and the backends all use them.
 */
public enum BackendKind {
    /** iptables for IPv4 sources, ip6tables for IPv6 sources, rules in the filter INPUT chain. */
    IPTABLES("iptables"),
    /** nft: drctl's rules in its own {@code table inet drctl}; every table's input rules judged by effect. */
    NFTABLES("nftables"),
    /** Windows Firewall through the NetSecurity PowerShell cmdlets. */
    WINDOWS("windows"),
    /** Windows Firewall through {@code netsh advfirewall firewall} (hosts without NetSecurity cmdlets). */
    WINDOWS_NETSH("windows-netsh"),
    /** Linux: detect (iptables if installed, else nft); Windows hosts: the cmdlets if present, else netsh. */
    AUTO("auto");

    private final String label;

    BackendKind(String label) {
        this.label = label;
    }

    /** The inventory word, e.g. {@code windows-netsh}. */
    public String label() {
        return label;
    }

    /** Every label, in declaration order. */
    public static List<String> labels() {
        return Arrays.stream(values()).map(BackendKind::label).toList();
    }

    /** The kind with this exact label, if any. */
    public static Optional<BackendKind> find(String label) {
        return Arrays.stream(values()).filter(k -> k.label.equals(label)).findFirst();
    }

    /** The kind with this exact label; throws quoting the value otherwise. */
    public static BackendKind parse(String s) {
        return find(s).orElseThrow(() -> new IllegalArgumentException(
                "unknown firewall kind '" + s + "' (expected " + String.join(", ", labels()) + ")"));
    }
}
