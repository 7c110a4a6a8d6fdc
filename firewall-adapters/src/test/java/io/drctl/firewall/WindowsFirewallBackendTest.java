package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandRunner.OsFamily;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WindowsFirewallBackendTest {

    private static final Fence FENCE = Fence.tcp("dbms", 5432, List.of("10.1.0.0/24", "2001:db8:10::/64"));

    static String decode(String wire) {
        String prefix = "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ";
        assertTrue(wire.startsWith(prefix), wire);
        String b64 = wire.substring(prefix.length());
        assertTrue(b64.matches("[A-Za-z0-9+/=]+"), "nothing but base64 reaches the remote shell");
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_16LE);
    }

    @Test
    void addScript_cmdlets_quotesEveryValueAndSkipsTakenNames() {
        WindowsFirewallBackend b = new WindowsFirewallBackend(new ScriptedRunner(OsFamily.WINDOWS), WindowsFirewallBackend.Mode.CMDLETS);
        String s = b.addScript(FENCE, FENCE.sources(), Set.of("drctl-fence-dbms-1"));
        assertTrue(s.contains("New-NetFirewallRule -Name 'drctl-fence-dbms-2' -DisplayName 'drctl-fence-dbms-2' -Group 'drctl'"
                + " -Description 'drctl:fence:dbms' -Direction Inbound -Protocol TCP -LocalPort 5432 -RemoteAddress '10.1.0.0/24'"
                + " -Action Block -Profile Any -Enabled True | Out-Null"), s);
        assertTrue(s.contains("-Name 'drctl-fence-dbms-3'") && s.contains("-RemoteAddress '2001:db8:10::/64'"), s);
        assertTrue(s.contains("exit 5") && s.contains("exit 127"), "elevation and tool checks present");
    }

    @Test
    void addScript_netsh_bareValidatedWords() {
        WindowsFirewallBackend b = new WindowsFirewallBackend(new ScriptedRunner(OsFamily.WINDOWS), WindowsFirewallBackend.Mode.NETSH);
        String s = b.addScript(FENCE, List.of(Cidr.parse("10.1.0.0/24")), Set.of());
        assertTrue(s.contains("netsh.exe advfirewall firewall add rule name=drctl-fence-dbms-1 dir=in action=block protocol=TCP"
                + " localport=5432 remoteip=10.1.0.0/24 profile=any enable=yes description=drctl:fence:dbms;"
                + " if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }"), s);
    }

    @Test
    void removeScript_onlyThisFencesNames() {
        WindowsFirewallBackend b = new WindowsFirewallBackend(new ScriptedRunner(OsFamily.WINDOWS), WindowsFirewallBackend.Mode.CMDLETS);
        FirewallRule mine = new FirewallRule("dbms", Fence.Protocol.TCP, 5432, Cidr.parse("10.1.0.0/24"), "drctl-fence-dbms-1");
        assertTrue(b.removeScript(FENCE, List.of(mine)).contains("Remove-NetFirewallRule -Name 'drctl-fence-dbms-1'"));
        FirewallRule forged = new FirewallRule("dbms", Fence.Protocol.TCP, 5432, Cidr.parse("10.1.0.0/24"), "drctl-fence-dbms-1'; Remove-NetFirewallRule -All; '");
        assertThrows(IllegalStateException.class, () -> b.removeScript(FENCE, List.of(forged)));
    }

    @Test
    void injectionInAnyValue_rejectedBeforeAnyCommandIsBuilt() {
        assertThrows(IllegalArgumentException.class, () -> Fence.tcp("x'; Remove-NetFirewallRule -All; '", 5432, List.of("10.0.0.0/8")));
        assertThrows(IllegalArgumentException.class, () -> Fence.tcp("dbms", 5432, List.of("1.2.3.4/32; rm -rf /")));
        assertThrows(IllegalArgumentException.class, () -> Fence.tcp("dbms", 5432, List.of("1.2.3.4/32' -Action Allow '")));
        assertThrows(IllegalArgumentException.class, () -> Fence.tcp("dbms", 5432, List.of("any")));
    }

    @Test
    void parseCmdletJson_handwrittenListing() throws Exception {
        List<FirewallRule> rules = WindowsRuleParser.parseCmdletJson(Resources.read("windows/get-netfirewallrule-drctl-handwritten.json"), "dbms", "t");
        assertEquals(3, rules.size(), "dbms2's rule is another fence's");
        assertEquals(Cidr.parse("10.1.0.0/24"), rules.get(0).source(), "address/dotted-mask read as a prefix");
        assertEquals(Cidr.parse("2001:db8:10::/64"), rules.get(1).source());
        assertFalse(rules.get(2).active(), "disabled rule does not count as fencing");
        FenceProbe p = FenceProbe.of(Fence.tcp("dbms", 5432, List.of("10.1.0.0/24", "2001:db8:10::/64", "10.2.0.7/32")), rules);
        assertEquals(List.of(Cidr.parse("10.2.0.7/32")), p.missing());
        assertEquals(1, p.inactive().size(), "the disabled rule is this fence's, but does not block");
        assertEquals(0, p.unexpected().size());
    }

    @Test
    void parseCmdletJson_singleObjectNumericEnums_andEmpty() throws Exception {
        List<FirewallRule> rules = WindowsRuleParser.parseCmdletJson(Resources.read("windows/get-netfirewallrule-single-numeric-handwritten.json"), "dbms", "t");
        assertEquals(1, rules.size());
        assertTrue(rules.get(0).active());
        assertEquals(Cidr.parse("10.1.0.5/32"), rules.get(0).source());
        assertEquals(List.of(), WindowsRuleParser.parseCmdletJson("", "dbms", "t"));
        assertEquals(List.of(), WindowsRuleParser.parseCmdletJson("[]", "dbms", "t"));
        assertEquals(FirewallException.Kind.UNEXPECTED_OUTPUT,
                assertThrows(FirewallException.class, () -> WindowsRuleParser.parseCmdletJson("Get-NetFirewallRule : Access is denied", "dbms", "t")).kind());
    }

    @Test
    void parseNetsh_realCapture_hasNoDrctlRulesButParses() throws Exception {
        String capture = Resources.read("windows/netsh-show-rule-rdp-win10-capture.txt");
        assertEquals(3, WindowsRuleParser.netshBlocks(capture).size());
        assertEquals("3389", WindowsRuleParser.netshBlocks(capture).get(2).get("LocalPort"));
        assertEquals("Defer to application", WindowsRuleParser.netshBlocks(capture).get(0).get("Edge traversal"));
        assertEquals(List.of(), WindowsRuleParser.parseNetsh(capture, "dbms", "t"));
    }

    @Test
    void parseNetsh_handwrittenVerbose_readsContinuationsAndIpv6() throws Exception {
        List<FirewallRule> rules = WindowsRuleParser.parseNetsh(Resources.read("windows/netsh-show-rule-drctl-verbose-handwritten.txt"), "dbms", "t");
        assertEquals(4, rules.size(), rules.toString());
        assertEquals(Cidr.parse("10.1.0.0/24"), rules.get(0).source());
        assertEquals(Cidr.parse("2001:db8:10::/64"), rules.get(1).source());
        assertEquals(Cidr.parse("10.2.0.8/32"), rules.get(3).source(), "continuation line");
        assertFalse(rules.get(2).active(), "Enabled: No");
    }

    @Test
    void probe_overRunner_decodesToTheListingScript_andParses() throws Exception {
        ScriptedRunner r = new ScriptedRunner(OsFamily.WINDOWS).any(0, Resources.read("windows/get-netfirewallrule-drctl-handwritten.json"));
        FenceProbe p = new WindowsFirewallBackend(r, WindowsFirewallBackend.Mode.CMDLETS).probe(FENCE);
        assertTrue(p.isFenced());
        String script = decode(r.commands.get(0));
        assertTrue(script.contains("Get-NetFirewallRule -Group 'drctl'") && script.contains("$_.Name -like 'drctl-fence-dbms-*'"), script);
        assertTrue(script.contains("Get-NetFirewallAddressFilter") && script.contains("ConvertTo-Json -InputObject $out"), script);
    }

    @Test
    void apply_alreadyFenced_sendsNoNewRule() throws Exception {
        String json = Resources.read("windows/get-netfirewallrule-drctl-handwritten.json");
        ScriptedRunner r = new ScriptedRunner(OsFamily.WINDOWS).any(0, json).any(0, json);
        FenceChange c = new WindowsFirewallBackend(r, WindowsFirewallBackend.Mode.CMDLETS).apply(FENCE, LockoutGuard.of(22, "10.9.9.9"));
        assertFalse(c.changed());
        assertEquals(2, r.commands.size());
        assertTrue(r.commands.stream().map(WindowsFirewallBackendTest::decode).noneMatch(s -> s.contains("New-NetFirewallRule -Name")));
    }

    @Test
    void runScript_exitCodesClassified() {
        WindowsFirewallBackend notAdmin = new WindowsFirewallBackend(new ScriptedRunner(OsFamily.WINDOWS).any(5, ""), WindowsFirewallBackend.Mode.CMDLETS);
        assertEquals(FirewallException.Kind.PERMISSION_DENIED, assertThrows(FirewallException.class, () -> notAdmin.probe(FENCE)).kind());
        WindowsFirewallBackend noTool = new WindowsFirewallBackend(new ScriptedRunner(OsFamily.WINDOWS).any(127, ""), WindowsFirewallBackend.Mode.NETSH);
        assertEquals(FirewallException.Kind.BACKEND_MISSING, assertThrows(FirewallException.class, () -> noTool.probe(FENCE)).kind());
        WindowsFirewallBackend other = new WindowsFirewallBackend(new ScriptedRunner(OsFamily.WINDOWS).any(1, ""), WindowsFirewallBackend.Mode.NETSH);
        assertEquals(FirewallException.Kind.COMMAND_FAILED, assertThrows(FirewallException.class, () -> other.probe(FENCE)).kind());
    }

    @Test
    void blockBehavior_isDrop() {
        assertEquals(BlockBehavior.DROP, new WindowsFirewallBackend(new ScriptedRunner(OsFamily.WINDOWS), WindowsFirewallBackend.Mode.CMDLETS).blockBehavior());
    }
}
