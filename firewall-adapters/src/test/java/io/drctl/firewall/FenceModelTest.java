package io.drctl.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FenceModelTest {

    @Test
    void cidrParse_canonicalisesHostBitsMasksAndIpv6() {
        assertEquals("10.78.0.0/24", Cidr.parse("10.78.0.5/24").toString());
        assertEquals("10.78.0.5/32", Cidr.parse("10.78.0.5").toString());
        assertEquals("10.1.0.0/24", Cidr.parse("10.1.0.0/255.255.255.0").toString());
        assertEquals("2001:db8:0:0:1::/80", Cidr.parse("2001:db8:0:0:1::/80").toString());
        assertEquals("2001:db8::/32", Cidr.parse("2001:0DB8:0000::1/32").toString());
        assertEquals("fd00:78::3/128", Cidr.parse("fd00:78:0:0:0:0:0:3").toString());
        assertEquals("2001:db8::1:0:0:1/128", Cidr.parse("2001:db8:0:0:1:0:0:1").toString(), "RFC 5952: first longest run");
        assertEquals("0.0.0.0/0", Cidr.parse("0.0.0.0/0").toString());
        assertEquals(Cidr.parse("fd00:78::3/128"), Cidr.parse("fd00:78::3"));
    }

    @Test
    void cidrContains_respectsFamilyAndPrefix() throws Exception {
        Cidr net = Cidr.parse("10.78.0.0/24");
        assertTrue(net.contains(InetAddress.getByName("10.78.0.200")));
        assertFalse(net.contains(InetAddress.getByName("10.78.1.1")));
        assertTrue(Cidr.parse("fd00:78::/64").contains(InetAddress.getByName("fd00:78::3")));
    }

    @Test
    void cidrCoveredBy_unionOfPartsAsPerHostRulesWriteIt() {
        List<Cidr> perHost = List.of(Cidr.parse("10.77.1.10"), Cidr.parse("10.77.1.11"));
        assertTrue(Cidr.parse("10.77.1.10/31").coveredBy(perHost), "two /32 rules block the /31 of those hosts");
        assertFalse(Cidr.parse("10.77.1.8/29").coveredBy(perHost), "but not the /29 around them");
        assertTrue(Cidr.parse("10.77.1.8/29").coveredBy(List.of(Cidr.parse("10.77.1.8/30"), Cidr.parse("10.77.1.12/31"),
                Cidr.parse("10.77.1.14"), Cidr.parse("10.77.1.15"))));
        assertFalse(Cidr.parse("10.77.1.8/29").coveredBy(List.of(Cidr.parse("10.77.1.8/30"), Cidr.parse("10.77.1.12/31"),
                Cidr.parse("10.77.1.15"))), "10.77.1.14 is left");
        assertTrue(Cidr.parse("10.77.1.10/31").coveredBy(List.of(Cidr.parse("0.0.0.0/0"))));
        assertFalse(Cidr.parse("10.77.1.10/31").coveredBy(List.of(Cidr.parse("fd00::/8"))), "other family");
        assertFalse(Cidr.parse("10.0.0.0/8").coveredBy(List.of()));
        assertTrue(Cidr.parse("fd00:78::2/127").coveredBy(List.of(Cidr.parse("fd00:78::2"), Cidr.parse("fd00:78::3"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4/32; rm -rf /", "1.2.3.4/33", "10.0.0.0/255.0.255.0", "$(reboot)", "10.0.0.1 10.0.0.2",
            "fd00::/129", "host.example.com", "1.2.3.4/32'", ""})
    void fenceTcp_badSource_isRejectedQuotingTheValue(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fence.tcp("dbms", 5432, List.of(bad)));
        assertTrue(e.getMessage().contains("'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x'; Remove-NetFirewallRule -All; '", "db\"; nft flush ruleset; \"", "a b", "-rf", "$(id)", "db`n",
            "db\ncomment", ""})
    void fenceTcp_badName_isRejected(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fence.tcp(bad, 5432, List.of("10.0.0.0/24")));
        assertTrue(e.getMessage().contains("not a safe name"), e.getMessage());
    }

    @Test
    void fenceTcp_portAndSourcesValidated_sourcesDeduplicated() {
        assertThrows(IllegalArgumentException.class, () -> Fence.tcp("dbms", 0, List.of("10.0.0.0/24")));
        assertThrows(IllegalArgumentException.class, () -> Fence.tcp("dbms", 65536, List.of("10.0.0.0/24")));
        assertThrows(IllegalArgumentException.class, () -> Fence.tcp("dbms", 5432, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Fence.tcp("d".repeat(65), 5432, List.of("10.0.0.0/24")));
        Fence f = Fence.tcp("dbms", 5432, List.of("10.0.0.5/24", "10.0.0.0/24", "fd00::1/64"));
        assertEquals(List.of(Cidr.parse("10.0.0.0/24"), Cidr.parse("fd00::/64")), f.sources());
        assertEquals("drctl:fence:dbms", f.tag());
        assertEquals(1, f.ipv4Sources().size());
        assertEquals(1, f.ipv6Sources().size());
    }

    @Test
    void fenceProbe_sortsPresentMissingUnexpected() {
        Fence f = Fence.tcp("dbms", 5432, List.of("10.0.0.0/24", "10.1.0.0/24"));
        FirewallRule ok = new FirewallRule("dbms", Fence.Protocol.TCP, 5432, Cidr.parse("10.0.0.0/24"), "a");
        FirewallRule otherPort = new FirewallRule("dbms", Fence.Protocol.TCP, 6432, Cidr.parse("10.1.0.0/24"), "b");
        FirewallRule disabled = new FirewallRule("dbms", Fence.Protocol.TCP, 5432, Cidr.parse("10.1.0.0/24"), "c", false);
        FenceProbe p = FenceProbe.of(f, List.of(ok, otherPort, disabled));
        assertEquals(List.of(ok), p.present());
        assertEquals(List.of(Cidr.parse("10.1.0.0/24")), p.missing());
        assertEquals(List.of(otherPort), p.unexpected());
        assertEquals(List.of(disabled), p.inactive(), "written for a source, but it does not block");
        assertEquals(List.of(ok, disabled, otherPort), p.tagged());
        assertFalse(p.isFenced());
        assertFalse(p.isUnfenced());
        assertTrue(FenceProbe.of(f, List.of()).isUnfenced());
    }

    @Test
    void lockoutGuard_refusesSshPortsAndControllerAddress_listingEveryReason() {
        LockoutGuard g = LockoutGuard.of(2222, "192.0.2.10", "2001:db8::10");
        FirewallException both = assertThrows(FirewallException.class,
                () -> g.check(Fence.tcp("x", 2222, List.of("192.0.2.0/24")), "dbms"));
        assertEquals(FirewallException.Kind.LOCKOUT_REFUSED, both.kind());
        assertTrue(both.getMessage().contains("SSH port") && both.getMessage().contains("192.0.2.10"), both.getMessage());
        assertThrows(FirewallException.class, () -> g.check(Fence.tcp("x", 22, List.of("198.51.100.0/24")), "dbms"));
        assertThrows(FirewallException.class, () -> g.check(Fence.tcp("x", 5432, List.of("2001:db8::/32")), "dbms"));
        assertThrows(FirewallException.class, () -> g.check(Fence.tcp("x", 5432, List.of("0.0.0.0/0")), "dbms"));
        assertFalse(assertThrows(FirewallException.class, () -> g.check(Fence.tcp("x", 22, List.of("198.51.100.0/24")), "dbms")).isRetriable());
    }

    @Test
    void lockoutGuard_allowsFenceElsewhere() throws Exception {
        LockoutGuard.of(22, "192.0.2.10").check(Fence.tcp("x", 5432, List.of("192.0.2.11/32", "198.51.100.0/24")), "dbms");
        assertThrows(IllegalArgumentException.class, () -> LockoutGuard.of(22, "192.0.2.10; true"));
    }

    @Test
    void backendKindParse_acceptsInventorySpellings() {
        assertEquals(BackendKind.IPTABLES, BackendKind.parse("iptables"));
        assertEquals(BackendKind.NFTABLES, BackendKind.parse("nftables"));
        assertEquals(BackendKind.WINDOWS_NETSH, BackendKind.parse("windows-netsh"));
        assertEquals(BackendKind.AUTO, BackendKind.parse("auto"));
        assertThrows(IllegalArgumentException.class, () -> BackendKind.parse("nft"), "one spelling per kind");
        assertThrows(IllegalArgumentException.class, () -> BackendKind.parse("pf"));
        assertEquals(List.of("iptables", "nftables", "windows", "windows-netsh", "auto"), BackendKind.labels());
    }
}
