package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.testing.ScriptedRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftablesBackendTest {

    private static final String CAPTURE = Resources.read("linux/nft-list-table.txt");
    private static final String TABLE = CAPTURE.substring(0, CAPTURE.indexOf("---"));

    /** Real listings ({@code nft -j list ruleset}, the mark, {@code nft -a list ruleset}), see resources/README.md. */
    private static final String MIXED = Resources.read("linux/nft-ruleset-mixed.txt");
    private static final String FOREIGN = Resources.read("linux/nft-ruleset-foreign-reject.txt");
    private static final String FOREIGN_AND_DRCTL = Resources.read("linux/nft-ruleset-foreign-reject-and-drctl.txt");
    private static final String EMPTY_DRCTL = Resources.read("linux/nft-ruleset-unfenced-empty-drctl.txt");
    private static final String UNFENCED = Resources.read("linux/nft-ruleset-unfenced.txt");

    private static final String LIST = "nft -j list ruleset && echo 'drctl-nft: text listing' && nft -a list ruleset";
    private static final String FOREIGN_REJECT = "ip saddr 10.78.0.3 tcp dport 15432 reject with icmp port-unreachable";
    private static final Fence FENCE = Fence.tcp("dbms", 15432, List.of("10.78.0.3/32", "10.78.0.4/32"));
    private static final LockoutGuard GUARD = LockoutGuard.of(22, "192.0.2.1");

    /** A backend whose host has no boot-time nft file configured. */
    private static NftablesBackend backend(ScriptedRunner r) {
        return new NftablesBackend(r, List.of(), Duration.ofSeconds(5));
    }

    @Test
    void parseTable_realCapture_findsRulesAndHandles() throws Exception {
        List<FirewallRule> rules = NftRuleText.parseTable(TABLE, "dbms", "t");
        assertEquals(2, rules.size());
        assertEquals(Cidr.parse("10.78.0.3/32"), rules.get(0).source());
        assertEquals("2", rules.get(0).ref());
        assertEquals(Cidr.parse("fd00:78::3/128"), rules.get(1).source());
        assertEquals("3", rules.get(1).ref());
        assertEquals(6432, NftRuleText.parseTable(TABLE, "pgbouncer", "t").get(0).port());
        assertEquals(0, NftRuleText.parseTable(TABLE, "ops-manual", "t").size(), "only drctl:fence: tags");
        assertEquals(4, NftRuleText.countRules(TABLE));
    }

    @Test
    void parseTable_taggedRuleOfUnknownShape_isUnexpectedOutput() {
        String odd = "table inet drctl {\n\tchain input {\n\t\ttcp dport 5432 accept comment \"drctl:fence:dbms\" # handle 9\n\t}\n}\n";
        FirewallException e = assertThrows(FirewallException.class, () -> NftRuleText.parseTable(odd, "dbms", "t"));
        assertEquals(FirewallException.Kind.UNEXPECTED_OUTPUT, e.kind());
    }

    @Test
    void probe_foreignRejectBehindEstablishedAccept_isFoundWithOriginAndExactText() throws Exception {
        ScriptedRunner r = new ScriptedRunner().on(LIST, 0, FOREIGN);
        FenceProbe p = backend(r).probe(Fence.tcp("dbms", 15432, List.of("10.78.0.3/32")));

        assertEquals(1, p.blocking().size(), p.blocking().toString());
        BlockingRule b = p.blocking().get(0);
        assertEquals(BlockingRule.Origin.FOREIGN, b.origin());
        assertEquals(List.of("nft", "inet", "filter", "input"), List.of(b.backend(), b.family(), b.table(), b.chain()));
        assertEquals(FOREIGN_REJECT, b.text());
        assertEquals(4, b.handle());
        assertEquals(3, b.position());
        assertTrue(b.effective(), "ct state established,related and iif lo accepts admit no new connection");
        assertTrue(p.isBlocked());
        assertFalse(p.isFenced(), "no drctl rule: fenced by effect only");
        assertEquals("fenced by 1 rule(s) drctl did not write", p.describe());
        assertEquals(FencePersistence.State.NONE, p.persistence().state());
    }

    @Test
    void probe_mixedCapture_judgesEveryTableByEffect() throws Exception {
        ScriptedRunner r = new ScriptedRunner().on(LIST, 0, MIXED);
        Fence f = Fence.tcp("dbms", 5432, List.of("10.78.0.0/24", "10.78.1.0/24", "10.78.2.0/29", "10.78.3.0/24", "10.78.4.0/24",
                "10.78.5.0/24", "10.78.6.0/24", "10.78.7.7/32", "10.78.8.8/32", "fd00:78::3/128"));
        FenceProbe p = backend(r).probe(f);

        List<String> seen = p.blocking().stream().map(b -> b.table() + "/" + b.chain() + "#" + b.handle() + " " + b.source()
                + (b.effective() ? "" : " shadowed") + (b.foreign() ? "" : " drctl")).toList();
        assertEquals(List.of(
                "drctl/input#2 10.78.0.0/24 drctl",
                "filter/input#5 10.78.1.0/24",
                "filter/input#8 10.78.2.5/32",
                "filter/input#8 10.78.3.0/24",
                "filter/dbfence#11 10.78.4.0/24",
                "filter/input#14 10.78.6.0/24",
                "filter/input#19 10.78.1.0/24 shadowed",
                "filter/input#16 10.78.7.7/32 shadowed",
                "legacy/INPUT#2 10.78.5.7/32",
                "drctl/input#3 fd00:78::3/128 drctl",
                "filter/input#18 fd00:78::/64 shadowed"), seen,
                "th dport, anonymous and named sets, a jumped-to chain and another table's chain count; the drctl chain runs first");
        assertTrue(p.blocking().get(8).effective(), "an accept in inet filter does not shadow a reject in ip legacy: only drop is final");
        assertEquals("ip saddr 10.78.1.0/24 th dport 5432 counter packets 0 bytes 0 drop comment \"ops: keep db closed\"", p.blocking().get(1).text());
        assertEquals("ip saddr { 10.78.2.5, 10.78.3.0/24 } tcp dport { 5432, 6432 } reject with icmpx admin-prohibited", p.blocking().get(2).text());
        assertEquals(List.of("ip saddr 10.78.8.8 drop"), p.alsoBlocking().stream().map(BlockingRule::text).toList());
        assertEquals(List.of(Cidr.parse("10.78.2.0/29"), Cidr.parse("10.78.5.0/24"), Cidr.parse("10.78.7.7/32"), Cidr.parse("10.78.8.8/32")),
                p.unblocked(), "one host of a /29 or a /24 is a partial block; a shadowed rule and an all-ports rule do not fence the port");
        assertEquals(2, p.present().size());
        assertTrue(p.describe().startsWith("partly fenced"), p.describe());
        assertTrue(p.describe().contains("2 drctl rule(s), 8 rule(s) drctl did not write, 3 of them shadowed"), "the set rule counts once: " + p.describe());
    }

    @Test
    void apply_addsOnlyUnblockedSources_inDrctlChainAheadOfFilter_andCutsConnections() throws Exception {
        ScriptedRunner r = new ScriptedRunner()
                .on(LIST, 0, FOREIGN)
                .on("nft 'add table inet drctl; add chain inet drctl input { type filter hook input priority filter - 10; policy accept; }; "
                        + "insert rule inet drctl input ip saddr 10.78.0.4/32 tcp dport 15432 counter reject with tcp reset comment \"drctl:fence:dbms\"'", 0, "")
                .on("if command -v conntrack", 0, "tcp      6 431999 ESTABLISHED src=10.78.0.4 dst=10.78.0.2 sport=40000 dport=15432\n")
                .on(LIST, 0, FOREIGN_AND_DRCTL);
        FenceChange c = backend(r).apply(FENCE, GUARD);

        assertTrue(r.exhausted(), r.commands().toString());
        assertEquals(1, c.added().size(), "10.78.0.3 is already refused by the foreign rule: kept, nothing added for it");
        assertEquals(Cidr.parse("10.78.0.4/32"), c.added().get(0).source());
        assertEquals("2", c.added().get(0).ref());
        assertEquals(List.of("conntrack: 1 live connection(s) from the sources cut"), c.notes());
        assertFalse(c.persisted());
        assertTrue(c.toString().contains("not persisted: no boot-time nft file configured"), c.toString());
    }

    @Test
    void apply_whenBlockedByEffect_runsNoWritingCommand() throws Exception {
        ScriptedRunner r = new ScriptedRunner().on(LIST, 0, FOREIGN_AND_DRCTL).on(LIST, 0, FOREIGN_AND_DRCTL);
        FenceChange c = backend(r).apply(FENCE, GUARD);
        assertFalse(c.changed());
        assertEquals(2, r.commands().size(), r.commands().toString());
    }

    @Test
    void apply_withoutConntrack_saysSo() throws Exception {
        ScriptedRunner r = new ScriptedRunner().on(LIST, 0, FOREIGN).on("nft 'add table inet drctl;", 0, "")
                .on("if command -v conntrack", 0, "drctl-conntrack: absent\n").on(LIST, 0, FOREIGN_AND_DRCTL);
        FenceChange c = backend(r).apply(FENCE, GUARD);
        assertTrue(c.notes().get(0).startsWith("conntrack not installed: connections opened before the fence end at their next packet"),
                c.notes().toString());
    }

    @Test
    void remove_deletesForeignAndDrctlRulesByHandleInOneTransaction_journalsExactTextFirst_dropsEmptyTable() throws Exception {
        List<List<BlockingRule>> journaled = new ArrayList<>();
        ScriptedRunner r = new ScriptedRunner()
                .on(LIST, 0, FOREIGN_AND_DRCTL)
                .on("nft 'delete rule inet drctl input handle 2; delete rule inet filter input handle 4'", 0, "")
                .on(LIST, 0, EMPTY_DRCTL)
                .on("nft 'delete table inet drctl'", 0, "")
                .on(LIST, 0, UNFENCED);
        FenceChange c = backend(r).remove(FENCE, rules -> {
            assertTrue(r.commands().stream().noneMatch(x -> x.contains("delete rule")), "journaled before the first delete");
            journaled.add(rules);
        });

        assertTrue(r.exhausted(), r.commands().toString());
        assertEquals(2, c.removedRules().size());
        assertEquals(List.of(FOREIGN_REJECT), c.removedForeign().stream().map(BlockingRule::text).toList());
        assertEquals(3, c.removedForeign().get(0).position());
        assertEquals(1, c.removed().size(), "drctl's own tagged rule");
        assertEquals(c.removedRules(), journaled.get(0));
    }

    @Test
    void remove_ruleGoneMeanwhile_deletesWhatIsLeft() throws Exception {
        ScriptedRunner r = new ScriptedRunner()
                .on(LIST, 0, FOREIGN_AND_DRCTL)
                .on("nft 'delete rule inet drctl input handle 2; delete rule inet filter input handle 4'", 1, "")
                .on(LIST, 0, FOREIGN) // someone else removed drctl's table
                .on("nft 'delete rule inet filter input handle 4'", 0, "")
                .on(LIST, 0, UNFENCED);
        FenceChange c = backend(r).remove(FENCE);
        assertTrue(r.exhausted(), r.commands().toString());
        assertEquals(List.of(FOREIGN_REJECT), c.removedRules().stream().map(BlockingRule::text).toList());
    }

    @Test
    void restore_insertsVerbatimBeforeTheRuleNowAtItsPosition_andNotTwice() throws Exception {
        BlockingRule removed = new BlockingRule("nft", "inet", "filter", "input", 3, FOREIGN_REJECT, Cidr.parse("10.78.0.3/32"),
                BlockingRule.Origin.FOREIGN, true); // as read back from a journal: no handle
        ScriptedRunner r = new ScriptedRunner().on(LIST, 0, UNFENCED)
                .on("nft 'insert rule inet filter input position 5 " + FOREIGN_REJECT + "'", 0, "")
                .on("if command -v conntrack", 0, "");
        FenceChange c = backend(r).restore(FENCE, List.of(removed));
        assertTrue(r.exhausted(), r.commands().toString());
        assertEquals(List.of(removed), c.removedRules());
        assertTrue(c.notes().stream().anyMatch(n -> n.startsWith("conntrack: ")), "restoring a fence cuts live connections: " + c.notes());

        ScriptedRunner again = new ScriptedRunner().on(LIST, 0, FOREIGN);
        assertTrue(backend(again).restore(FENCE, List.of(removed)).removedRules().isEmpty(), "already back: nothing added");
        assertEquals(1, again.commands().size());
    }

    @Test
    void restore_drctlRuleAfterItsTableWasDropped_recreatesTheTable() throws Exception {
        BlockingRule mine = new BlockingRule("nft", "inet", "drctl", "input", 1,
                "ip saddr 10.78.0.4 tcp dport 15432 counter packets 0 bytes 0 reject with tcp reset comment \"drctl:fence:dbms\"",
                Cidr.parse("10.78.0.4/32"), BlockingRule.Origin.DRCTL, true);
        ScriptedRunner r = new ScriptedRunner().on(LIST, 0, UNFENCED)
                .on("nft 'add table inet drctl; add chain inet drctl input { type filter hook input priority filter - 10; policy accept; }; "
                        + "add rule inet drctl input " + mine.text() + "'", 0, "")
                .on("if command -v conntrack", 0, "");
        backend(r).restore(FENCE, List.of(mine));
        assertTrue(r.exhausted(), r.commands().toString());
    }

    @Test
    void restore_iptablesRule_refused() {
        BlockingRule ipt = new BlockingRule("iptables", "ipv4", "filter", "INPUT", 1, "-A INPUT -s 10.78.0.3/32 -j DROP",
                Cidr.parse("10.78.0.3/32"), BlockingRule.Origin.FOREIGN, true);
        FirewallException e = assertThrows(FirewallException.class,
                () -> backend(new ScriptedRunner().on(LIST, 0, UNFENCED)).restore(FENCE, List.of(ipt)));
        assertEquals(FirewallException.Kind.COMMAND_FAILED, e.kind());
    }

    @Test
    void persistence_bootFileLoadedInScratchNetns_saysWhetherAFenceSurvives() throws Exception {
        NftablesBackend.Persistence p = new NftablesBackend.Persistence("/srv/t/nftables.conf", "/srv/t/drctl.nft");
        String boot = "drctl-conf: /srv/t/nftables.conf\ndrctl-boot: loaded\n";
        ScriptedRunner r = new ScriptedRunner().on(LIST, 0, FOREIGN_AND_DRCTL)
                .on("c=; for f in '/srv/t/nftables.conf'; do", 0, boot + FOREIGN_AND_DRCTL);
        FencePersistence saved = new NftablesBackend(r, List.of(p), Duration.ofSeconds(5)).probe(FENCE).persistence();
        assertEquals(FencePersistence.State.SAVED, saved.state());
        assertTrue(saved.survivesReboot(FENCE, true));
        assertEquals("persisted in /srv/t/nftables.conf, /srv/t/drctl.nft", saved.describe(FENCE, true));
        assertEquals("a reboot would bring back 2 blocking rule(s) from /srv/t/nftables.conf, /srv/t/drctl.nft", saved.describe(FENCE, false));
        assertTrue(r.commands().get(1).contains("unshare -n sh -c"), "the boot file is loaded in a throw-away network namespace");

        ScriptedRunner none = new ScriptedRunner().on(LIST, 0, FOREIGN).on("c=;", 0, "drctl-conf: none\n");
        FencePersistence nothing = new NftablesBackend(none, List.of(p), Duration.ofSeconds(5)).probe(FENCE).persistence();
        assertEquals(FencePersistence.State.NONE, nothing.state());
        assertTrue(nothing.detail().startsWith("the host has no nftables boot file"), nothing.detail());

        ScriptedRunner broken = new ScriptedRunner().on(LIST, 0, FOREIGN)
                .on("c=;", 0, "drctl-conf: /srv/t/nftables.conf\ndrctl-boot: failed: /srv/t/nftables.conf:3:1-2: Error: syntax error\n");
        FencePersistence unknown = new NftablesBackend(broken, List.of(p), Duration.ofSeconds(5)).probe(FENCE).persistence();
        assertEquals(FencePersistence.State.UNKNOWN, unknown.state());
        assertTrue(unknown.detail().contains("syntax error"), unknown.detail());
    }

    @Test
    void persistCommand_writesIncludeFileAtomically_andAddsOneIncludeLine() {
        String c = NftPersistence.persistCommand(NftablesBackend.Persistence.DEBIAN);
        assertTrue(c.contains("'add table inet drctl' 'delete table inet drctl'"), c);
        assertTrue(c.contains("nft -s list table inet drctl; fi; } > '/etc/nftables.d/drctl.nft.drctl-tmp' && mv -f "), c);
        assertTrue(c.contains("if ! grep -qxF 'include \"/etc/nftables.d/drctl.nft\"' '/etc/nftables.conf'; then cp -p "), c);
        assertThrows(IllegalArgumentException.class, () -> new NftablesBackend.Persistence("/etc/x; rm -rf /", "/etc/y"));
        assertThrows(IllegalArgumentException.class, () -> new NftablesBackend.Persistence("/etc/nftables.conf", "../y"));
    }

    @Test
    void probe_rulesetChangedBetweenListings_listsAgain() throws Exception {
        String torn = FOREIGN_AND_DRCTL.substring(0, FOREIGN_AND_DRCTL.indexOf("drctl-nft: text listing")) + "drctl-nft: text listing\n"
                + FOREIGN.substring(FOREIGN.indexOf("drctl-nft: text listing") + "drctl-nft: text listing".length());
        ScriptedRunner r = new ScriptedRunner().on(LIST, 0, torn).on(LIST, 0, FOREIGN_AND_DRCTL);
        assertTrue(backend(r).probe(FENCE).isBlocked());
        assertTrue(r.exhausted());
    }

    @Test
    void probe_nftExit1AsNonRoot_isPermissionDenied() {
        ScriptedRunner r = new ScriptedRunner().on(LIST, 1, "").on("id -u", 0, "65534\n");
        FirewallException e = assertThrows(FirewallException.class, () -> backend(r).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
        assertEquals(FirewallException.Kind.PERMISSION_DENIED, e.kind());
    }
}
