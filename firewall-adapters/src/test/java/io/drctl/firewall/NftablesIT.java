package io.drctl.firewall;

import static io.drctl.firewall.NetnsLab.DBMS_IP6;
import static io.drctl.firewall.NetnsLab.DBMS_IP;
import static io.drctl.firewall.NetnsLab.DB_PORT;
import static io.drctl.firewall.NetnsLab.FW_IP6;
import static io.drctl.firewall.NetnsLab.FW_IP;
import static io.drctl.firewall.NetnsLab.OTHER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.firewall.FenceVerifier.ConnectOutcome;
import io.drctl.host.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nft by effect, for real, in the {@code drfw-*} namespaces of {@link NetnsLab}: rules written by hand in other
 * tables, every outcome seen by a TCP connect from {@code drfw-fw}. Persistence uses files in a directory of the
 * test given to the backend; this machine's /etc/nftables.conf is never named.
 */
class NftablesIT extends NetnsLabCase {

    private static final Fence FENCE = Fence.tcp("dbms", DB_PORT, List.of(FW_IP + "/32", FW_IP6 + "/128"));

    /** An nft backend that never persists (no boot-time file), for tests. */
    static NftablesBackend backend(CommandRunner runner) {
        return new NftablesBackend(runner, List.of(), Duration.ofSeconds(30));
    }

    /** An operator's table: established traffic, loopback and ssh accepted, the DB port rejected from drfw-fw by hand. */
    private void handMadeFence() throws Exception {
        lab.inDbms("nft add table inet filter"
                + " && nft 'add chain inet filter input { type filter hook input priority filter; policy accept; }'"
                + " && nft add rule inet filter input ct state established,related accept"
                + " && nft add rule inet filter input iif lo accept"
                + " && nft add rule inet filter input ip saddr " + FW_IP + " tcp dport " + DB_PORT + " counter reject"
                + " && nft add rule inet filter input tcp dport 22 accept"
                + " && nft add rule inet filter input ip6 saddr " + FW_IP6 + " tcp dport " + DB_PORT + " reject with tcp reset comment '\"ops ticket 42\"'");
    }

    private String chainWithoutHandles() throws Exception {
        return lab.inDbms("nft -a list chain inet filter input").replaceAll(" # handle \\d+", "");
    }

    @Test
    void foreignReject_foundByProbe_removedByUnfence_restoredByteForByte() throws Exception {
        handMadeFence();
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
        NftablesBackend fw = backend(lab.dbms());

        FenceProbe probe = fw.probe(FENCE);
        assertTrue(probe.isBlocked(), probe.describe());
        assertEquals(2, probe.foreign().size(), probe.blocking().toString());
        assertTrue(probe.isUnfenced(), "no drctl rule exists");
        // the rules verbatim, counters included (how many packets the probe's connect sent is the kernel's business)
        assertEquals(List.of("ip saddr 10.78.0.3 tcp dport 15432 counter packets N bytes N reject with icmp port-unreachable",
                        "ip6 saddr fd00:78::3 tcp dport 15432 reject with tcp reset comment \"ops ticket 42\""),
                probe.foreign().stream().map(r -> r.text().replaceAll("packets \\d+ bytes \\d+", "packets N bytes N")).toList());
        assertTrue(probe.foreign().get(0).text().matches(".* counter packets [1-9]\\d* bytes [1-9]\\d* .*"), "the connect was counted");
        String before = chainWithoutHandles();

        List<BlockingRule> journaled = new ArrayList<>();
        FenceChange c = fw.remove(FENCE, journaled::addAll);
        assertEquals(2, c.removedForeign().size(), c.toString());
        assertEquals(c.removedRules(), journaled);
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP6, DB_PORT));
        assertTrue(verifier.verify(fw, FENCE, false, lab.fw(), DBMS_IP).orThrow("dbms").passed());
        String during = chainWithoutHandles();
        assertTrue(during.contains("ct state established,related accept") && during.contains("tcp dport 22 accept"),
                "rules that do not block are kept: " + during);

        FenceChange back = fw.restore(FENCE, journaled);
        assertEquals(2, back.removedRules().size(), back.toString());
        assertEquals(before, chainWithoutHandles(), "restored verbatim (counter values too), in the same chain and positions");
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP6, DB_PORT));
        assertTrue(fw.restore(FENCE, journaled).removedRules().isEmpty(), "restoring twice adds nothing");
    }

    @Test
    void fence_withAcceptAllInOtherTables_stillRefuses() throws Exception {
        lab.inDbms("nft add table inet other"
                + " && nft 'add chain inet other input { type filter hook input priority filter; policy accept; }'"
                + " && nft add rule inet other input tcp dport " + DB_PORT + " accept"
                + " && nft add rule inet other input accept"
                + " && nft add table ip early"
                + " && nft 'add chain ip early input { type filter hook input priority -100; policy accept; }'"
                + " && nft add rule ip early input accept");
        NftablesBackend fw = backend(lab.dbms());
        FenceChange c = fw.apply(FENCE, GUARD);
        assertEquals(2, c.added().size(), c.toString());

        assertTrue(verifier.verify(fw, FENCE, true, lab.fw(), DBMS_IP).orThrow("dbms").passed());
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP6, DB_PORT));
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.other(), DBMS_IP, DB_PORT), "a host outside the fence is unaffected");
        assertTrue(lab.inDbms("nft list chain inet drctl input").contains("type filter hook input priority filter - 10; policy accept;"));

        fw.remove(FENCE);
        assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
        assertFalse(lab.inDbms("nft list tables").contains("drctl"), "the empty drctl table is dropped");
        assertTrue(lab.inDbms("nft list tables").contains("table inet other"), "the other tables are left alone");
    }

    @Test
    void fence_cutsAConnectionHeldOpenBeforeIt() throws Exception {
        handMadeFence();
        lab.inDbms("nft flush chain inet filter input && nft add rule inet filter input ct state established,related accept"
                + " && nft add rule inet filter input tcp dport " + DB_PORT + " accept");
        try (HeldConnection control = HeldConnection.open(DBMS_IP, DB_PORT)) {
            assertEquals("data", control.useNow(), "an unfenced held connection works");
        }
        try (HeldConnection held = HeldConnection.open(DBMS_IP, DB_PORT)) {
            FenceChange c = backend(lab.dbms()).apply(FENCE, GUARD);
            assertTrue(c.notes().stream().anyMatch(n -> n.startsWith("conntrack: ")), c.notes().toString());
            String outcome = held.useNow();
            assertTrue(outcome.equals("reset") || outcome.equals("closed"), "the held connection is cut, saw " + outcome);
        }
        assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
    }

    @Test
    void fence_persistedThroughAnInclude_survivesFlushAndReload() throws Exception {
        Path dir = Files.createTempDirectory("drfw-nft-persist");
        try {
            Path conf = dir.resolve("nftables.conf");
            NftablesBackend.Persistence p = new NftablesBackend.Persistence(conf.toString(), dir + "/nftables.d/drctl.nft");
            // a Debian-style boot file, with the operator's own hand-made reject for drfw-other
            Files.writeString(conf, "#!/usr/sbin/nft -f\n\nflush ruleset\n\ntable inet filter {\n\tchain input {\n"
                    + "\t\ttype filter hook input priority filter;\n\t\tct state established,related accept\n"
                    + "\t\tip saddr " + OTHER_IP + " tcp dport " + DB_PORT + " reject\n\t}\n}\n");
            String reboot = "nft flush ruleset && nft -f " + conf;
            lab.inDbms(reboot);
            NftablesBackend fw = new NftablesBackend(lab.dbms(), List.of(p), Duration.ofSeconds(30));
            FenceProbe unsaved = fw.probe(FENCE);
            assertEquals(FencePersistence.State.SAVED, unsaved.persistence().state());
            assertFalse(unsaved.persistence().survivesReboot(FENCE, true), unsaved.persistence().describe(FENCE, true));

            FenceChange c = fw.apply(FENCE, GUARD);
            assertTrue(c.persisted() && c.persistence().survivesReboot(FENCE, true), c.toString());
            assertEquals(1, Files.readAllLines(conf).stream().filter(l -> l.equals("include \"" + p.includeFile() + "\"")).count());

            lab.inDbms("nft flush ruleset"); // the reboot: live rules gone
            assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
            lab.inDbms("nft -f " + conf); // what nftables.service does at boot
            assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT));
            assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.fw(), DBMS_IP6, DB_PORT));
            assertEquals(ConnectOutcome.REFUSED, verifier.connect(lab.other(), DBMS_IP, DB_PORT), "the operator's rule is back too");
            lab.inDbms("nft -f " + conf); // loaded twice (no flush in between would duplicate nothing of drctl's)
            assertEquals(1, lab.inDbms("nft list table inet drctl").lines().filter(l -> l.contains("10.78.0.3")).count());

            assertFalse(fw.apply(FENCE, GUARD).changed(), "already fenced and persisted");
            assertEquals(1, Files.readAllLines(conf).stream().filter(l -> l.startsWith("include ")).count(), "one include line, ever");

            FenceChange r = fw.remove(FENCE);
            assertTrue(r.persisted() && r.persistence().survivesReboot(FENCE, false), r.toString());
            lab.inDbms(reboot);
            assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.fw(), DBMS_IP, DB_PORT), "the unfence persisted too");

            // unfencing the operator's persisted rule: live it goes, and the probe says honestly that a reboot brings it back
            Fence other = Fence.tcp("other", DB_PORT, List.of(OTHER_IP + "/32"));
            FenceChange o = fw.remove(other);
            assertEquals(1, o.removedForeign().size(), o.toString());
            assertEquals(ConnectOutcome.CONNECTED, verifier.connect(lab.other(), DBMS_IP, DB_PORT));
            assertEquals("a reboot would bring back 1 blocking rule(s) from " + conf + ", " + p.includeFile(),
                    o.persistence().describe(other, false));
        } finally {
            NetnsLab.root("rm", "-rf", dir.toString());
        }
    }
}
