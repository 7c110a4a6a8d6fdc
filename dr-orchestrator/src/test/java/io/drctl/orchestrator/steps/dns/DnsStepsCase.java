package io.drctl.orchestrator.steps.dns;

import io.drctl.dns.TsigKey;
import io.drctl.dns.TsigKeys;
import io.drctl.orchestrator.InventoryYaml;
import io.drctl.orchestrator.steps.StepHarness;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the DNS step type tests share: two small authoritative servers on 127.0.0.1 ({@link ZoneServer}: they apply
 * the signed UPDATEs to their zone and answer later queries from it), both with the region1 addresses, an inventory
 * naming them, one runbook with a step of each DNS type, and its {@link StepHarness} with the TSIG key in the
 * environment. No root, no BIND.
 */
abstract class DnsStepsCase {
    @TempDir
    Path tmp;

    static final String KEY_VAR = "DRCTL_TSIG";
    String keyText;
    ZoneServer ns1;
    ZoneServer ns2;

    static String newKey(String name) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return "hmac-sha256:" + name + ":" + Base64.getEncoder().encodeToString(secret);
    }

    static TsigKey key(String text) throws Exception {
        return TsigKeys.fromEnvironment(Map.of("K", text), "K");
    }

    @BeforeEach
    void start() throws Exception {
        keyText = newKey("drctl-update");
        ns1 = new ZoneServer("cc.test.", Optional.of(key(keyText)), Clock.systemUTC());
        ns2 = new ZoneServer("cc.test.", Optional.of(key(keyText)), Clock.systemUTC());
        for (ZoneServer ns : List.of(ns1, ns2)) {
            inRegion1(ns);
        }
    }

    @AfterEach
    void stop() throws Exception {
        ns1.close();
        ns2.close();
    }

    static void inRegion1(ZoneServer ns) {
        ns.put("cfgmaster", 300, "10.1.0.10");
        ns.put("configdb", 300, "10.1.0.30");
    }

    static void inRegion2(ZoneServer ns) {
        ns.put("cfgmaster", 300, "10.2.0.10");
        ns.put("configdb", 300, "10.2.0.30");
    }

    String inventory(int ns2Port) {
        return InventoryYaml.named("dns-test").nameServers(ns1.port(), ns2Port)
                .dns("tsig: { keyEnv: DRCTL_TSIG }").dns("ttl: 60")
                .hosts("region1", "fw:   { address: 10.1.0.10, roles: [framework] }", "dbms: { address: 10.1.0.30, roles: [dbms] }",
                        "app:  { address: 10.1.0.20, roles: [cs-proxy] }")
                .hosts("region2", "fw:   { address: 10.2.0.10, roles: [framework] }", "dbms: { address: 10.2.0.30, roles: [dbms] }",
                        "app:  { address: 10.2.0.20, roles: [cs-proxy], resolver: dnsmasq, resolverPidFile: /run/dnsmasq/own.pid }",
                        "gw:   { address: 10.2.0.40, roles: [gateway], resolver: none }")
                .records("cfgmaster: { region1: fw, region2: fw }", "configdb:  { region1: dbms, region2: dbms }").yaml();
    }

    static final String RUNBOOK = """
            name: dns
            steps:
              - { id: flip, type: dns.update, records: [cfgmaster, configdb], to: region2 }
              - { id: flip-ttl, type: dns.update, records: [cfgmaster], to: region2, ttl: 30s }
              - { id: share, type: dns.update, records: [cfgmaster, configdb], to: region2, maxZoneShare: 0.3 }
              - { id: forced-share, type: dns.update, records: [cfgmaster, configdb], to: region2, maxZoneShare: 0.3, force: "region1 is lost" }
              - { id: check, type: dns.verify, records: [cfgmaster, configdb], to: region2, within: 5s, interval: 1s }
              - { id: lower, type: dns.ttl, records: [cfgmaster, configdb], ttl: 30s }
              - { id: flush, type: dns.flush-cache, hosts: "role=cs-proxy", records: [cfgmaster], to: region2, within: 6s, interval: 2s }
              - { id: flush-none, type: dns.flush-cache, hosts: "role=gateway", records: [cfgmaster], to: region2, within: 1s }
              - { id: key, type: dns.key-check }
              - { id: key-skew, type: dns.key-check, maxSkew: 60s }
            """;

    StepHarness harness(Map<String, String> params) throws Exception {
        return harness(ns2.port(), params);
    }

    StepHarness harness(int ns2Port, Map<String, String> params) throws Exception {
        StepHarness h = StepHarness.load(tmp, inventory(ns2Port), RUNBOOK, params);
        h.env.put(KEY_VAR, keyText);
        return h;
    }

    StepHarness harness() throws Exception {
        return harness(Map.of());
    }
}
