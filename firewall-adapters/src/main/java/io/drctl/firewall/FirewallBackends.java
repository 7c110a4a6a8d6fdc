package io.drctl.firewall;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import java.time.Duration;
import java.util.Objects;

/** Chooses the backend for a host: as the inventory names it, or detected. */
public final class FirewallBackends {
    private FirewallBackends() {
    }

    private static final Duration DETECT_TIMEOUT = Duration.ofSeconds(20);

    /** What detection found on a Linux host. */
    public enum IptablesVariant { NF_TABLES, LEGACY, ABSENT }

    /**
     * The outcome of detection.
     *
     * @param chosen          the backend drctl will use
     * @param iptablesVariant which iptables is installed (its {@code -V} says {@code nf_tables} or {@code legacy})
     * @param nftPresent      whether {@code nft} is on PATH
     */
    public record Detection(BackendKind chosen, IptablesVariant iptablesVariant, boolean nftPresent) {
    }

    /**
     * The backend for a host. {@code AUTO} detects: on Linux iptables if installed (either variant: its rules
     * are what operators of the seed's runbook look at), else nft; on Windows the cmdlets if present, else netsh.
     * iptables gets default options (rules inserted first, persisted where the host persists); build {@link IptablesBackend} directly for others.
     *
     * @throws FirewallException BACKEND_MISSING when detection finds neither tool; HOST_UNREACHABLE
     */
    public static FirewallBackend forHost(BackendKind kind, CommandRunner runner) throws FirewallException {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(runner, "runner");
        BackendKind k = kind == BackendKind.AUTO ? detect(runner).chosen() : kind;
        boolean windowsHost = runner.os() == CommandRunner.OsFamily.WINDOWS;
        boolean windowsKind = k == BackendKind.WINDOWS || k == BackendKind.WINDOWS_NETSH;
        if (windowsHost != windowsKind) {
            throw new IllegalArgumentException("firewall kind " + k + " does not fit " + runner.describe() + " (os " + runner.os() + ")");
        }
        return switch (k) {
            case IPTABLES -> new IptablesBackend(runner);
            case NFTABLES -> new NftablesBackend(runner);
            case WINDOWS -> new WindowsFirewallBackend(runner, WindowsFirewallBackend.Mode.CMDLETS);
            case WINDOWS_NETSH -> new WindowsFirewallBackend(runner, WindowsFirewallBackend.Mode.NETSH);
            case AUTO -> throw new IllegalStateException("unreachable: AUTO resolved above");
        };
    }

    /**
     * Detects the firewall tooling of a host (read-only).
     *
     * @throws FirewallException BACKEND_MISSING when no usable tool is found; HOST_UNREACHABLE
     */
    public static Detection detect(CommandRunner runner) throws FirewallException {
        if (runner.os() == CommandRunner.OsFamily.WINDOWS) {
            CommandResult r = run(runner, WindowsFirewallBackend.encode(
                    "if (Get-Command New-NetFirewallRule -ErrorAction SilentlyContinue) { 'cmdlets' } else { 'netsh' }"));
            if (!r.succeeded()) {
                throw new FirewallException(FirewallException.Kind.BACKEND_MISSING, runner.describe(),
                        "cannot run powershell.exe to detect the firewall: exit " + r.exitCode() + ": " + r.lastLine());
            }
            boolean cmdlets = r.stdout().strip().equals("cmdlets");
            return new Detection(cmdlets ? BackendKind.WINDOWS : BackendKind.WINDOWS_NETSH, IptablesVariant.ABSENT, false);
        }
        // one round trip; each line is a fixed token so the answer is read by structure, not prose
        CommandResult r = run(runner, "if command -v iptables >/dev/null 2>&1; then echo \"iptables $(iptables -V 2>&1)\"; "
                + "else echo 'iptables absent'; fi; if command -v nft >/dev/null 2>&1; then echo 'nft present'; else echo 'nft absent'; fi");
        if (!r.succeeded()) {
            throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, runner.describe(),
                    "detecting the firewall: expected exit 0, got " + r.exitCode() + ": " + r.lastLine());
        }
        IptablesVariant variant = IptablesVariant.ABSENT;
        boolean nft = false;
        for (String line : r.stdout().split("\\R")) {
            if (line.startsWith("iptables ") && !line.equals("iptables absent")) {
                variant = line.contains("(legacy)") ? IptablesVariant.LEGACY : IptablesVariant.NF_TABLES;
            } else if (line.equals("nft present")) {
                nft = true;
            }
        }
        if (variant != IptablesVariant.ABSENT) {
            return new Detection(BackendKind.IPTABLES, variant, nft);
        }
        if (nft) {
            return new Detection(BackendKind.NFTABLES, variant, true);
        }
        throw new FirewallException(FirewallException.Kind.BACKEND_MISSING, runner.describe(),
                "expected iptables or nft on PATH, found neither");
    }

    private static CommandResult run(CommandRunner runner, String command) throws FirewallException {
        try {
            return runner.run(command, DETECT_TIMEOUT);
        } catch (HostAccessException e) {
            throw FirewallException.from(e, "detecting the firewall");
        }
    }
}
