package io.drctl.orchestrator.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drctl.dns.TsigKeys;
import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.InventoryYaml;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.steps.dns.ZoneServer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figures from a check to a readiness result through the real engine and CLI: {@code drctl readiness --output json}
 * with a {@code dns.key-check} against two TSIG-signing DNS servers on 127.0.0.1 ({@link ZoneServer}). The journal
 * holds each reading as {@code action.observed} (once: the verify repeating the probe reads the same serial), and the
 * result carries every check's figures.
 */
class ReadinessFiguresTest {
    @TempDir
    Path tmp;

    String keyText;
    ZoneServer ns1;
    ZoneServer ns2;

    @BeforeEach
    void start() throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        keyText = "hmac-sha256:drctl-update:" + Base64.getEncoder().encodeToString(secret);
        ns1 = new ZoneServer("cc.test.", Optional.of(TsigKeys.fromEnvironment(Map.of("K", keyText), "K")), Clock.systemUTC());
        ns2 = new ZoneServer("cc.test.", Optional.of(TsigKeys.fromEnvironment(Map.of("K", keyText), "K")), Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        ns1.close();
        ns2.close();
    }

    @Test
    void readiness_keyCheck_figuresJournaledOnceEach_andInTheResult() throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", InventoryYaml.named("figures-test")
                .nameServers(ns1.port(), ns2.port()).dns("tsig: { keyEnv: DRCTL_TSIG }")
                .hosts("region1", "app: { address: 127.0.0.1, roles: [app] }")
                .hosts("region2", "app: { address: 127.0.0.3, roles: [app] }").yaml());
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: readiness-figures
                steps:
                  - { id: tsig-key, type: dns.key-check, maxSkew: 60s, onFailure: continue }
                  - { id: shell, type: exec, command: "true", onFailure: continue }
                """);
        Path state = tmp.resolve("state");
        Fixtures.Cli r = Fixtures.cli(Fixtures.runtime(Map.of("PATH", System.getenv("PATH"), "DRCTL_TSIG", keyText)),
                "readiness", "-i", inv.toString(), rb.toString(), "--output", "json", "--state-dir", state.toString())
                .assertExit(ExitCodes.OK);

        JsonNode checks = new ObjectMapper().readTree(r.out()).get("checks");
        List<Figure> figures = new ArrayList<>();
        for (JsonNode f : checks.get(0).get("figures")) {
            Map<String, Object> m = new ObjectMapper().convertValue(f, new TypeReference<Map<String, Object>>() { });
            figures.add(Figure.fromMap(m).orElseThrow());
        }
        assertEquals(List.of(Figure.of("dns_soa_serial", 2026010101L, "server", "ns1", "zone", "cc.test."),
                Figure.of("dns_soa_serial", 2026010101L, "server", "ns2", "zone", "cc.test.")),
                figures.stream().filter(f -> f.name().equals("dns_soa_serial")).toList(), r.out());
        assertEquals(List.of("ns1", "ns2"), figures.stream().filter(f -> f.name().equals("tsig_clock_skew_seconds"))
                .map(f -> f.labels().get("server")).toList(), r.out());
        assertEquals(0, checks.get(1).get("figures").size(), "an exec check measures nothing");

        List<JournalEvent> observed = Fixtures.journal(Fixtures.onlyRun(state.resolve("readiness"))).stream()
                .filter(e -> e.event().equals("action.observed")).toList();
        List<String> serials = observed.stream().filter(e -> "dns_soa_serial".equals(e.str("name")))
                .map(e -> e.target().orElseThrow() + " " + e.data().get("value")).sorted().toList();
        assertEquals(List.of("ns1 2026010101", "ns2 2026010101"), serials,
                "probe and verify read the same serial: one line per server");
        assertTrue(observed.stream().allMatch(e -> e.step().orElseThrow().equals("tsig-key")), observed.toString());
    }
}
