package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.CommandRunner.OsFamily;
import io.drctl.testing.ScriptedRunner;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FenceVerifierTest {

    private final FenceVerifier v = new FenceVerifier(Duration.ofSeconds(3));

    @Test
    void connect_readsOutcomeToken() throws Exception {
        assertEquals(FenceVerifier.ConnectOutcome.REFUSED, v.connect(new ScriptedRunner().any(0, "drctl-connect: REFUSED\n"), "10.78.0.2", 5432));
        assertEquals(FenceVerifier.ConnectOutcome.TIMED_OUT, v.connect(new ScriptedRunner().any(0, "noise\ndrctl-connect: TIMED_OUT\n"), "10.78.0.2", 5432));
        FirewallException e = assertThrows(FirewallException.class, () -> v.connect(new ScriptedRunner().any(127, ""), "10.78.0.2", 5432));
        assertEquals(FirewallException.Kind.UNEXPECTED_OUTPUT, e.kind());
    }

    @Test
    void connect_rejectsNonIpTarget() {
        assertThrows(IllegalArgumentException.class, () -> v.connect(new ScriptedRunner(), "10.78.0.2; reboot", 5432));
        assertThrows(IllegalArgumentException.class, () -> v.connect(new ScriptedRunner(), "10.78.0.2", 0));
    }

    @Test
    void connectCommand_linuxIsBashDevTcpWithoutInterpreter_windowsIsEncoded() {
        String linux = v.connectCommand(OsFamily.LINUX, "fd00:78::2", 5432);
        assertFalse(linux.contains("python"), linux);
        assertTrue(linux.contains("LC_ALL=C timeout 3 bash -c 'exec 3<>/dev/tcp/fd00:78::2/5432'"), linux);
        String win = WindowsFirewallBackendTest.decode(v.connectCommand(OsFamily.WINDOWS, "10.78.0.2", 5432));
        assertTrue(win.contains("ConnectAsync('10.78.0.2', 5432)") && win.contains("$t.Wait(3000)") && win.contains("'ConnectionRefused'"), win);
    }

    @Test
    void verify_dropBackendAcceptsTimeout_rejectBackendDoesNot() throws Exception {
        Fence f = Fence.tcp("dbms", 5432, List.of("10.1.0.0/24"));
        String listing = "[{\"Name\":\"drctl-fence-dbms-1\",\"Enabled\":\"True\",\"Direction\":\"Inbound\",\"Action\":\"Block\",\"Protocol\":\"TCP\",\"LocalPort\":[\"5432\"],\"RemoteAddress\":[\"10.1.0.0/255.255.255.0\"]}]";
        WindowsFirewallBackend win = new WindowsFirewallBackend(new ScriptedRunner(OsFamily.WINDOWS).any(0, listing), WindowsFirewallBackend.Mode.CMDLETS);
        assertTrue(v.verify(win, f, true, new ScriptedRunner().any(0, "drctl-connect: TIMED_OUT"), "10.1.0.30").passed());

        String v4 = "-A INPUT -s 10.1.0.0/24 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n";
        IptablesBackend ipt = new IptablesBackend(new ScriptedRunner().on("iptables", 0, v4).on("ip6tables", 0, "").on("for f in", 0, ""));
        FenceVerifier.Verification res = v.verify(ipt, f, true, new ScriptedRunner().any(0, "drctl-connect: TIMED_OUT"), "10.1.0.30");
        assertFalse(res.passed(), res.detail());
        assertTrue(res.detail().contains("expected REFUSED, saw TIMED_OUT"), res.detail());
        assertTrue(res.detail().endsWith("rules: fenced by 1 drctl rule(s); not persisted: the host has no firewall persistence"
                + " (none of [/etc/iptables/rules.v4, /etc/sysconfig/iptables] exists); a reboot loses the live rules"), res.detail());
    }

    @Test
    void constructor_boundsTimeout() {
        assertThrows(IllegalArgumentException.class, () -> new FenceVerifier(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new FenceVerifier(Duration.ofMinutes(6)));
    }

    @Test
    void verifyFrom_listsOnce_connectsFromEverySource_judgesEachInSourceOrder() throws Exception {
        Fence f = Fence.tcp("dbms", 5432, List.of("10.1.0.0/24"));
        String v4 = "-A INPUT -s 10.1.0.0/24 -p tcp -m tcp --dport 5432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset\n";
        ScriptedRunner dbms = new ScriptedRunner().on("iptables", 0, v4).on("ip6tables", 0, "").on("for f in", 0, "");
        IptablesBackend ipt = new IptablesBackend(dbms);
        ScriptedRunner refused = new ScriptedRunner().any(0, "drctl-connect: REFUSED");
        ScriptedRunner connected = new ScriptedRunner().any(0, "drctl-connect: CONNECTED");
        ScriptedRunner refusedToo = new ScriptedRunner().any(0, "drctl-connect: REFUSED");

        List<FenceVerifier.Verification> seen = v.verifyFrom(ipt, f, true, List.of(refused, connected, refusedToo), "10.1.0.30");

        assertEquals(List.of(true, false, true), seen.stream().map(FenceVerifier.Verification::passed).toList());
        assertEquals(FenceVerifier.ConnectOutcome.CONNECTED, seen.get(1).outcome());
        assertTrue(seen.get(1).detail().contains("expected REFUSED, saw CONNECTED"), seen.get(1).detail());
        assertEquals(List.of(1, 1, 1), List.of(refused.commands().size(), connected.commands().size(), refusedToo.commands().size()),
                "one round trip per source");
        // the rules were listed once for all three sources: the DBMS's script answers each listing command once, and
        // a second listing fails with "script exhausted"
        assertThrows(AssertionError.class, () -> ipt.probe(f));
    }
}
