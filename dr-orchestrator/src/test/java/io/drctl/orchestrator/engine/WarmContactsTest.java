package io.drctl.orchestrator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drctl.host.CommandRunner;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.spi.LostTargets;
import io.drctl.orchestrator.steps.StepHarness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which sessions a run opens before it needs them: those its actions declare ({@code Action.sessions}: the hosts
 * they run commands on over SSH), never a host only connected to over TCP, never a host assumed lost.
 */
class WarmContactsTest {

    static final String INVENTORY = io.drctl.orchestrator.InventoryYaml.named("warm-test")
            .region("region1", "subnets: { framework: 10.78.1.0/24 }")
            .hosts("region1", "fw: { address: 10.78.1.10, roles: [framework] }",
                    "dbms: { address: 10.78.1.30, roles: [dbms], firewall: iptables }")
            .hosts("region2", "fw: { address: 10.78.2.10, roles: [framework] }")
            .then("ports: { dbms: 5432, cs: 2020 }")
            .yaml();

    static final String RUNBOOK = """
            name: warm
            steps:
              - { id: fence, type: firewall.fence, hosts: "region=region1 role=dbms", port: dbms, from: [framework] }
              - { id: proven, type: firewall.verify, hosts: "region=region1 role=dbms", port: dbms, from: [framework],
                  source: "region=region1 role=framework", expect: fenced }
              - { id: up, type: wait.tcp, hosts: "role=framework", port: cs, within: 5s }
            """;

    @Test
    void actions_declareTheHostsTheyRunCommandsOn_notTheOnesTheyOnlyConnectTo(@TempDir Path dir) throws Exception {
        StepHarness h = StepHarness.load(dir, INVENTORY, RUNBOOK);
        assertEquals(List.of("region1/dbms"), refs(h.action("fence").sessions()));
        assertEquals(List.of("region1/dbms", "region1/fw"), refs(h.action("proven").sessions()),
                "the fenced host, and the source that proves the effect from its own session");
        h.actions("up").forEach(a -> assertEquals(List.of(), a.sessions(), "wait.tcp only connects over TCP"));
    }

    @Test
    void lostHosts_areNeverWarmed_byNameOrByAddress(@TempDir Path dir) throws Exception {
        StepHarness h = StepHarness.load(dir, INVENTORY, RUNBOOK);
        LostTargets lost = AssumeLost.parse(List.of("region1/dbms"), h.inventory());
        List<String> warmed = new ArrayList<>();
        HostAccess recording = new HostAccess() {
            @Override
            public CommandRunner runner(Host host) {
                throw new AssertionError("warming only: no command");
            }

            @Override
            public void warm(Collection<Host> hosts) {
                hosts.forEach(x -> warmed.add(x.ref()));
            }
        };
        Host dbms = h.inventory().host("region1/dbms").orElseThrow();
        Host sameAddress = new Host("region2", "alias", dbms.address(), dbms.os(), List.of(), dbms.vm(), dbms.firewall(),
                dbms.db(), dbms.resolver(), dbms.ssh(), dbms.resolverPidFile());
        LostHostAccess.of(recording, lost).warm(List.of(dbms, sameAddress, h.inventory().host("region1/fw").orElseThrow()));
        assertEquals(List.of("region1/fw"), warmed);
    }

    private static List<String> refs(List<Host> hosts) {
        return hosts.stream().map(Host::ref).toList();
    }
}
