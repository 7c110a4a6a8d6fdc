package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandRunner.OsFamily;
import io.drctl.testing.ScriptedRunner;
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
    void removeScript_onlyThisFencesNames() throws Exception {
        WindowsFirewallBackend b = new WindowsFirewallBackend(new ScriptedRunner(OsFamily.WINDOWS), WindowsFirewallBackend.Mode.CMDLETS);
        assertTrue(b.removeScript(FENCE, List.of(drctlRule("drctl-fence-dbms-1"))).contains("Remove-NetFirewallRule -Name 'drctl-fence-dbms-1'"));
        assertThrows(IllegalStateException.class, () -> b.removeScript(FENCE, List.of(drctlRule("drctl-fence-dbms-1'; Remove-NetFirewallRule -All; '"))));
    }

    private static BlockingRule drctlRule(String name) {
        WindowsRuleDefinition d = new WindowsRuleDefinition(name, name, "drctl:fence:dbms", "drctl", true, "Any", "Inbound", "Block", "TCP",
                List.of("5432"), List.of(), List.of(), List.of("10.1.0.0/24"), null);
        return new BlockingRule("windows", "any", "", "inbound", 1, d.toJson(), Cidr.parse("10.1.0.0/24"), BlockingRule.Origin.DRCTL, true);
    }

    // ---- fences by effect: foreign Block rules ----

    private static final String INBOUND_JSON = Resources.read("windows/get-netfirewallrule-inbound-block-handwritten.json");
    private static final String INBOUND_NETSH = Resources.read("windows/netsh-show-rule-inbound-verbose-handwritten.txt");
    private static final Fence WIDE = Fence.tcp("dbms", 5432,
            List.of("10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24", "10.4.0.7/32", "10.5.0.0/24", "2001:db8:10::/64"));
    private static final String DR_SITE = "{6A3B2C1D-8E4F-4A5B-9C0D-1E2F3A4B5C6D}";

    private static String without(String json, String... names) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ArrayNode a = (com.fasterxml.jackson.databind.node.ArrayNode) m.readTree(json);
        com.fasterxml.jackson.databind.node.ArrayNode out = m.createArrayNode();
        a.forEach(n -> {
            if (!List.of(names).contains(n.path("Name").asText())) {
                out.add(n);
            }
        });
        return out.toString();
    }

    @Test
    void probe_cmdlets_reportsForeignBlockRulesWithOrigin_partialAndAllPorts() throws Exception {
        ScriptedRunner r = new ScriptedRunner(OsFamily.WINDOWS).any(0, INBOUND_JSON);
        FenceProbe p = new WindowsFirewallBackend(r, WindowsFirewallBackend.Mode.CMDLETS).probe(WIDE);

        assertEquals(List.of("drctl-fence-dbms-1 10.1.0.0/24 DRCTL", DR_SITE + " 10.2.0.0/24 FOREIGN", DR_SITE + " 10.3.0.5/32 FOREIGN",
                        "BlockRangeHighPorts 10.5.0.1/32 FOREIGN", "BlockRangeHighPorts 2001:db8:10::/64 FOREIGN"),
                p.blocking().stream().map(b -> WindowsRuleDefinition.fromJson(b.text()).name() + " " + b.source() + " " + b.origin()).toList(),
                "disabled, UDP, keyword-port and keyword-address rules do not fence the port");
        assertEquals(List.of(Cidr.parse("10.3.0.0/24"), Cidr.parse("10.4.0.7/32"), Cidr.parse("10.5.0.0/24")), p.unblocked(),
                "one host of a /24 and a range are partial blocks; the all-ports quarantine rule is not a fence of 5432");
        assertEquals(List.of("QuarantineHost"), p.alsoBlocking().stream().map(b -> WindowsRuleDefinition.fromJson(b.text()).name()).toList());
        assertEquals(2, p.foreign().size(), "each rule once");
        assertEquals(FencePersistence.State.BUILT_IN, p.persistence().state());
        WindowsRuleDefinition d = WindowsRuleDefinition.fromJson(p.foreign().get(0).text());
        assertEquals(List.of("Block PostgreSQL from DR site (CHG-4711)", "manual fence, see runbook 7.3", "Domain, Private"),
                List.of(d.displayName(), d.description(), d.profile()));
        assertEquals(List.of("10.2.0.0/255.255.255.0", "10.3.0.5"), d.remoteAddress(), "addresses recorded as Windows printed them");
        String script = decode(r.commands().get(0));
        assertTrue(script.contains("Get-NetFirewallRule -Direction Inbound -Action Block") && script.contains("Get-NetFirewallApplicationFilter"), script);
    }

    @Test
    void remove_cmdlets_deletesForeignAndDrctlRulesByName_journalsDefinitionsFirst_restoreRecreatesThem() throws Exception {
        String after = without(INBOUND_JSON, "drctl-fence-dbms-1", DR_SITE, "BlockRangeHighPorts");
        List<BlockingRule> journaled = new java.util.ArrayList<>();
        ScriptedRunner r = new ScriptedRunner(OsFamily.WINDOWS).any(0, INBOUND_JSON).any(0, "").any(0, after);
        WindowsFirewallBackend b = new WindowsFirewallBackend(r, WindowsFirewallBackend.Mode.CMDLETS);
        FenceChange c = b.remove(WIDE, rules -> {
            assertEquals(1, r.commands().size(), "journaled before the removal script runs");
            journaled.addAll(rules);
        });
        assertTrue(r.exhausted());
        assertEquals(3, c.removedRules().size());
        assertEquals(2, c.removedForeign().size());
        assertEquals(c.removedRules(), journaled);
        String script = decode(r.commands().get(1));
        assertTrue(script.contains("Remove-NetFirewallRule -Name 'drctl-fence-dbms-1'")
                && script.contains("Remove-NetFirewallRule -Name '" + DR_SITE + "'")
                && script.contains("Remove-NetFirewallRule -Name 'BlockRangeHighPorts'"), script);
        assertFalse(script.contains("QuarantineHost"), "an all-ports rule is reported, never removed");

        ScriptedRunner back = new ScriptedRunner(OsFamily.WINDOWS).any(0, after).any(0, "");
        FenceChange restored = new WindowsFirewallBackend(back, WindowsFirewallBackend.Mode.CMDLETS).restore(WIDE, c.removedForeign());
        assertEquals(2, restored.removedRules().size());
        String create = decode(back.commands().get(1));
        assertTrue(create.contains("New-NetFirewallRule -Name '" + DR_SITE + "' -DisplayName 'Block PostgreSQL from DR site (CHG-4711)'"
                + " -Description 'manual fence, see runbook 7.3' -Enabled True -Profile 'Domain, Private' -Direction 'Inbound' -Action 'Block'"
                + " -Protocol 'TCP' -LocalPort @('5432', '6432') -RemotePort @('Any') -LocalAddress @('Any')"
                + " -RemoteAddress @('10.2.0.0/255.255.255.0', '10.3.0.5') | Out-Null"), create);
        assertTrue(create.contains("-Name 'BlockRangeHighPorts'") && create.contains(" -Group 'Ops'")
                && create.contains("-RemoteAddress @('10.5.0.1-10.5.0.9', '2001:db8:10::/64') -Program 'C:\\Program Files\\PostgreSQL\\16\\bin\\postgres.exe'"), create);

        ScriptedRunner again = new ScriptedRunner(OsFamily.WINDOWS).any(0, INBOUND_JSON);
        assertTrue(new WindowsFirewallBackend(again, WindowsFirewallBackend.Mode.CMDLETS).restore(WIDE, c.removedForeign()).removedRules().isEmpty(),
                "rules listed again are left alone");
        assertEquals(1, again.commands().size());
    }

    @Test
    void netsh_probeRemoveRestore_foreignBlockRule() throws Exception {
        Fence f = Fence.tcp("dbms", 5432, List.of("10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"));
        ScriptedRunner r = new ScriptedRunner(OsFamily.WINDOWS).any(0, INBOUND_NETSH);
        FenceProbe p = new WindowsFirewallBackend(r, WindowsFirewallBackend.Mode.NETSH).probe(f);
        assertEquals(List.of("drctl-fence-dbms-1 DRCTL", "Block PostgreSQL from DR site FOREIGN", "Block PostgreSQL from DR site FOREIGN"),
                p.blocking().stream().map(b -> WindowsRuleDefinition.fromJson(b.text()).name() + " " + b.origin()).toList(),
                "the Allow rule and the disabled Block rule do not count");
        assertEquals(List.of(Cidr.parse("10.3.0.0/24")), p.unblocked());

        String after = INBOUND_NETSH.substring(INBOUND_NETSH.indexOf("Rule Name:                            Remote Desktop"));
        ScriptedRunner rm = new ScriptedRunner(OsFamily.WINDOWS).any(0, INBOUND_NETSH).any(0, "Deleted 1 rule(s).\r\nOk.\r\n").any(0, after);
        FenceChange c = new WindowsFirewallBackend(rm, WindowsFirewallBackend.Mode.NETSH).remove(f);
        String script = decode(rm.commands().get(1));
        assertTrue(script.contains("& netsh.exe advfirewall firewall delete rule 'name=Block PostgreSQL from DR site' 'dir=in' 'protocol=TCP'"
                + " 'localport=5432,6432' 'remoteip=10.2.0.0/24,10.3.0.5/32'; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }"), script);
        assertTrue(script.contains("'name=drctl-fence-dbms-1'"), script);

        ScriptedRunner back = new ScriptedRunner(OsFamily.WINDOWS).any(0, after).any(0, "Ok.\r\n");
        new WindowsFirewallBackend(back, WindowsFirewallBackend.Mode.NETSH).restore(f, c.removedForeign());
        String create = decode(back.commands().get(1));
        assertTrue(create.contains("& netsh.exe advfirewall firewall add rule 'name=Block PostgreSQL from DR site' 'dir=in' 'action=block'"
                + " 'enable=yes' 'profile=domain,private' 'protocol=TCP' 'localport=5432,6432' 'remoteport=Any' 'localip=Any'"
                + " 'remoteip=10.2.0.0/24,10.3.0.5/32' 'description=manual fence, see runbook 7.3'"), create);
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
        String script = decode(r.commands().get(0));
        assertTrue(script.contains("Get-NetFirewallRule -Group 'drctl'") && script.contains("$_.Name -like 'drctl-fence-dbms-*'"), script);
        assertTrue(script.contains("Get-NetFirewallAddressFilter") && script.contains("ConvertTo-Json -InputObject $out"), script);
    }

    @Test
    void apply_alreadyFenced_sendsNoNewRule() throws Exception {
        String json = Resources.read("windows/get-netfirewallrule-drctl-handwritten.json");
        ScriptedRunner r = new ScriptedRunner(OsFamily.WINDOWS).any(0, json).any(0, json);
        FenceChange c = new WindowsFirewallBackend(r, WindowsFirewallBackend.Mode.CMDLETS).apply(FENCE, LockoutGuard.of(22, "10.9.9.9"));
        assertFalse(c.changed());
        assertEquals(2, r.commands().size());
        assertTrue(r.commands().stream().map(WindowsFirewallBackendTest::decode).noneMatch(s -> s.contains("New-NetFirewallRule -Name")));
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
