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
 * <p>A fence is judged by effect ({@link WindowsRuleParser#analyze}): every enabled inbound Block rule whose protocol
 * is TCP (or Any), whose local port includes the fence's and whose remote address overlaps a source counts, whoever
 * wrote it (Windows Firewall lets Block win over Allow, so such a rule is always effective). Unfencing removes them
 * all, foreign ones too, after the {@link RemovalJournal} got each one's full {@link WindowsRuleDefinition};
 * {@link #restore} creates them again from it. Rules are kept by Windows itself ({@link FencePersistence#builtIn()}).
 *
 * <p>Two dialects: {@link Mode#CMDLETS} ({@code New-NetFirewallRule}, {@code Get-NetFirewallRule -Direction Inbound
 * -Action Block} plus group {@code drctl}, with port, address and application filters as JSON,
 * {@code Remove-NetFirewallRule -Name}) and {@link Mode#NETSH} ({@code netsh advfirewall firewall add/show/delete rule},
 * for hosts without the NetSecurity module; netsh cannot set a group, so drctl's rules are found by name prefix, and
 * names are not unique there, so a deletion is narrowed by the rule's protocol, local port and remote addresses; its
 * listing is parsed in English only).
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

    /** One listing: drctl's rules of the fence and every rule that can block, each with its full definition. */
    private record Listing(List<FirewallRule> tagged, List<WindowsRuleDefinition> rules) {
    }

    private Listing list(Fence fence) throws FirewallException {
        CommandResult r = runScript(probeScript(fence), "listing inbound block rules for " + fence.tag());
        if (mode == Mode.CMDLETS) {
            return new Listing(WindowsRuleParser.parseCmdletJson(r.stdout(), fence.name(), cmd.target()),
                    WindowsRuleParser.definitionsFromJson(r.stdout(), cmd.target()));
        }
        return new Listing(WindowsRuleParser.parseNetsh(r.stdout(), fence.name(), cmd.target()), WindowsRuleParser.definitionsFromNetsh(r.stdout()));
    }

    @Override
    public FenceProbe probe(Fence fence) throws FirewallException {
        return probe(fence, list(fence));
    }

    private static FenceProbe probe(Fence fence, Listing l) {
        WindowsRuleParser.Found f = WindowsRuleParser.analyze(l.rules(), fence);
        return FenceProbe.of(fence, l.tagged(), f.blocking(), f.alsoBlocking(), FencePersistence.builtIn());
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
        List<FirewallRule> added = after.addedSince(before);
        return new FenceChange(fence, FenceChange.Verb.FENCE, added, List.of(), before.present(), FencePersistence.builtIn());
    }

    /**
     * Removes every rule that blocks the fence's port from a source, drctl's or not, and every rule of the fence (disabled
     * or stale too): cmdlets by {@code Remove-NetFirewallRule -Name} (names are unique), netsh by name narrowed with the
     * rule's own protocol, local port and remote addresses (netsh names are not unique). The journal gets each rule's full
     * definition first, so {@link #restore} can create it again.
     */
    @Override
    public FenceChange remove(Fence fence, RemovalJournal journal) throws FirewallException {
        Listing l = list(fence);
        FenceProbe before = probe(fence, l);
        List<BlockingRule> doomed = new ArrayList<>(FenceProbe.distinct(before.blocking()));
        int position = 0;
        for (WindowsRuleDefinition d : l.rules()) {
            position++;
            boolean mine = WindowsRuleParser.isRuleNameOf(d.name(), fence.windowsRulePrefix());
            if (mine && doomed.stream().noneMatch(x -> WindowsRuleDefinition.fromJson(x.text()).name().equals(d.name()))) {
                Cidr source = before.tagged().stream().filter(t -> t.ref().equals(d.name())).map(FirewallRule::source).findFirst()
                        .orElse(fence.sources().get(0));
                doomed.add(new BlockingRule("windows", "any", "", "inbound", position, d.toJson(), source, BlockingRule.Origin.DRCTL, false));
            }
        }
        if (!doomed.isEmpty()) {
            journal.aboutToRemove(doomed);
            runScript(removeScript(fence, doomed), "removing the rules blocking " + fence);
        }
        probe(fence).requireOpen(cmd.target());
        return new FenceChange(fence, FenceChange.Verb.UNFENCE, List.of(), before.tagged(), List.of(), doomed, FencePersistence.builtIn(), List.of());
    }

    /**
     * Creates rules an unfence removed again from their recorded definitions (same name, display name, description,
     * group, profile, protocol, ports, addresses, program; enabled as they were). A rule whose name is listed again
     * (netsh: with the same remote addresses and local ports) is left alone. Windows rules have no order.
     */
    @Override
    public FenceChange restore(Fence fence, List<BlockingRule> rules) throws FirewallException {
        Listing l = list(fence);
        List<WindowsRuleDefinition> todo = new ArrayList<>();
        List<BlockingRule> restored = new ArrayList<>();
        for (BlockingRule r : FenceProbe.distinct(rules)) {
            if (!r.backend().equals("windows")) {
                throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, cmd.target(),
                        "cannot restore a " + r.backend() + " rule with Windows Firewall: " + r.text());
            }
            WindowsRuleDefinition d = definitionOf(r);
            boolean present = l.rules().stream().anyMatch(x -> x.name().equals(d.name())
                    && (mode == Mode.CMDLETS || (x.remoteAddress().equals(d.remoteAddress()) && x.localPort().equals(d.localPort()))));
            if (!present && todo.stream().noneMatch(x -> x.equals(d))) {
                todo.add(d);
                restored.add(r);
            }
        }
        if (!todo.isEmpty()) {
            runScript(restoreScript(todo), "restoring " + todo.size() + " rule(s) removed for " + fence.tag());
        }
        return new FenceChange(fence, FenceChange.Verb.RESTORE, List.of(), List.of(), List.of(), restored, FencePersistence.builtIn(), List.of());
    }

    private WindowsRuleDefinition definitionOf(BlockingRule r) throws FirewallException {
        try {
            return WindowsRuleDefinition.fromJson(r.text());
        } catch (IllegalArgumentException e) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, cmd.target(), "not a recorded Windows rule: " + r.text(), e);
        }
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
                    "$seen = @{}",
                    "$rules = @(@(Get-NetFirewallRule -Direction Inbound -Action Block -ErrorAction SilentlyContinue)"
                            + " + @(Get-NetFirewallRule -Group " + Shell.quotePowerShell(GROUP) + " -ErrorAction SilentlyContinue | Where-Object { $_.Name -like " + pattern + " })"
                            + " | Where-Object { if ($seen.ContainsKey($_.Name)) { $false } else { $seen[$_.Name] = 1; $true } })",
                    "$out = @(foreach ($r in $rules) {",
                    "  $p = $r | Get-NetFirewallPortFilter",
                    "  $a = $r | Get-NetFirewallAddressFilter",
                    "  $g = $r | Get-NetFirewallApplicationFilter",
                    "  [pscustomobject]@{ Name = $r.Name; DisplayName = $r.DisplayName; Description = $r.Description; Group = $r.Group;"
                            + " Enabled = [string]$r.Enabled; Profile = [string]$r.Profile; Direction = [string]$r.Direction; Action = [string]$r.Action;"
                            + " Protocol = [string]$p.Protocol; LocalPort = @($p.LocalPort); RemotePort = @($p.RemotePort);"
                            + " LocalAddress = @($a.LocalAddress); RemoteAddress = @($a.RemoteAddress); Program = [string]$g.Program }",
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

    /** Deletes {@code rules}: this fence's by their checked names, foreign ones by their listed name (quoted), netsh narrowed by filters. */
    String removeScript(Fence fence, List<BlockingRule> rules) throws FirewallException {
        List<String> lines = new ArrayList<>(List.of(PREAMBLE, requireTool(), REQUIRE_ADMIN));
        Set<String> done = new LinkedHashSet<>();
        for (BlockingRule r : rules) {
            WindowsRuleDefinition d = definitionOf(r);
            if (r.origin() == BlockingRule.Origin.DRCTL) {
                checkRuleName(fence, d.name());
            }
            if (!done.add(d.name() + "\0" + d.remoteAddress() + "\0" + d.localPort())) {
                continue;
            }
            if (mode == Mode.CMDLETS) {
                lines.add("Remove-NetFirewallRule -Name " + Shell.quotePowerShell(d.name()));
            } else {
                List<String> args = new ArrayList<>(List.of("name=" + d.name(), "dir=in"));
                if (!d.protocol().equalsIgnoreCase("Any")) {
                    args.add("protocol=" + d.protocol());
                    if (!d.anyLocalPort()) {
                        args.add("localport=" + String.join(",", d.localPort()));
                    }
                }
                args.add("remoteip=" + String.join(",", d.remoteAddress()));
                lines.add(netsh("delete rule", args));
            }
        }
        return String.join("\n", lines);
    }

    /** Creates each rule again from its recorded definition. */
    String restoreScript(List<WindowsRuleDefinition> rules) throws FirewallException {
        List<String> lines = new ArrayList<>(List.of(PREAMBLE, requireTool(), REQUIRE_ADMIN));
        for (WindowsRuleDefinition d : rules) {
            if (mode == Mode.CMDLETS) {
                StringBuilder c = new StringBuilder("New-NetFirewallRule -Name " + Shell.quotePowerShell(d.name())
                        + " -DisplayName " + Shell.quotePowerShell(d.displayName()));
                if (!d.description().isEmpty()) {
                    c.append(" -Description ").append(Shell.quotePowerShell(d.description()));
                }
                if (!d.group().isEmpty()) {
                    c.append(" -Group ").append(Shell.quotePowerShell(d.group()));
                }
                c.append(" -Enabled ").append(d.enabled() ? "True" : "False")
                        .append(" -Profile ").append(Shell.quotePowerShell(d.profile()))
                        .append(" -Direction ").append(Shell.quotePowerShell(d.direction()))
                        .append(" -Action ").append(Shell.quotePowerShell(d.action()))
                        .append(" -Protocol ").append(Shell.quotePowerShell(d.protocol()));
                if (!d.protocol().equalsIgnoreCase("Any")) {
                    c.append(" -LocalPort ").append(psArray(d.localPort())).append(" -RemotePort ").append(psArray(d.remotePort()));
                }
                c.append(" -LocalAddress ").append(psArray(d.localAddress())).append(" -RemoteAddress ").append(psArray(d.remoteAddress()));
                if (!d.program().equalsIgnoreCase("Any")) {
                    c.append(" -Program ").append(Shell.quotePowerShell(d.program()));
                }
                lines.add(c.append(" | Out-Null").toString());
            } else {
                List<String> args = new ArrayList<>(List.of("name=" + d.name(), "dir=" + (d.direction().equalsIgnoreCase("Outbound") ? "out" : "in"),
                        "action=" + d.action().toLowerCase(java.util.Locale.ROOT), "enable=" + (d.enabled() ? "yes" : "no"),
                        "profile=" + (d.profile().equalsIgnoreCase("Any") ? "any" : d.profile().replace(" ", "").toLowerCase(java.util.Locale.ROOT)),
                        "protocol=" + d.protocol()));
                if (!d.protocol().equalsIgnoreCase("Any")) {
                    args.add("localport=" + String.join(",", d.localPort()));
                    args.add("remoteport=" + String.join(",", d.remotePort()));
                }
                args.add("localip=" + String.join(",", d.localAddress()));
                args.add("remoteip=" + String.join(",", d.remoteAddress()));
                if (!d.description().isEmpty()) {
                    args.add("description=" + d.description());
                }
                if (!d.program().equalsIgnoreCase("Any")) {
                    args.add("program=" + d.program());
                }
                lines.add(netsh("add rule", args));
            }
        }
        return String.join("\n", lines);
    }

    private static String psArray(List<String> values) {
        return "@(" + String.join(", ", values.stream().map(Shell::quotePowerShell).toList()) + ")";
    }

    /**
     * One netsh call; every {@code key=value} is one single-quoted PowerShell argument (PowerShell adds the double quotes
     * netsh needs around a value with blanks). A double quote inside a value cannot reach netsh intact, so it is refused.
     */
    private String netsh(String verb, List<String> args) throws FirewallException {
        StringBuilder c = new StringBuilder("& netsh.exe advfirewall firewall " + verb);
        for (String a : args) {
            if (a.contains("\"") || a.contains("\n") || a.contains("\r")) {
                throw new FirewallException(FirewallException.Kind.COMMAND_FAILED, cmd.target(),
                        "cannot pass a value with a double quote or line break to netsh: " + a);
            }
            c.append(' ').append(Shell.quotePowerShell(a));
        }
        return c.append("; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }").toString();
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
