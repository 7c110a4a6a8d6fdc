package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.HostAccessException;
import io.drctl.testing.ScriptedRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

class IptablesBackendTest {

    private static final String V4 = Resources.read("linux/iptables-S-INPUT.txt");
    private static final String V6 = Resources.read("linux/ip6tables-S-INPUT.txt");
    private static final String MANUAL = Resources.read("linux/iptables-S-manual-fence.txt");
    private static final String MANUAL_SAVE = Resources.read("linux/iptables-save-manual-fence.txt");
    private static final LockoutGuard GUARD = LockoutGuard.of(22, "192.0.2.1");
    private static final Fence MANUAL_FENCE = Fence.tcp("dbms", 5432, List.of("10.78.1.0/24", "10.78.2.0/24"));

    /** A backend that never looks for persisted rules (the host has none). */
    private static IptablesBackend backend(ScriptedRunner r) {
        return new IptablesBackend(r, IptablesBackend.Position.INSERT_FIRST, List.of(), java.time.Duration.ofSeconds(5));
    }

    @Test
    void parseListing_realCapture_findsOnlyExactTag() throws Exception {
        List<FirewallRule> rules = IptablesRuleText.parseListing(V4, "dbms", "t");
        assertEquals(3, rules.size(), rules.toString());
        assertEquals(Cidr.parse("10.78.0.3/32"), rules.get(0).source());
        assertEquals(5432, rules.get(0).port());
        assertEquals(Cidr.parse("10.78.0.0/24"), rules.get(1).source());
        assertEquals(6432, rules.get(2).port());
        assertEquals("'-s' '10.78.0.3/32' '-p' 'tcp' '-m' 'tcp' '--dport' '5432' '-m' 'comment' '--comment' 'drctl:fence:dbms' '-j' 'REJECT' '--reject-with' 'tcp-reset'",
                rules.get(0).ref());
        assertEquals(1, IptablesRuleText.parseListing(V4, "dbms2", "t").size());
        assertEquals(0, IptablesRuleText.parseListing(V4, "dbm", "t").size(), "a tag prefix is not a match");
    }

    @Test
    void parseListing_realIp6Capture_canonicalisesSources() throws Exception {
        List<FirewallRule> rules = IptablesRuleText.parseListing(V6, "dbms", "t");
        assertEquals(List.of(Cidr.parse("fd00:78::3/128"), Cidr.parse("2001:db8:0:0:1::/80")), rules.stream().map(FirewallRule::source).toList());
    }

    @Test
    void probe_realCaptures_sortsPresentMissingUnexpected() throws Exception {
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S", 0, V4).on("ip6tables -w -S", 0, V6);
        FenceProbe p = backend(r).probe(Fence.tcp("dbms", 5432, List.of("10.78.0.3/32", "10.78.0.0/24", "10.99.0.0/16", "fd00:78::3")));
        assertEquals(3, p.present().size());
        assertEquals(List.of(Cidr.parse("10.99.0.0/16")), p.missing());
        assertEquals(2, p.unexpected().size(), "port 6432 and 2001:db8:0:0:1::/80 are tagged but not asked for");
    }

    @Test
    void words_quotedCommentWithSpacesAndEscapes() throws Exception {
        assertEquals(List.of("-A", "INPUT", "--comment", "ops: keep \"db\" closed", "-j", "DROP"),
                IptablesRuleText.words("-A INPUT --comment \"ops: keep \\\"db\\\" closed\" -j DROP", "t"));
        FirewallException e = assertThrows(FirewallException.class, () -> IptablesRuleText.words("-A INPUT --comment \"open", "t"));
        assertEquals(FirewallException.Kind.UNEXPECTED_OUTPUT, e.kind());
    }

    @Test
    void apply_checksBeforeAdding_andAddsOnlyWhatIsMissing() throws Exception {
        String empty = "-P INPUT ACCEPT\n";
        String after = empty + "-A INPUT -s 10.78.0.3/32 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n";
        String after6 = empty + "-A INPUT -s fd00:78::3/128 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n";
        ScriptedRunner r = new ScriptedRunner()
                .on("iptables -w -S", 0, empty).on("ip6tables -w -S", 0, empty)
                // per source, in one shell command: -C, then -I only where -C says the rule is not there (exit 1)
                .on("iptables -w -C INPUT -p tcp -s 10.78.0.3/32 --dport 5432 -m comment --comment 'drctl:fence:dbms' -j REJECT --reject-with tcp-reset", 1, "")
                .on("iptables -w -I INPUT 1 -p tcp -s 10.78.0.3/32 --dport 5432 -m comment --comment 'drctl:fence:dbms' -j REJECT --reject-with tcp-reset", 0, "")
                .on("ip6tables -w -C INPUT -p tcp -s fd00:78::3/128 ", 1, "")
                .on("ip6tables -w -I INPUT 1 -p tcp -s fd00:78::3/128 ", 0, "")
                .on("if command -v conntrack", 0, "tcp      6 431999 ESTABLISHED src=10.78.0.3 dst=10.78.0.2 sport=40000 dport=5432\n")
                .on("iptables -w -S", 0, after).on("ip6tables -w -S", 0, after6);
        FenceChange c = backend(r).apply(Fence.tcp("dbms", 5432, List.of("10.78.0.3", "fd00:78::3")), GUARD);
        assertEquals(2, c.added().size());
        assertTrue(c.changed());
        assertFalse(c.persisted());
        assertTrue(c.toString().contains("not persisted: the host has no firewall persistence"), c.toString());
        assertTrue(c.notes().contains("conntrack: 1 live connection(s) from the sources cut"), c.notes().toString());
        assertTrue(r.exhausted());
    }

    @Test
    void apply_whenAlreadyFenced_runsNoWritingCommand() throws Exception {
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S", 0, V4).on("ip6tables -w -S", 0, V6)
                .on("iptables -w -S", 0, V4).on("ip6tables -w -S", 0, V6);
        FenceChange c = backend(r).apply(Fence.tcp("dbms", 5432, List.of("10.78.0.3/32")), GUARD);
        assertFalse(c.changed());
        assertEquals(1, c.satisfied().size());
        assertTrue(r.commands().stream().noneMatch(cmd -> cmd.contains(" -A ") || cmd.contains(" -I ")), r.commands().toString());
    }

    @Test
    void apply_ruleAppearedAfterProbe_checkSeesIt_noAppend() throws Exception {
        String empty = "-P INPUT ACCEPT\n";
        String now = empty + "-A INPUT -s 10.78.0.3/32 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n";
        ScriptedRunner r = new ScriptedRunner()
                .on("iptables -w -S", 0, empty).on("ip6tables -w -S", 0, empty)
                .on("iptables -w -C INPUT ", 0, "")
                .on("if command -v conntrack", 0, "drctl-conntrack: absent\n")
                .on("iptables -w -S", 0, now).on("ip6tables -w -S", 0, empty);
        FenceChange c = backend(r).apply(Fence.tcp("dbms", 5432, List.of("10.78.0.3")), GUARD);
        assertTrue(r.exhausted());
        assertTrue(r.commands().stream().noneMatch(cmd -> cmd.contains(" -A ") || cmd.contains(" -I ")), r.commands().toString());
        assertEquals(1, c.added().size(), "reported as new since the probe, yet never added twice");
        assertTrue(c.notes().get(0).startsWith("conntrack not installed"), c.notes().toString());
    }

    @Test
    void remove_deletesEveryBlockingRuleByItsListedSpec_journalsThemFirst() throws Exception {
        // every rule on 5432 whose source overlaps 10.78.0.3/32 blocks it, whoever wrote it; the 6432 one is tagged (stale)
        String left = "-P INPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n";
        List<List<BlockingRule>> journaled = new java.util.ArrayList<>();
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S", 0, V4).on("ip6tables -w -S", 0, "-P INPUT ACCEPT\n")
                .on("iptables -w -D INPUT '-s' '10.78.0.3/32' ", 0, "")
                .on("iptables -w -D INPUT '-s' '10.78.0.0/24' ", 0, "")
                .on("iptables -w -D INPUT '-p' 'tcp' '-m' 'tcp' '--dport' '5432' '-m' 'comment' '--comment' 'ops: keep db closed' '-j' 'DROP'", 0, "")
                .on("iptables -w -D INPUT '-s' '10.78.0.9/32' ", 1, "") // gone meanwhile: not counted
                .on("iptables -w -S", 0, left).on("ip6tables -w -S", 0, "-P INPUT ACCEPT\n");
        FenceChange c = backend(r).remove(Fence.tcp("dbms", 5432, List.of("10.78.0.3/32")), rules -> {
            assertTrue(r.commands().stream().noneMatch(cmd -> cmd.contains(" -D ")), "journaled before the first delete");
            journaled.add(rules);
        });
        assertEquals(2, c.removed().size(), "drctl's two tagged rules that were deleted");
        assertEquals(3, c.removedRules().size());
        assertEquals(1, c.removedForeign().size());
        assertEquals("-A INPUT -p tcp -m tcp --dport 5432 -m comment --comment \"ops: keep db closed\" -j DROP", c.removedForeign().get(0).text());
        assertEquals(4, journaled.get(0).size());
        assertTrue(r.exhausted());
    }

    @Test
    void apply_guardRefuses_beforeAnyCommand() {
        ScriptedRunner r = new ScriptedRunner();
        FirewallException e = assertThrows(FirewallException.class,
                () -> backend(r).apply(Fence.tcp("ssh", 22, List.of("10.0.0.0/8")), GUARD));
        assertEquals(FirewallException.Kind.LOCKOUT_REFUSED, e.kind());
        assertTrue(r.commands().isEmpty());
    }

    @Test
    void probe_errorsClassifiedByExitCode() {
        FirewallException missing = assertThrows(FirewallException.class,
                () -> backend(new ScriptedRunner().any(127, "").any(127, "")).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
        assertEquals(FirewallException.Kind.BACKEND_MISSING, missing.kind());
        FirewallException perm = assertThrows(FirewallException.class,
                () -> backend(new ScriptedRunner().any(4, "").any(4, "")).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
        assertEquals(FirewallException.Kind.PERMISSION_DENIED, perm.kind());
        FirewallException other = assertThrows(FirewallException.class,
                () -> backend(new ScriptedRunner().any(2, "").any(2, "").on("id -u", 0, "0\n")).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
        assertEquals(FirewallException.Kind.COMMAND_FAILED, other.kind());
        assertTrue(other.getMessage().contains("got 2"), other.getMessage());
    }

    @Test
    void probe_hostUnreachable_isTypedAndRetriable() {
        ScriptedRunner r = new ScriptedRunner().fail(new HostAccessException(HostAccessException.Kind.UNREACHABLE, "ssh root@192.0.2.30:22", "connection refused"));
        FirewallException e = assertThrows(FirewallException.class, () -> backend(r).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
        assertEquals(FirewallException.Kind.HOST_UNREACHABLE, e.kind());
        assertTrue(e.isRetriable());
        assertEquals("ssh root@192.0.2.30:22", e.target());
    }

    @Test
    void persistence_rejectsUnsafePaths_andQuotesFiles() {
        assertThrows(IllegalArgumentException.class, () -> new IptablesBackend.Persistence("/etc/x; rm -rf /", "/etc/y"));
        assertThrows(IllegalArgumentException.class, () -> new IptablesBackend.Persistence("relative", "/etc/y"));
        assertThrows(IllegalArgumentException.class, () -> new IptablesBackend.Persistence("/etc/../x", "/etc/y"));
        assertEquals("/etc/iptables/rules.v4", IptablesBackend.Persistence.DEBIAN.v4File());
        assertEquals("/etc/sysconfig/iptables", IptablesBackend.Persistence.RHEL.v4File());
    }

    @Test
    void probe_manualFenceCapture_findsUntaggedRulesByEffect() throws Exception {
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S", 0, MANUAL).on("ip6tables -w -S", 0, "-P INPUT ACCEPT\n");
        FenceProbe p = backend(r).probe(MANUAL_FENCE);

        assertEquals(List.of(
                "-A INPUT -s 10.78.1.0/24 -p tcp -m tcp --dport 5432 -j REJECT --reject-with icmp-port-unreachable",
                "-A INPUT -s 10.78.2.0/24 -p tcp -m tcp --dport 5432 -j REJECT --reject-with icmp-port-unreachable",
                "-A DBFENCE -s 10.78.1.5/32 -j DROP",
                "-A INPUT -s 10.78.1.0/24 -p tcp -m multiport --dports 5400:5500,6432 -j DROP",
                "-A INPUT -s 10.78.2.0/24 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset"),
                p.blocking().stream().map(BlockingRule::text).toList(),
                "udp, other-source, negated and ACCEPT rules are not fences; the jumped-to chain inherits the port");
        assertEquals(4, p.foreign().size());
        assertEquals(List.of(4, 5, 2, 9, 12), p.blocking().stream().map(BlockingRule::position).toList());
        assertEquals("DBFENCE", p.blocking().get(2).chain());
        assertTrue(p.blocking().subList(0, 4).stream().allMatch(BlockingRule::effective), "ESTABLISHED,RELATED and lo ACCEPTs do not shadow");
        assertFalse(p.blocking().get(4).effective(), "the drctl rule sits behind the port ACCEPT");
        assertEquals(List.of("-A INPUT -s 10.78.1.7/32 -j DROP"), p.alsoBlocking().stream().map(BlockingRule::text).toList());
        assertTrue(p.isBlocked(), "both sources are rejected by the hand-made rules");
        assertFalse(p.isFenced(), "drctl's own rule for 10.78.2.0/24 is shadowed, none for 10.78.1.0/24");
        assertFalse(p.isOpen());
        assertEquals("fenced by 1 drctl rule(s), 4 rule(s) drctl did not write, 1 of them shadowed by an earlier ACCEPT", p.describe());
    }

    @Test
    void probe_foreignRejectBehindPortAccept_isNotEffective() throws Exception {
        String listing = "-P INPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT\n"
                + "-A INPUT -s 10.78.1.0/24 -p tcp -m tcp --dport 5432 -j REJECT --reject-with icmp-port-unreachable\n";
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S", 0, listing).on("ip6tables -w -S", 0, "");
        FenceProbe p = backend(r).probe(Fence.tcp("dbms", 5432, List.of("10.78.1.0/24")));
        assertEquals(1, p.blocking().size());
        assertFalse(p.isBlocked());
        assertEquals(List.of(Cidr.parse("10.78.1.0/24")), p.unblocked());
    }

    @Test
    void apply_shadowedDrctlRule_isMovedFirst() throws Exception {
        String before = "-P INPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT\n"
                + "-A INPUT -s 10.78.2.0/24 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n";
        String after = "-P INPUT ACCEPT\n"
                + "-A INPUT -s 10.78.2.0/24 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n"
                + "-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT\n";
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S", 0, before).on("ip6tables -w -S", 0, "")
                .on("iptables -w -D INPUT '-s' '10.78.2.0/24' ", 0, "")
                .on("iptables -w -C INPUT -p tcp -s 10.78.2.0/24 ", 1, "")
                .on("iptables -w -I INPUT 1 -p tcp -s 10.78.2.0/24 ", 0, "")
                .on("if command -v conntrack", 0, "")
                .on("iptables -w -S", 0, after).on("ip6tables -w -S", 0, "");
        FenceChange c = backend(r).apply(Fence.tcp("dbms", 5432, List.of("10.78.2.0/24")), GUARD);
        assertTrue(r.exhausted(), r.commands().toString());
        assertEquals(1, c.added().size());
    }

    @Test
    void restore_reinsertsRemovedRulesVerbatimAtTheirPositions() throws Exception {
        String now = "-P INPUT ACCEPT\n-N DBFENCE\n-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
                + "-A INPUT -p tcp -m tcp --dport 5432 -j DBFENCE\n";
        List<BlockingRule> removed = List.of(
                new BlockingRule("iptables", "ipv4", "filter", "INPUT", 3,
                        "-A INPUT -s 10.78.2.0/24 -p tcp -m tcp --dport 5432 -j REJECT --reject-with icmp-port-unreachable",
                        Cidr.parse("10.78.2.0/24"), BlockingRule.Origin.FOREIGN, true),
                new BlockingRule("iptables", "ipv4", "filter", "INPUT", 2,
                        "-A INPUT -s 10.78.1.0/24 -p tcp -m tcp --dport 5432 -j REJECT --reject-with icmp-port-unreachable",
                        Cidr.parse("10.78.1.0/24"), BlockingRule.Origin.FOREIGN, true),
                new BlockingRule("iptables", "ipv4", "filter", "DBFENCE", 1, "-A DBFENCE -s 10.78.1.5/32 -j DROP",
                        Cidr.parse("10.78.1.5/32"), BlockingRule.Origin.FOREIGN, true));
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S", 0, now).on("ip6tables -w -S", 0, "")
                .on("iptables -w -I DBFENCE 1 '-s' '10.78.1.5/32' '-j' 'DROP'", 0, "")
                .on("iptables -w -I INPUT 2 '-s' '10.78.1.0/24' '-p' 'tcp' '-m' 'tcp' '--dport' '5432' '-j' 'REJECT' '--reject-with' 'icmp-port-unreachable'", 0, "")
                .on("iptables -w -I INPUT 3 '-s' '10.78.2.0/24' ", 0, "")
                .on("if command -v conntrack", 0, "")
                .on("iptables -w -S", 0, now).on("ip6tables -w -S", 0, "");
        FenceChange c = backend(r).restore(MANUAL_FENCE, removed);
        assertEquals(3, c.removedRules().size());
        assertTrue(c.notes().stream().anyMatch(n -> n.startsWith("conntrack: ")), "restoring a fence cuts live connections: " + c.notes());
        assertTrue(r.exhausted(), r.commands().toString());

        ScriptedRunner again = new ScriptedRunner().on("iptables -w -S", 0, MANUAL).on("ip6tables -w -S", 0, "")
                .on("iptables -w -S", 0, MANUAL).on("ip6tables -w -S", 0, "");
        List<BlockingRule> atManualPositions = List.of(new BlockingRule("iptables", "ipv4", "filter", "INPUT", 4,
                "-A INPUT -s 10.78.1.0/24 -p tcp -m tcp --dport 5432 -j REJECT --reject-with icmp-port-unreachable",
                Cidr.parse("10.78.1.0/24"), BlockingRule.Origin.FOREIGN, true));
        assertTrue(backend(again).restore(MANUAL_FENCE, atManualPositions).removedRules().isEmpty(), "already back: nothing inserted");
        assertTrue(again.commands().stream().noneMatch(x -> x.contains(" -I ")), again.commands().toString());
    }

    @Test
    void probe_persistedRulesFile_saysWhetherTheFenceSurvivesAReboot() throws Exception {
        IptablesBackend.Persistence p = new IptablesBackend.Persistence("/srv/t/rules.v4", "/srv/t/rules.v6");
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S", 0, MANUAL).on("ip6tables -w -S", 0, "")
                .on("for f in '/srv/t/rules.v4' '/srv/t/rules.v6'; do", 0, "drctl-file: /srv/t/rules.v4\n" + MANUAL_SAVE);
        FenceProbe probe = new IptablesBackend(r, IptablesBackend.Position.INSERT_FIRST, List.of(p), java.time.Duration.ofSeconds(5))
                .probe(MANUAL_FENCE);
        assertEquals(FencePersistence.State.SAVED, probe.persistence().state());
        assertTrue(probe.persistence().survivesReboot(MANUAL_FENCE, true));
        assertEquals("persisted in /srv/t/rules.v4", probe.persistence().describe(MANUAL_FENCE, true));
        assertEquals("a reboot would bring back 5 blocking rule(s) from /srv/t/rules.v4", probe.persistence().describe(MANUAL_FENCE, false));

        String saveWithoutFence = MANUAL_SAVE.lines().filter(l -> !l.contains("-s 10.78.1.0/24 -p tcp"))
                .reduce("", (a, b) -> a + b + "\n");
        ScriptedRunner r2 = new ScriptedRunner().on("iptables -w -S", 0, MANUAL).on("ip6tables -w -S", 0, "")
                .on("for f in", 0, "drctl-file: /srv/t/rules.v4\n" + saveWithoutFence);
        FencePersistence lacking = new IptablesBackend(r2, IptablesBackend.Position.INSERT_FIRST, List.of(p), java.time.Duration.ofSeconds(5))
                .probe(MANUAL_FENCE).persistence();
        assertFalse(lacking.survivesReboot(MANUAL_FENCE, true));
        assertEquals("would NOT survive a reboot: /srv/t/rules.v4 block(s) only [10.78.2.0/24]", lacking.describe(MANUAL_FENCE, true));

        ScriptedRunner none = new ScriptedRunner().on("iptables -w -S", 0, MANUAL).on("ip6tables -w -S", 0, "").on("for f in", 0, "");
        FencePersistence nothing = new IptablesBackend(none).probe(MANUAL_FENCE).persistence();
        assertEquals(FencePersistence.State.NONE, nothing.state());
        assertTrue(nothing.describe(MANUAL_FENCE, true).startsWith("not persisted: the host has no firewall persistence"), nothing.detail());
    }
}
