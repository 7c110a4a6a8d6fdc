package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.config.load.InventoryLoader;
import io.drctl.orchestrator.config.load.Selector;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Step;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.journal.Status;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelTest {

    static Inventory inventory() {
        Problems p = new Problems();
        Inventory inv = InventoryLoader.parse("inv.yaml", Fixtures.LOOPBACK_INVENTORY, p).orElseThrow();
        assertTrue(p.isEmpty(), p.list().toString());
        return inv;
    }

    @Test
    void durations_parseOperatorForms() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), Durations.parse("30s"));
        assertEquals(Optional.of(Duration.ofMinutes(90)), Durations.parse("1h30m"));
        assertEquals(Optional.of(Duration.ofMillis(250)), Durations.parse("250ms"));
        assertEquals(Optional.of(Duration.ofSeconds(12)), Durations.parse("12"));
        assertEquals(Optional.empty(), Durations.parse("ten minutes"));
        assertEquals(Optional.empty(), Durations.parse("5x"));
        assertEquals("1m30s", Durations.format(Duration.ofSeconds(90)));
    }

    @Test
    void hints_suggestCloseKeysOnly() {
        assertEquals(Optional.of("dependsOn"), Hints.closest("dependOn", List.of("id", "dependsOn", "timeout")));
        assertEquals(Optional.of("onFailure"), Hints.closest("onfailure", List.of("onFailure", "retry")));
        assertEquals(Optional.empty(), Hints.closest("zzzzzz", List.of("id", "type")));
        assertEquals(1, Hints.distance("tll", "ttl"));
    }

    @Test
    void selector_matchesByRegionRoleAndHost() {
        Inventory inv = inventory();
        Problems p = new Problems();
        Location at = Location.synthetic("t", "hosts");
        assertEquals(List.of("region1/app", "region2/app"), refs(Selector.select("role=app", inv, at, p)));
        assertEquals(List.of("region2/app"), refs(Selector.select("region=region2 role=app", inv, at, p)));
        assertEquals(List.of("region1/app", "region1/dbms"), refs(Selector.select("role=app,dbms region=region1", inv, at, p)));
        assertEquals(List.of("region1/dbms"), refs(Selector.select("host=region1/dbms", inv, at, p)));
        assertEquals(3, Selector.select("all", inv, at, p).size());
        assertTrue(p.isEmpty(), p.list().toString());
        Selector.select("region=region2 role=dbms", inv, at, p);
        assertEquals(1, p.size());
        assertTrue(p.list().get(0).message().contains("matches no host"), p.list().toString());
    }

    static List<String> refs(List<Host> hosts) {
        return hosts.stream().map(Host::ref).toList();
    }

    @Test
    void inventory_hostOverridesInheritSshDefaults() {
        Problems p = new Problems();
        Inventory inv = InventoryLoader.parse("inv.yaml", Fixtures.LOOPBACK_INVENTORY.replace(
                "app: { address: 127.0.0.3, roles: [app] }", "app: { address: 127.0.0.3, roles: [app], ssh: { user: svc, port: 2222 } }"), p)
                .orElseThrow();
        assertTrue(p.isEmpty(), p.list().toString());
        Host h = inv.host("region2/app").orElseThrow();
        assertEquals(Optional.of("svc"), inv.sshFor(h).user());
        assertEquals(Optional.of(2222), inv.sshFor(h).port());
        assertEquals(Optional.of("/nonexistent/key"), inv.sshFor(h).identityFile());
        assertEquals(Optional.of("root"), inv.sshFor(inv.host("region1/app").orElseThrow()).user());
    }

    @Test
    void inventory_badValues_allCollectedWithPaths() {
        Problems p = new Problems();
        InventoryLoader.parse("inv.yaml", Fixtures.LOOPBACK_INVENTORY
                .replace("framework: 127.0.1.0/29", "framework: 127.0.1.0/33")
                .replace("svc: 2020", "svc: 0")
                .replace("address: 127.0.0.2", "address: \"bad host!\"")
                .replace("keyEnv: DRENG_TSIG_KEY", "keyEnv: \"not a var\""), p);
        List<String> paths = p.list().stream().map(x -> x.location().path()).toList();
        assertTrue(paths.contains("regions.region1.subnets.framework"), paths.toString());
        assertTrue(paths.contains("ports.svc"), paths.toString());
        assertTrue(paths.contains("regions.region1.hosts.dbms.address"), paths.toString());
        assertTrue(paths.contains("dns.tsig.keyEnv"), paths.toString());
    }

    @Test
    void status_knowsTerminalAndSuccessful() {
        assertTrue(Status.SUCCEEDED.isTerminal() && Status.SUCCEEDED.isSuccessful());
        assertTrue(Status.SATISFIED.isSuccessful());
        assertTrue(Status.FAILED.isTerminal() && !Status.FAILED.isSuccessful());
        assertTrue(!Status.RUNNING.isTerminal());
        assertTrue(Status.NOT_REVERTIBLE.isTerminal() && !Status.NOT_REVERTIBLE.isSuccessful());
    }

    @Test
    void retryPolicy_backoffDoublesUpToMax() {
        Step.RetryPolicy r = new Step.RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(3));
        assertEquals(Duration.ofSeconds(1), r.pauseBefore(2));
        assertEquals(Duration.ofSeconds(2), r.pauseBefore(3));
        assertEquals(Duration.ofSeconds(3), r.pauseBefore(4));
        assertEquals(Duration.ofSeconds(3), r.pauseBefore(5));
    }
}
