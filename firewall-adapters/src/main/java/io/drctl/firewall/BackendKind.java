package io.drctl.firewall;

import io.drctl.host.Labelled;
import java.util.List;

/**
 * Which firewall a host uses, as named in the inventory ({@code firewall: iptables}). The labels are the one
 * definition of the closed set: the inventory loader, its JSON Schema and the backends all use them
 * ({@link #label()}, e.g. {@code windows-netsh}).
 */
public enum BackendKind implements Labelled {
    /** iptables for IPv4 sources, ip6tables for IPv6 sources, rules in the filter INPUT chain. */
    IPTABLES,
    /** nft: drctl's rules in its own {@code table inet drctl}; every table's input rules judged by effect. */
    NFTABLES,
    /** Windows Firewall through the NetSecurity PowerShell cmdlets. */
    WINDOWS,
    /** Windows Firewall through {@code netsh advfirewall firewall} (hosts without NetSecurity cmdlets). */
    WINDOWS_NETSH,
    /** Linux: detect (iptables if installed, else nft); Windows hosts: the cmdlets if present, else netsh. */
    AUTO;

    /** Every label, in declaration order. */
    public static List<String> labels() {
        return Labelled.labels(BackendKind.class);
    }

    /** The kind with this exact label; throws quoting the value otherwise. */
    public static BackendKind parse(String s) {
        return Labelled.find(BackendKind.class, s).orElseThrow(() -> new IllegalArgumentException(
                "unknown firewall kind '" + s + "' (expected " + String.join(", ", labels()) + ")"));
    }
}
