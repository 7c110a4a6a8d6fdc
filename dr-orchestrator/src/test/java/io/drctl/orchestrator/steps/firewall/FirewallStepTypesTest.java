package io.drctl.orchestrator.steps.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.firewall.BlockingRule;
import io.drctl.firewall.Cidr;
import io.drctl.firewall.Fence;
import io.drctl.firewall.FencePersistence;
import io.drctl.firewall.FenceProbe;
import io.drctl.firewall.FirewallBackends;
import io.drctl.orchestrator.spi.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirewallStepTypesTest {

    private static final Fence FENCE = Fence.tcp("dbms", 5432, List.of("10.78.1.0/24"));
    private static final BlockingRule MANUAL = new BlockingRule("iptables", "ipv4", "filter", "INPUT", 4,
            "-A INPUT -s 10.78.1.0/24 -p tcp -m tcp --dport 5432 -j REJECT --reject-with icmp-port-unreachable",
            Cidr.parse("10.78.1.0/24"), BlockingRule.Origin.FOREIGN, true);
    private static final BlockingRule ALL_PORTS = new BlockingRule("iptables", "ipv4", "filter", "INPUT", 7,
            "-A INPUT -s 10.78.1.7/32 -j DROP", Cidr.parse("10.78.1.7/32"), BlockingRule.Origin.FOREIGN, true);
    private static final FencePersistence NONE = FencePersistence.none("the host has no firewall persistence");

    private static FenceProbe manualFence() {
        return FenceProbe.of(FENCE, List.of(), List.of(MANUAL), List.of(ALL_PORTS), NONE);
    }

    @Test
    void unfenceProbe_untaggedManualRule_isNeeded_andPlanNamesWhatIsRemovedAndKept() {
        Probe p = Fences.describeProbe(Fences.Mode.UNFENCE, FENCE, false, manualFence());
        assertEquals(Probe.State.NEEDED, p.state(), "the shipped failover reported SATISFIED here");
        assertEquals("fenced by 1 rule(s) drctl did not write; rules drctl did not write: " + MANUAL.text()
                + "; not persisted: the host has no firewall persistence", p.current());
        assertEquals("open to [10.78.1.0/24]: will remove 1 rule(s): [not drctl's] " + MANUAL.text()
                + "; kept (they block every port, not a fence of 5432): -A INPUT -s 10.78.1.7/32 -j DROP", p.desired());
    }

    @Test
    void fenceProbe_manualRuleAlreadyBlocks_isSatisfied_keepsIt() {
        Probe p = Fences.describeProbe(Fences.Mode.FENCE, FENCE, true, manualFence());
        assertEquals(Probe.State.SATISFIED, p.state(), p.toString());
        assertTrue(p.desired().contains("keeps 1 rule(s) drctl did not write"), p.desired());
    }

    @Test
    void fenceProbe_persistedFileLacksTheFence_isNeeded() {
        FencePersistence lacking = new FencePersistence(FencePersistence.State.SAVED, List.of("/etc/iptables/rules.v4"), List.of(), List.of(), "");
        Probe p = Fences.describeProbe(Fences.Mode.FENCE, FENCE, true,
                FenceProbe.of(FENCE, List.of(), List.of(MANUAL), List.of(), lacking));
        assertEquals(Probe.State.NEEDED, p.state());
        assertTrue(p.current().endsWith("would NOT survive a reboot: /etc/iptables/rules.v4 block(s) none of its sources"), p.current());
        assertTrue(p.desired().endsWith("will save the rules where the host restores them at boot"), p.desired());
    }

    @Test
    void writeRemoved_recordsExactTextDurably_andMergesAttempts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("firewall").resolve("unfence-new.region2_dbms.removed.json");
        var backend = FirewallBackends.forHost(io.drctl.firewall.BackendKind.IPTABLES, io.drctl.host.LocalCommandRunner.local());
        RemovedRules.write(file, List.of(MANUAL), backend);
        RemovedRules.write(file, List.of(MANUAL, ALL_PORTS), backend); // a second attempt
        List<BlockingRule> back = RemovedRules.read(file);
        assertEquals(List.of(MANUAL, ALL_PORTS), back, "byte-for-byte text, chain and position survive the round trip");
        assertFalse(Files.exists(file.resolveSibling(file.getFileName() + ".tmp")));
    }
}
