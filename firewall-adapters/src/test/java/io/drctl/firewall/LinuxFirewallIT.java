package io.drctl.firewall;

import static io.drctl.firewall.NetnsLab.DBMS_IP6;
import static io.drctl.firewall.NetnsLab.DBMS_IP;
import static io.drctl.firewall.NetnsLab.DB_PORT;
import static io.drctl.firewall.NetnsLab.FW_IP6;
import static io.drctl.firewall.NetnsLab.FW_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.firewall.FenceVerifier.ConnectOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real iptables/ip6tables and nft in network namespaces of our own (see {@link NetnsLab}); every
 * assertion about a fence's effect is a real TCP connection from the Framework namespace.
 */
class LinuxFirewallIT extends NetnsLabCase {


    private static Fence dbFence() {
        return Fence.tcp("dbms", DB_PORT, List.of(FW_IP + "/32", FW_IP6 + "/128"));
    }

    /** nft gets no boot-time files: this machine's own /etc/nftables.conf must never be written by a test. */
    private FirewallBackend backend(BackendKind kind) throws FirewallException {
        return kind == BackendKind.NFTABLES ? NftablesIT.backend(lab.dbms()) : FirewallBackends.forHost(kind, lab.dbms());
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
        FirewallBackend fw = kind == BackendKind.IPTABLES ? new IptablesBackend(lab.dbmsAsNobody()) : NftablesIT.backend(lab.dbmsAsNobody());
        FirewallException e = assertThrows(FirewallException.class, () -> fw.probe(dbFence()));
        assertEquals(FirewallException.Kind.PERMISSION_DENIED, e.kind(), e.getMessage());
        FirewallException a = assertThrows(FirewallException.class, () -> fw.apply(dbFence(), GUARD));
        assertEquals(FirewallException.Kind.PERMISSION_DENIED, a.kind(), a.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"IPTABLES", "NFTABLES"})
    void probe_toolNotOnPath_isBackendMissing(BackendKind kind) {
        FirewallBackend fw = kind == BackendKind.IPTABLES
                ? new IptablesBackend(lab.dbmsWithoutFirewallTools()) : NftablesIT.backend(lab.dbmsWithoutFirewallTools());
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
    void connect_bashDevTcp_classifiesConnectedRefusedTimedOut() throws Exception {
        FenceVerifier quick = new FenceVerifier(Duration.ofSeconds(1));
        assertEquals(ConnectOutcome.CONNECTED, quick.connect(lab.fwWithoutPython(), DBMS_IP, DB_PORT));
        assertEquals(ConnectOutcome.REFUSED, quick.connect(lab.fwWithoutPython(), DBMS_IP, DB_PORT + 1), "closed port");
        lab.inDbms("iptables -A INPUT -p tcp --dport " + (DB_PORT + 2) + " -j DROP");
        assertEquals(ConnectOutcome.TIMED_OUT, quick.connect(lab.fwWithoutPython(), DBMS_IP, DB_PORT + 2));
        assertEquals(ConnectOutcome.TIMED_OUT, quick.connect(lab.fw(), DBMS_IP, DB_PORT + 2), "the same where python3 exists");
        assertEquals(ConnectOutcome.REFUSED, quick.connect(lab.fw(), DBMS_IP, DB_PORT + 1), "the same where python3 exists");
        // several targets from one source: one round trip, each classified on its own
        assertEquals(List.of(ConnectOutcome.CONNECTED, ConnectOutcome.REFUSED),
                quick.connectAll(lab.fw(), List.of(DBMS_IP, "127.0.0.1"), DB_PORT, Duration.ofSeconds(10)));
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

    /** The reference architecture's manual fence: untagged REJECTs appended behind an ESTABLISHED,RELATED ACCEPT. */
    private void manualFence() throws Exception {
        lab.inDbms("iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT"
                + " && iptables -A INPUT -p tcp --dport " + DB_PORT + " --src 10.78.0.0/24 -j REJECT"
                + " && iptables -N OPSFENCE && iptables -A INPUT -p tcp --dport " + DB_PORT + " -j OPSFENCE"
                + " && iptables -A OPSFENCE -s " + FW_IP + " -j DROP"
                + " && iptables -A INPUT -p tcp --dport 22 -j ACCEPT"
                + " && ip6tables -A INPUT -p tcp --dport " + DB_PORT + " --src " + FW_IP6 + " -j REJECT");
    }

    @Test
    void unfence_removesUntaggedRules_restoreBringsThemBackByteForByte() throws Exception {
        manualFence();
        String before = lab.inDbms("iptables -S; ip6tables -S");
        FirewallBackend fw = backend(BackendKind.IPTABLES);
        FenceProbe probe = fw.probe(dbFence());
        assertEquals(3, probe.foreign().size(), probe.blocking().toString());
        assertTrue(probe.isBlocked(), probe.describe());
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));

        List<BlockingRule> journaled = new java.util.ArrayList<>();
        FenceChange c = fw.remove(dbFence(), journaled::addAll);
        assertEquals(3, c.removedForeign().size(), c.toString());
        assertEquals(c.removedRules(), journaled);
        assertTrue(verifier.verify(fw, dbFence(), false, lab.fw(), DBMS_IP).orThrow("dbms").passed());
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP6, DB_PORT));
        String during = lab.inDbms("iptables -S");
        assertTrue(during.contains("-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT") && during.contains("--dport 22 -j ACCEPT")
                && during.contains("-N OPSFENCE"), "rules that do not block are kept: " + during);

        fw.restore(dbFence(), journaled);
        assertEquals(before, lab.inDbms("iptables -S; ip6tables -S"), "restored byte for byte, in the same chains and positions");
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
        assertTrue(fw.restore(dbFence(), journaled).removedRules().isEmpty(), "restoring twice adds nothing");
        lab.inDbms("iptables -F OPSFENCE; iptables -F INPUT; iptables -X OPSFENCE");
    }

    @Test
    void fence_behindEstablishedAccept_cutsAConnectionHeldOpenBeforeIt() throws Exception {
        lab.inDbms("iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT && iptables -A INPUT -p tcp --dport " + DB_PORT + " -j ACCEPT");
        try (HeldConnection control = HeldConnection.open(DBMS_IP, DB_PORT)) {
            assertEquals("data", control.useNow(), "an unfenced held connection works");
        }
        try (HeldConnection held = HeldConnection.open(DBMS_IP, DB_PORT)) {
            FenceChange c = backend(BackendKind.IPTABLES).apply(dbFence(), GUARD);
            assertTrue(c.notes().stream().anyMatch(n -> n.startsWith("conntrack: ")), c.notes().toString());
            String outcome = held.useNow();
            assertTrue(outcome.equals("reset") || outcome.equals("closed"), "the held connection is cut, saw " + outcome);
        }
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
        assertTrue(lab.inDbms("iptables -S INPUT").lines().skip(1).findFirst().orElse("").contains("drctl:fence:dbms"),
                "drctl's rule is first in INPUT");
    }

    @Test
    void fence_survivesASimulatedReboot_whenTheHostPersistsItsRules() throws Exception {
        Path dir = Files.createTempDirectory("drfw-reboot");
        try {
            IptablesBackend.Persistence p = new IptablesBackend.Persistence(dir + "/rules.v4", dir + "/rules.v6");
            IptablesBackend noPersistence = new IptablesBackend(lab.dbms(), IptablesBackend.Position.INSERT_FIRST, List.of(p), Duration.ofSeconds(30));
            FenceChange unsaved = noPersistence.apply(dbFence(), GUARD);
            assertFalse(unsaved.persisted());
            assertTrue(unsaved.toString().contains("not persisted: the host has no firewall persistence"), unsaved.toString());
            assertFalse(noPersistence.probe(dbFence()).persistence().survivesReboot(dbFence(), true), "readiness can say it would not survive");
            noPersistence.remove(dbFence());

            // netfilter-persistent installed: its rules files exist (here in a directory of this test)
            lab.inDbms("iptables-save > " + p.v4File() + " && ip6tables-save > " + p.v6File());
            IptablesBackend fw = new IptablesBackend(lab.dbms(), IptablesBackend.Position.INSERT_FIRST, List.of(p), Duration.ofSeconds(30));
            FenceChange c = fw.apply(dbFence(), GUARD);
            assertTrue(c.persisted(), c.toString());
            assertTrue(fw.probe(dbFence()).persistence().survivesReboot(dbFence(), true));

            lab.inDbms("iptables -F; iptables -X; ip6tables -F; ip6tables -X"); // the reboot: live rules gone
            assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
            lab.inDbms("iptables-restore < " + p.v4File() + " && ip6tables-restore < " + p.v6File()); // what the boot does
            assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
            assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP6, DB_PORT));

            FenceChange r = fw.remove(dbFence());
            assertTrue(r.persisted());
            lab.inDbms("iptables -F; ip6tables -F; iptables-restore < " + p.v4File() + " && ip6tables-restore < " + p.v6File());
            assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT), "the unfence persisted too");
        } finally {
            NetnsLab.root("rm", "-rf", dir.toString());
        }
    }
}
