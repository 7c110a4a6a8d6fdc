package io.drctl.firewall;

import io.drctl.host.CommandResult;
import io.drctl.host.CommandRunner;
import io.drctl.host.Shell;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Fences a Windows host reached over OpenSSH. One rule per source network, named
 * {@code drctl-fence-<name>-<n>} (display name the same), in group {@code drctl}, described with the
 * fence tag; inbound TCP to the port from that address is blocked.
 *
 * <p>Two dialects: {@link Mode#CMDLETS} ({@code New-NetFirewallRule}, {@code Get-NetFirewallRule -Group drctl}
 * with its port and address filters as JSON, {@code Remove-NetFirewallRule -Name}) and {@link Mode#NETSH}
 * ({@code netsh advfirewall firewall add/show/delete rule}, for hosts without the NetSecurity module;
 * netsh cannot set a group, so rules are found by name prefix; its listing is parsed in English only).
 *
 * <p>Every script is sent as {@code powershell.exe -NoProfile -NonInteractive -EncodedCommand <base64>}, so it
 * reaches PowerShell intact whether the SSH server's default shell is cmd.exe or PowerShell; inside it every
 * value is validated and single-quoted ({@link Shell#quotePowerShell}). Scripts exit 127 when the firewall
 * commands are missing and 5 (ERROR_ACCESS_DENIED) when not elevated, which is how failures are classified.
 *
 * <p>Windows Firewall {@code Block} drops silently: a fenced client times out rather than being refused
 * ({@link BlockBehavior#DROP}).
 */
public final class WindowsFirewallBackend implements FirewallBackend {

    public enum Mode { CMDLETS, NETSH }

    /** The rule group drctl's Windows rules belong to. */
    public static final String GROUP = "drctl";

    static final int EXIT_ACCESS_DENIED = 5;

    private final HostCommands cmd;
    private final Mode mode;

    public WindowsFirewallBackend(CommandRunner runner, Mode mode) {
        this(runner, mode, Duration.ofSeconds(60));
    }

    public WindowsFirewallBackend(CommandRunner runner, Mode mode, Duration timeout) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.cmd = new HostCommands(runner, timeout, mode == Mode.CMDLETS ? "Windows Firewall cmdlets" : "netsh advfirewall");
    }

    @Override
    public BackendKind kind() {
        return mode == Mode.CMDLETS ? BackendKind.WINDOWS : BackendKind.WINDOWS_NETSH;
    }

    @Override
    public BlockBehavior blockBehavior() {
        return BlockBehavior.DROP;
    }

    @Override
    public String describe() {
        return cmd.target();
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public FenceProbe probe(Fence fence) throws FirewallException {
        CommandResult r = runScript(probeScript(fence), "listing " + fence.tag() + " rules");
        List<FirewallRule> rules = mode == Mode.CMDLETS
                ? WindowsRuleParser.parseCmdletJson(r.stdout(), fence.name(), cmd.target())
                : WindowsRuleParser.parseNetsh(r.stdout(), fence.name(), cmd.target());
        return FenceProbe.of(fence, rules).withPersistence(FencePersistence.builtIn());
    }

    @Override
    public FenceChange apply(Fence fence, LockoutGuard guard) throws FirewallException {
        guard.check(fence, cmd.target());
        FenceProbe before = probe(fence);
        if (!before.missing().isEmpty()) {
            Set<String> taken = new LinkedHashSet<>();
            before.tagged().forEach(r -> taken.add(r.ref()));
            runScript(addScript(fence, before.missing(), taken), "adding " + fence.tag() + " " + before.missing());
        }
        FenceProbe after = probe(fence);
        if (!after.isFenced()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, cmd.target(),
                    "after adding " + fence + " the listing still lacks " + after.missing());
        }
        List<FirewallRule> added = after.present().stream().filter(r -> !before.present().contains(r)).toList();
        return new FenceChange(fence, FenceChange.Verb.FENCE, added, List.of(), before.present(), FencePersistence.builtIn());
    }

    @Override
    public FenceChange remove(Fence fence, RemovalJournal journal) throws FirewallException {
        FenceProbe before = probe(fence);
        List<FirewallRule> tagged = before.tagged();
        if (!tagged.isEmpty()) {
            journal.aboutToRemove(before.blocking());
            runScript(removeScript(fence, tagged), "removing " + fence.tag() + " rules");
        }
        FenceProbe after = probe(fence);
        if (!after.isUnfenced()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, cmd.target(),
                    "after removing " + fence.tag() + " rules are still listed: " + after.tagged());
        }
        return new FenceChange(fence, FenceChange.Verb.UNFENCE, List.of(), tagged, List.of(), FencePersistence.builtIn());
    }

    // ---- scripts (package-private for tests) ----

    private static final String PREAMBLE = String.join("\n",
            "$ErrorActionPreference = 'Stop'",
            "$ProgressPreference = 'SilentlyContinue'",
            "trap {",
            "  $e = $_.Exception",
            "  if ($e -is [System.UnauthorizedAccessException] -or ($e.PSObject.Properties['NativeErrorCode'] -and [string]$e.NativeErrorCode -eq 'AccessDenied')) { [Console]::Error.WriteLine($e.Message); exit 5 }",
            "  [Console]::Error.WriteLine($e.Message); exit 1",
            "}");

    private static final String REQUIRE_ADMIN =
            "if (-not ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole("
                    + "[Security.Principal.WindowsBuiltInRole]::Administrator)) { [Console]::Error.WriteLine('drctl: not elevated: Administrator rights are needed to change firewall rules'); exit 5 }";

    private String requireTool() {
        return mode == Mode.CMDLETS
                ? "if (-not (Get-Command New-NetFirewallRule -ErrorAction SilentlyContinue)) { [Console]::Error.WriteLine('drctl: NetSecurity cmdlets not found'); exit 127 }"
                : "if (-not (Get-Command netsh.exe -ErrorAction SilentlyContinue)) { [Console]::Error.WriteLine('drctl: netsh.exe not found'); exit 127 }";
    }

    String probeScript(Fence fence) {
        String pattern = Shell.quotePowerShell(fence.windowsRulePrefix() + "*");
        if (mode == Mode.CMDLETS) {
            return String.join("\n", PREAMBLE, requireTool(),
                    "$rules = @(Get-NetFirewallRule -Group " + Shell.quotePowerShell(GROUP) + " -ErrorAction SilentlyContinue | Where-Object { $_.Name -like " + pattern + " })",
                    "$out = @(foreach ($r in $rules) {",
                    "  $p = $r | Get-NetFirewallPortFilter",
                    "  $a = $r | Get-NetFirewallAddressFilter",
                    "  [pscustomobject]@{ Name = $r.Name; DisplayName = $r.DisplayName; Group = $r.Group; Enabled = [string]$r.Enabled;"
                            + " Direction = [string]$r.Direction; Action = [string]$r.Action; Protocol = [string]$p.Protocol;"
                            + " LocalPort = @($p.LocalPort); RemoteAddress = @($a.RemoteAddress) }",
                    "})",
                    "ConvertTo-Json -InputObject $out -Depth 4 -Compress");
        }
        return String.join("\n", PREAMBLE, requireTool(),
                "$o = netsh.exe advfirewall firewall show rule name=all dir=in verbose",
                "if ($LASTEXITCODE -ne 0) { [Console]::Error.WriteLine(($o | Out-String)); exit $LASTEXITCODE }",
                "$o | Out-String");
    }

    String addScript(Fence fence, List<Cidr> missing, Set<String> takenNames) {
        List<String> lines = new ArrayList<>(List.of(PREAMBLE, requireTool(), REQUIRE_ADMIN));
        int n = 1;
        for (Cidr c : missing) {
            while (takenNames.contains(fence.windowsRulePrefix() + n)) {
                n++;
            }
            String name = fence.windowsRulePrefix() + n++;
            lines.add(mode == Mode.CMDLETS ? newRuleCmdlet(fence, c, name) : newRuleNetsh(fence, c, name));
        }
        return String.join("\n", lines);
    }

    String removeScript(Fence fence, List<FirewallRule> rules) {
        List<String> lines = new ArrayList<>(List.of(PREAMBLE, requireTool(), REQUIRE_ADMIN));
        Set<String> names = new LinkedHashSet<>();
        rules.forEach(r -> names.add(r.ref()));
        for (String name : names) {
            checkRuleName(fence, name);
            lines.add(mode == Mode.CMDLETS
                    ? "Remove-NetFirewallRule -Name " + Shell.quotePowerShell(name)
                    : "netsh.exe advfirewall firewall delete rule name=" + name + " dir=in; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }");
        }
        return String.join("\n", lines);
    }

    private static String newRuleCmdlet(Fence fence, Cidr c, String name) {
        return "New-NetFirewallRule -Name " + Shell.quotePowerShell(name) + " -DisplayName " + Shell.quotePowerShell(name)
                + " -Group " + Shell.quotePowerShell(GROUP) + " -Description " + Shell.quotePowerShell(fence.tag())
                + " -Direction Inbound -Protocol TCP -LocalPort " + fence.port()
                + " -RemoteAddress " + Shell.quotePowerShell(c.toString()) + " -Action Block -Profile Any -Enabled True | Out-Null";
    }

    /** netsh takes bare key=value words; every value here is a validated name, CIDR or port (no spaces or quotes). */
    private static String newRuleNetsh(Fence fence, Cidr c, String name) {
        return "netsh.exe advfirewall firewall add rule name=" + name + " dir=in action=block protocol=TCP localport=" + fence.port()
                + " remoteip=" + c + " profile=any enable=yes description=" + fence.tag()
                + "; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }";
    }

    /** A rule name from a listing is only ever removed if it is exactly one of this fence's names. */
    private static void checkRuleName(Fence fence, String name) {
        String rest = name.startsWith(fence.windowsRulePrefix()) ? name.substring(fence.windowsRulePrefix().length()) : "";
        if (!rest.matches("[1-9]\\d{0,5}")) {
            throw new IllegalStateException("refusing to remove '" + name + "': not a rule name of " + fence.tag());
        }
    }

    /** {@code powershell.exe ... -EncodedCommand} with the script as base64 of UTF-16LE, as PowerShell expects. */
    static String encode(String script) {
        return "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
                + Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_16LE));
    }

    private CommandResult runScript(String script, String doing) throws FirewallException {
        CommandResult r = cmd.run(encode(script), doing);
        if (r.succeeded()) {
            return r;
        }
        FirewallException.Kind k = switch (r.exitCode()) {
            case HostCommands.EXIT_NOT_FOUND -> FirewallException.Kind.BACKEND_MISSING;
            case EXIT_ACCESS_DENIED -> FirewallException.Kind.PERMISSION_DENIED;
            default -> FirewallException.Kind.COMMAND_FAILED;
        };
        throw new FirewallException(k, cmd.target(), doing + ": expected exit 0, got " + r.exitCode() + ": " + r.lastLine());
    }
}
