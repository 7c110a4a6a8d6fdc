package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.HostAccessException;
import java.util.List;
import org.junit.jupiter.api.Test;

class IptablesBackendTest {

    private static final String V4 = Resources.read("linux/iptables-S-INPUT.txt");
    private static final String V6 = Resources.read("linux/ip6tables-S-INPUT.txt");
    private static final LockoutGuard GUARD = LockoutGuard.of(22, "192.0.2.1");

    @Test
    void parseListing_realCapture_findsOnlyExactTag() throws Exception {
        List<FirewallRule> rules = IptablesBackend.parseListing(V4, "dbms", "t");
        assertEquals(3, rules.size(), rules.toString());
        assertEquals(Cidr.parse("10.78.0.3/32"), rules.get(0).source());
        assertEquals(5432, rules.get(0).port());
        assertEquals(Cidr.parse("10.78.0.0/24"), rules.get(1).source());
        assertEquals(6432, rules.get(2).port());
        assertEquals("'-s' '10.78.0.3/32' '-p' 'tcp' '-m' 'tcp' '--dport' '5432' '-m' 'comment' '--comment' 'drctl:fence:dbms' '-j' 'REJECT' '--reject-with' 'tcp-reset'",
                rules.get(0).ref());
        assertEquals(1, IptablesBackend.parseListing(V4, "dbms2", "t").size());
        assertEquals(0, IptablesBackend.parseListing(V4, "dbm", "t").size(), "a tag prefix is not a match");
    }

    @Test
    void parseListing_realIp6Capture_canonicalisesSources() throws Exception {
        List<FirewallRule> rules = IptablesBackend.parseListing(V6, "dbms", "t");
        assertEquals(List.of(Cidr.parse("fd00:78::3/128"), Cidr.parse("2001:db8:0:0:1::/80")), rules.stream().map(FirewallRule::source).toList());
    }

    @Test
    void probe_realCaptures_sortsPresentMissingUnexpected() throws Exception {
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S INPUT", 0, V4).on("ip6tables -w -S INPUT", 0, V6);
        FenceProbe p = new IptablesBackend(r).probe(Fence.tcp("dbms", 5432, List.of("10.78.0.3/32", "10.78.0.0/24", "10.99.0.0/16", "fd00:78::3")));
        assertEquals(3, p.present().size());
        assertEquals(List.of(Cidr.parse("10.99.0.0/16")), p.missing());
        assertEquals(2, p.unexpected().size(), "port 6432 and 2001:db8:0:0:1::/80 are tagged but not asked for");
    }

    @Test
    void words_quotedCommentWithSpacesAndEscapes() throws Exception {
        assertEquals(List.of("-A", "INPUT", "--comment", "ops: keep \"db\" closed", "-j", "DROP"),
                IptablesBackend.words("-A INPUT --comment \"ops: keep \\\"db\\\" closed\" -j DROP", "t"));
        FirewallException e = assertThrows(FirewallException.class, () -> IptablesBackend.words("-A INPUT --comment \"open", "t"));
        assertEquals(FirewallException.Kind.UNEXPECTED_OUTPUT, e.kind());
    }

    @Test
    void apply_checksBeforeAdding_andAddsOnlyWhatIsMissing() throws Exception {
        String empty = "-P INPUT ACCEPT\n";
        String after = empty + "-A INPUT -s 10.78.0.3/32 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n";
        String after6 = empty + "-A INPUT -s fd00:78::3/128 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n";
        ScriptedRunner r = new ScriptedRunner()
                .on("iptables -w -S INPUT", 0, empty).on("ip6tables -w -S INPUT", 0, empty)
                .on("iptables -w -C INPUT -p tcp -s 10.78.0.3/32 --dport 5432 -m comment --comment 'drctl:fence:dbms' -j REJECT --reject-with tcp-reset", 1, "")
                .on("iptables -w -A INPUT -p tcp -s 10.78.0.3/32 --dport 5432 -m comment --comment 'drctl:fence:dbms' -j REJECT --reject-with tcp-reset", 0, "")
                .on("ip6tables -w -C INPUT -p tcp -s fd00:78::3/128 ", 1, "")
                .on("ip6tables -w -A INPUT -p tcp -s fd00:78::3/128 ", 0, "")
                .on("iptables -w -S INPUT", 0, after).on("ip6tables -w -S INPUT", 0, after6);
        FenceChange c = new IptablesBackend(r).apply(Fence.tcp("dbms", 5432, List.of("10.78.0.3", "fd00:78::3")), GUARD);
        assertEquals(2, c.added().size());
        assertTrue(c.changed());
        assertFalse(c.persisted());
        assertTrue(r.exhausted());
    }

    @Test
    void apply_whenAlreadyFenced_runsNoWritingCommand() throws Exception {
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S INPUT", 0, V4).on("ip6tables -w -S INPUT", 0, V6)
                .on("iptables -w -S INPUT", 0, V4).on("ip6tables -w -S INPUT", 0, V6);
        FenceChange c = new IptablesBackend(r).apply(Fence.tcp("dbms", 5432, List.of("10.78.0.3/32")), GUARD);
        assertFalse(c.changed());
        assertEquals(1, c.satisfied().size());
        assertTrue(r.commands.stream().noneMatch(cmd -> cmd.contains(" -A ") || cmd.contains(" -I ")), r.commands.toString());
    }

    @Test
    void apply_ruleAppearedAfterProbe_checkSeesIt_noAppend() throws Exception {
        String empty = "-P INPUT ACCEPT\n";
        String now = empty + "-A INPUT -s 10.78.0.3/32 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n";
        ScriptedRunner r = new ScriptedRunner()
                .on("iptables -w -S INPUT", 0, empty).on("ip6tables -w -S INPUT", 0, empty)
                .on("iptables -w -C INPUT ", 0, "")
                .on("iptables -w -S INPUT", 0, now).on("ip6tables -w -S INPUT", 0, empty);
        FenceChange c = new IptablesBackend(r).apply(Fence.tcp("dbms", 5432, List.of("10.78.0.3")), GUARD);
        assertTrue(r.exhausted());
        assertTrue(r.commands.stream().noneMatch(cmd -> cmd.contains(" -A ")), r.commands.toString());
        assertEquals(1, c.added().size(), "reported as new since the probe, yet never appended twice");
    }

    @Test
    void remove_deletesEachTaggedRuleByItsListedSpec() throws Exception {
        String left = V4.lines().filter(l -> !l.contains("\"drctl:fence:dbms\"")).reduce("", (a, b) -> a + b + "\n");
        ScriptedRunner r = new ScriptedRunner().on("iptables -w -S INPUT", 0, V4).on("ip6tables -w -S INPUT", 0, "-P INPUT ACCEPT\n")
                .on("iptables -w -D INPUT '-s' '10.78.0.3/32' ", 0, "")
                .on("iptables -w -D INPUT '-s' '10.78.0.0/24' ", 0, "")
                .on("iptables -w -D INPUT '-s' '10.78.0.9/32' ", 1, "") // gone meanwhile: not counted
                .on("iptables -w -S INPUT", 0, left).on("ip6tables -w -S INPUT", 0, "-P INPUT ACCEPT\n");
        FenceChange c = new IptablesBackend(r).remove(Fence.tcp("dbms", 5432, List.of("10.78.0.3/32")));
        assertEquals(2, c.removed().size());
        assertTrue(r.exhausted());
    }

    @Test
    void apply_guardRefuses_beforeAnyCommand() {
        ScriptedRunner r = new ScriptedRunner();
        FirewallException e = assertThrows(FirewallException.class,
                () -> new IptablesBackend(r).apply(Fence.tcp("ssh", 22, List.of("10.0.0.0/8")), GUARD));
        assertEquals(FirewallException.Kind.LOCKOUT_REFUSED, e.kind());
        assertTrue(r.commands.isEmpty());
    }

    @Test
    void probe_errorsClassifiedByExitCode() {
        FirewallException missing = assertThrows(FirewallException.class,
                () -> new IptablesBackend(new ScriptedRunner().any(127, "")).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
        assertEquals(FirewallException.Kind.BACKEND_MISSING, missing.kind());
        FirewallException perm = assertThrows(FirewallException.class,
                () -> new IptablesBackend(new ScriptedRunner().any(4, "")).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
        assertEquals(FirewallException.Kind.PERMISSION_DENIED, perm.kind());
        FirewallException other = assertThrows(FirewallException.class,
                () -> new IptablesBackend(new ScriptedRunner().any(2, "").on("id -u", 0, "0\n")).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
        assertEquals(FirewallException.Kind.COMMAND_FAILED, other.kind());
        assertTrue(other.getMessage().contains("got 2"), other.getMessage());
    }

    @Test
    void probe_hostUnreachable_isTypedAndRetriable() {
        ScriptedRunner r = new ScriptedRunner().fail(new HostAccessException(HostAccessException.Kind.UNREACHABLE, "ssh root@192.0.2.30:22", "connection refused"));
        FirewallException e = assertThrows(FirewallException.class, () -> new IptablesBackend(r).probe(Fence.tcp("d", 5432, List.of("10.0.0.0/8"))));
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
}
