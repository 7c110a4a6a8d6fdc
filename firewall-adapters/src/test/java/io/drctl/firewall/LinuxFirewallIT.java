package io.drctl.firewall;

import static io.drctl.firewall.NetnsLab.DBMS_IP;
import static io.drctl.firewall.NetnsLab.DBMS_IP6;
import static io.drctl.firewall.NetnsLab.DB_PORT;
import static io.drctl.firewall.NetnsLab.FW_IP;
import static io.drctl.firewall.NetnsLab.FW_IP6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.firewall.FenceVerifier.ConnectOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real iptables/ip6tables and nft in network namespaces of our own (see {@link NetnsLab}); every
 * assertion about a fence's effect is a real TCP connection from the Framework namespace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LinuxFirewallIT {

    private static final LockoutGuard GUARD = LockoutGuard.of(22, "10.78.0.1"); // drctl "connects from" .1
    private final FenceVerifier verifier = new FenceVerifier(Duration.ofSeconds(3));
    private NetnsLab lab;

    @BeforeAll
    void startLab() throws Exception {
        lab = NetnsLab.start();
    }

    @AfterAll
    void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @BeforeEach
    void resetFirewall() throws Exception {
        lab.resetDbmsFirewall();
    }

    private static Fence dbFence() {
        return Fence.tcp("dbms", DB_PORT, List.of(FW_IP + "/32", FW_IP6 + "/128"));
    }

    private FirewallBackend backend(BackendKind kind) throws FirewallException {
        return FirewallBackends.forHost(kind, lab.dbms());
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"IPTABLES", "NFTABLES"})
    void fenceThenUnfence_frameworkRefusedThenAccepted(BackendKind kind) throws Exception {
        FirewallBackend fw = backend(kind);
        Fence fence = dbFence();
        assertTrue(verifier.verify(fw, fence, false, lab.fw(), DBMS_IP).passed(), "before fencing the framework must connect");

        FenceChange fenced = fw.apply(fence, GUARD);
        assertTrue(fenced.changed());
        assertEquals(2, fenced.added().size(), fenced.toString());

        FenceVerifier.Verification v4 = verifier.verify(fw, fence, true, lab.fw(), DBMS_IP).orThrow("dbms");
        assertEquals(ConnectOutcome.REFUSED, v4.outcome());
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP6, DB_PORT), "IPv6 source fenced too");
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.other(), DBMS_IP, DB_PORT), "a host outside the fence is unaffected");

        FenceChange unfenced = fw.remove(fence);
        assertEquals(2, unfenced.removed().size(), unfenced.toString());
        FenceVerifier.Verification after = verifier.verify(fw, fence, false, lab.fw(), DBMS_IP).orThrow("dbms");
        assertEquals(ConnectOutcome.CONNECTED, after.outcome());
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP6, DB_PORT));
        if (kind == BackendKind.NFTABLES) {
            assertFalse(lab.inDbms("nft list tables").contains("drctl"), "the empty drctl table is dropped");
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"IPTABLES", "NFTABLES"})
    void apply_twice_addsNoSecondRule(BackendKind kind) throws Exception {
        FirewallBackend fw = backend(kind);
        Fence fence = dbFence();
        fw.apply(fence, GUARD);
        FenceChange second = fw.apply(fence, GUARD);

        assertFalse(second.changed(), second.toString());
        assertEquals(2, second.satisfied().size());
        String listing = kind == BackendKind.IPTABLES
                ? lab.inDbms("iptables -S INPUT; ip6tables -S INPUT")
                : lab.inDbms("nft list ruleset");
        assertEquals(2, listing.lines().filter(l -> l.contains("drctl:fence:dbms")).count(), listing);
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
    }

    @Test
    void remove_iptables_keepsHandMadeRulesEvenOnTheSamePort() throws Exception {
        lab.inDbms("iptables -A INPUT -p tcp --dport " + DB_PORT + " -s 10.78.0.4/32 -j REJECT --reject-with tcp-reset"
                + " && iptables -A INPUT -p tcp --dport " + DB_PORT + " -s 10.78.0.4/32 -m comment --comment drctl:fence:dbms2 -j REJECT");
        FirewallBackend fw = backend(BackendKind.IPTABLES);
        fw.apply(dbFence(), GUARD);
        FenceChange removed = fw.remove(dbFence());

        assertEquals(2, removed.removed().size());
        String listing = lab.inDbms("iptables -S INPUT");
        assertTrue(listing.contains("-A INPUT -s 10.78.0.4/32 -p tcp -m tcp --dport 15432 -j REJECT"), listing);
        assertTrue(listing.contains("drctl:fence:dbms2"), "another fence's rule (tag prefix overlaps) survives: " + listing);
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.other(), DBMS_IP, DB_PORT), "the hand-made rule still blocks");
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
    }

    @Test
    void remove_nftables_keepsHandMadeRuleAndItsTable() throws Exception {
        FirewallBackend fw = backend(BackendKind.NFTABLES);
        fw.apply(dbFence(), GUARD);
        lab.inDbms("nft add rule inet drctl input ip saddr 10.78.0.4 tcp dport " + DB_PORT + " reject with tcp reset comment '\"ops-manual\"'");

        FenceChange removed = fw.remove(dbFence());

        assertEquals(2, removed.removed().size());
        String table = lab.inDbms("nft list table inet drctl");
        assertTrue(table.contains("ops-manual"), table);
        assertFalse(table.contains("drctl:fence:dbms"), table);
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.other(), DBMS_IP, DB_PORT), "the hand-made rule still blocks");
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"IPTABLES", "NFTABLES"})
    void apply_lockoutGuard_refusesBeforeAnyRuleIsWritten(BackendKind kind) throws Exception {
        FirewallBackend fw = backend(kind);
        Fence ssh = Fence.tcp("ssh", 22, List.of(FW_IP + "/32"));
        Fence customSsh = Fence.tcp("custom", 2222, List.of(FW_IP + "/32"));
        Fence coversController = Fence.tcp("wide", DB_PORT, List.of("10.78.0.0/24"));

        for (Fence f : List.of(ssh, coversController)) {
            FirewallException e = assertThrows(FirewallException.class, () -> fw.apply(f, GUARD));
            assertEquals(FirewallException.Kind.LOCKOUT_REFUSED, e.kind(), e.getMessage());
        }
        FirewallException custom = assertThrows(FirewallException.class, () -> fw.apply(customSsh, LockoutGuard.of(2222)));
        assertEquals(FirewallException.Kind.LOCKOUT_REFUSED, custom.kind());

        assertTrue(fw.probe(coversController).isUnfenced());
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"IPTABLES", "NFTABLES"})
    void probe_asNonRoot_isPermissionDenied(BackendKind kind) {
        FirewallBackend fw = kind == BackendKind.IPTABLES ? new IptablesBackend(lab.dbmsAsNobody()) : new NftablesBackend(lab.dbmsAsNobody());
        FirewallException e = assertThrows(FirewallException.class, () -> fw.probe(dbFence()));
        assertEquals(FirewallException.Kind.PERMISSION_DENIED, e.kind(), e.getMessage());
        FirewallException a = assertThrows(FirewallException.class, () -> fw.apply(dbFence(), GUARD));
        assertEquals(FirewallException.Kind.PERMISSION_DENIED, a.kind(), a.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"IPTABLES", "NFTABLES"})
    void probe_toolNotOnPath_isBackendMissing(BackendKind kind) {
        FirewallBackend fw = kind == BackendKind.IPTABLES
                ? new IptablesBackend(lab.dbmsWithoutFirewallTools()) : new NftablesBackend(lab.dbmsWithoutFirewallTools());
        FirewallException e = assertThrows(FirewallException.class, () -> fw.probe(dbFence()));
        assertEquals(FirewallException.Kind.BACKEND_MISSING, e.kind(), e.getMessage());
    }

    @Test
    void detect_findsIptablesVariantAndNft_orNothing() throws Exception {
        FirewallBackends.Detection d = FirewallBackends.detect(lab.dbms());
        String v = lab.inDbms("iptables -V");
        assertEquals(BackendKind.IPTABLES, d.chosen());
        assertEquals(v.contains("legacy") ? FirewallBackends.IptablesVariant.LEGACY : FirewallBackends.IptablesVariant.NF_TABLES,
                d.iptablesVariant());
        assertTrue(d.nftPresent());
        FirewallException e = assertThrows(FirewallException.class, () -> FirewallBackends.detect(lab.dbmsWithoutFirewallTools()));
        assertEquals(FirewallException.Kind.BACKEND_MISSING, e.kind());
        assertEquals(BackendKind.IPTABLES, FirewallBackends.forHost(BackendKind.AUTO, lab.dbms()).kind());
    }

    @Test
    void verify_fenceThatListsButDoesNotBlock_fails() throws Exception {
        // an operator's earlier ACCEPT wins over an appended REJECT: the listing is fine, the effect is not
        lab.inDbms("iptables -A INPUT -p tcp --dport " + DB_PORT + " -j ACCEPT");
        FirewallBackend appended = new IptablesBackend(lab.dbms(), IptablesBackend.Position.APPEND, List.of(), Duration.ofSeconds(30));
        FirewallException applied = assertThrows(FirewallException.class, () -> appended.apply(dbFence(), GUARD),
                "the listing shows the appended rule behind the ACCEPT: not a fence");
        assertEquals(FirewallException.Kind.UNEXPECTED_OUTPUT, applied.kind(), applied.getMessage());

        FenceVerifier.Verification v = verifier.verify(appended, dbFence(), true, lab.fw(), DBMS_IP);
        assertFalse(v.probe().tagged().isEmpty(), "drctl's rules are listed");
        assertFalse(v.probe().isBlocked(), "but shadowed: " + v.probe().describe());
        assertEquals(ConnectOutcome.CONNECTED, v.outcome());
        assertFalse(v.passed(), v.detail());
        FirewallException e = assertThrows(FirewallException.class, () -> v.orThrow("dbms"));
        assertEquals(FirewallException.Kind.VERIFICATION_FAILED, e.kind());

        FirewallBackend first = backend(BackendKind.IPTABLES); // inserts first: moves the shadowed rules ahead of the ACCEPT
        first.apply(dbFence(), GUARD);
        assertTrue(verifier.verify(first, dbFence(), true, lab.fw(), DBMS_IP).passed());
    }

    @Test
    void verify_unfenceThatStillBlocks_fails() throws Exception {
        lab.inDbms("iptables -A INPUT -p tcp --dport " + DB_PORT + " -s " + FW_IP + " -j REJECT --reject-with tcp-reset");
        FenceVerifier.Verification v = verifier.verify(backend(BackendKind.IPTABLES), dbFence(), false, lab.fw(), DBMS_IP);
        assertTrue(v.probe().isUnfenced());
        assertEquals(ConnectOutcome.REFUSED, v.outcome());
        assertFalse(v.passed(), v.detail());
    }

    @Test
    void connect_bashFallback_classifiesConnectedRefusedTimedOut() throws Exception {
        FenceVerifier quick = new FenceVerifier(Duration.ofSeconds(1));
        assertEquals(ConnectOutcome.CONNECTED, quick.connect(lab.fwWithoutPython(), DBMS_IP, DB_PORT));
        assertEquals(ConnectOutcome.REFUSED, quick.connect(lab.fwWithoutPython(), DBMS_IP, DB_PORT + 1), "closed port");
        lab.inDbms("iptables -A INPUT -p tcp --dport " + (DB_PORT + 2) + " -j DROP");
        assertEquals(ConnectOutcome.TIMED_OUT, quick.connect(lab.fwWithoutPython(), DBMS_IP, DB_PORT + 2));
        assertEquals(ConnectOutcome.TIMED_OUT, quick.connect(lab.fw(), DBMS_IP, DB_PORT + 2), "python probe agrees");
        assertEquals(ConnectOutcome.REFUSED, quick.connect(lab.fw(), DBMS_IP, DB_PORT + 1), "python probe agrees");
    }

    @Test
    void apply_withPersistence_savesRulesFile() throws Exception {
        Path dir = Files.createTempDirectory("drfw-persist");
        try {
            IptablesBackend.Persistence p = new IptablesBackend.Persistence(dir + "/iptables/rules.v4", dir + "/iptables/rules.v6");
            Files.createDirectories(dir.resolve("iptables"));
            Files.writeString(Path.of(p.v4File()), "");
            Files.writeString(Path.of(p.v6File()), "");
            IptablesBackend fw = new IptablesBackend(lab.dbms(), IptablesBackend.Position.APPEND, List.of(p), Duration.ofSeconds(30));
            FenceChange c = fw.apply(dbFence(), GUARD);
            assertTrue(c.persisted());
            assertTrue(Files.readString(Path.of(p.v4File())).contains("-s 10.78.0.3/32 -p tcp -m tcp --dport 15432 -m comment --comment \"drctl:fence:dbms\" -j REJECT --reject-with tcp-reset"));
            assertTrue(Files.readString(Path.of(p.v6File())).contains("-s fd00:78::3/128"));
            FenceChange r = fw.remove(dbFence());
            assertTrue(r.persisted());
            assertFalse(Files.readString(Path.of(p.v4File())).contains("drctl:fence:dbms"));
        } finally {
            NetnsLab.root("rm", "-rf", dir.toString());
        }
    }
}
