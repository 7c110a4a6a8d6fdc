package io.drctl.orchestrator.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drctl.dns.TsigKeys;
import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.InventoryYaml;
import io.drctl.orchestrator.engine.EngineOptions;
import io.drctl.orchestrator.engine.Progress;
import io.drctl.orchestrator.engine.RunPolicy;
import io.drctl.orchestrator.engine.RunServices;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.steps.Builtins;
import io.drctl.orchestrator.steps.dns.ZoneServer;
import io.drctl.testing.LocalPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DR gauges from real checks: readiness rounds through the real engine ({@link Readiness}) against a real
 * PostgreSQL 15 primary and its streaming standby ({@code pg_basebackup -R}, {@link LocalPostgres}, driven over
 * {@code runuser} exactly as over SSH) and two TSIG-signing DNS servers on 127.0.0.1 ({@link ZoneServer}); each
 * round's {@code /metrics}, fetched over HTTP from a {@link ReadinessServer} on loopback, goes through
 * {@code promtool check metrics}. Needs root (runuser) and promtool.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadinessGaugesIT {
    @RegisterExtension
    static final LocalPostgres pg = new LocalPostgres("drctl-gauges-");

    @TempDir
    static Path tmp;

    static int primary;
    static int standby;
    static String keyText;
    static ZoneServer ns1;
    static ZoneServer ns2;
    static Path inventory;
    static Path runbook;
    static final ReadinessState state = new ReadinessState();
    static ReadinessServer server;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        primary = freePort();
        standby = freePort();
        pg.start(pg.initdb("primary"), primary);
        pg.psql(primary, "CREATE TABLE gauges (id int, note text); INSERT INTO gauges VALUES (1, 'before the standby')");
        pg.start(pg.basebackup("standby", primary), standby);
        pg.waitFor(primary, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", "1");
        pg.psql(primary, "INSERT INTO gauges VALUES (2, 'streamed')"); // a replayed transaction, so the replay delay is known
        pg.waitFor(standby, "SELECT count(*) FROM gauges", "2");

        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        keyText = "hmac-sha256:drctl-update:" + Base64.getEncoder().encodeToString(secret);
        ns1 = new ZoneServer("cc.test.", Optional.of(TsigKeys.fromEnvironment(Map.of("K", keyText), "K")), Clock.systemUTC());
        ns2 = new ZoneServer("cc.test.", Optional.of(TsigKeys.fromEnvironment(Map.of("K", keyText), "K")), Clock.systemUTC());

        String db = "db: { kind: postgresql, version: 15, dataDir: DIR, osUser: postgres, socketDir: BASE, port: PORT }"
                .replace("BASE", pg.base().toString());
        inventory = Fixtures.write(tmp, "inventory.yaml", InventoryYaml.named("gauges-it")
                .nameServers(ns1.port(), ns2.port()).dns("tsig: { keyEnv: DRCTL_TSIG }").dns("ttl: 60")
                .then("ports: { dbms: 5432 }")
                .region("region1", "role: primary").hosts("region1", "dbms: { address: 127.0.0.1, roles: [dbms], DB1 }")
                .region("region2", "role: dr").hosts("region2", "dbms: { address: 127.0.0.2, roles: [dbms], DB2 }").yaml()
                .replace("DB1", db.replace("DIR", pg.dir("primary").toString()).replace("PORT", Integer.toString(primary)))
                .replace("DB2", db.replace("DIR", pg.dir("standby").toString()).replace("PORT", Integer.toString(standby))));
        runbook = Fixtures.write(tmp, "readiness.yaml", """
                name: readiness
                steps:
                  - { id: standby-replica, type: db.replica, hosts: "region=region2 role=dbms", maxLag: 60s, maxLagBytes: 65536,
                      timeout: 1m, onFailure: continue }
                  - { id: tsig-key, type: dns.key-check, maxSkew: 60s, timeout: 30s, onFailure: continue }
                """);
        server = ReadinessServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), state);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (ZoneServer ns : new ZoneServer[] {ns1, ns2}) {
            if (ns != null) {
                ns.close();
            }
        }
        // the PostgreSQL servers are stopped by LocalPostgres (pg_ctl stop on each data directory)
    }

    /** One readiness round through the real engine, recorded as the daemon records it. */
    static ReadinessResult round() throws Exception {
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "DRCTL_TSIG", keyText);
        Clock clock = Clock.systemUTC();
        EngineOptions options = new EngineOptions(RunPolicy.of(false, false), new RunServices(clock, env,
                inv -> Fixtures.localHosts(), "tester", "testhost", Progress.NONE, Optional.empty()));
        Runs runs = new Runs(Readiness.store(tmp.resolve("state")), Builtins.registry(), options);
        ReadinessResult r = new Readiness(runs, clock, env).run(inventory, runbook, Map.of());
        state.record(r);
        return r;
    }

    static String metrics() throws Exception {
        HttpResponse<String> m = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.address().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, m.statusCode(), m.body());
        return m.body();
    }

    static Figure figure(ReadinessResult r, String check, String name) {
        return r.checks().stream().filter(c -> c.id().equals(check)).flatMap(c -> c.figures().stream())
                .filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no figure " + name + " from " + check + " in " + r.toMap()));
    }

    @Test
    @Order(1)
    void streamingStandby_lagZero_serialsEqual_promtoolClean() throws Exception {
        ReadinessResult r = round();
        assertTrue(r.ok(), r.toMap().toString());
        assertEquals(Figure.of("replica_streaming", 1, "replica", "region2/dbms"), figure(r, "standby-replica", "replica_streaming"));
        assertEquals(Figure.of("replica_lag_bytes", 0, "replica", "region2/dbms"), figure(r, "standby-replica", "replica_lag_bytes"));
        assertEquals(Figure.of("replica_lag_seconds", 0, "replica", "region2/dbms"), figure(r, "standby-replica", "replica_lag_seconds"));
        List<Figure> serials = r.checks().stream().flatMap(c -> c.figures().stream()).filter(f -> f.name().equals("dns_soa_serial")).toList();
        assertEquals(List.of("ns1", "ns2"), serials.stream().map(f -> f.labels().get("server")).toList(), "sorted by server");
        assertEquals(1, serials.stream().map(Figure::value).distinct().count(), "equal serials: " + serials);

        String text = metrics();
        assertTrue(text.contains("\ndrctl_dr_replica_lag_bytes{check=\"standby-replica\",replica=\"region2/dbms\"} 0\n"), text);
        assertTrue(text.contains("\ndrctl_dr_dns_soa_serial{check=\"tsig-key\",server=\"ns2\",zone=\"cc.test.\"} 2026010101\n"), text);
        assertTrue(text.contains("\ndrctl_readiness_last_pass_age_seconds "), text);
        Promtool.assertClean(text);

        JsonNode results = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.address().getPort() + "/results")).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode lag = results.path("checks").get(0).path("figures");
        assertEquals("replica_lag_bytes", lag.get(0).path("name").asText(), results.toString());
        assertEquals(0, lag.get(0).path("value").asDouble(-1), results.toString());
        assertEquals("region2/dbms", lag.get(1).path("labels").path("replica").asText(), results.toString());
    }

    @Test
    @Order(2)
    void replayPaused_writesOnThePrimary_lagInBytesAndSeconds_checkFails_stillPromtoolClean() throws Exception {
        pg.psql(standby, "SELECT pg_wal_replay_pause()");
        try {
            pg.psql(primary, "INSERT INTO gauges SELECT g, repeat('x', 200) FROM generate_series(3, 5000) g");
            Thread.sleep(1100); // the last replayed transaction ages past a second
            ReadinessResult r = round();
            assertFalse(r.ok(), "the replay gap is over maxLagBytes");
            double bytes = figure(r, "standby-replica", "replica_lag_bytes").value();
            double seconds = figure(r, "standby-replica", "replica_lag_seconds").value();
            assertTrue(bytes > 65536, "WAL received, not replayed: " + bytes);
            assertTrue(seconds >= 1, "the last replayed transaction is older than the pause: " + seconds);
            String text = metrics();
            assertTrue(text.contains("\ndrctl_readiness_check_ok{check=\"standby-replica\",type=\"db.replica\"} 0\n"), text);
            assertTrue(text.contains("\ndrctl_dr_replica_lag_bytes{check=\"standby-replica\",replica=\"region2/dbms\"} "
                    + Metrics.value(bytes) + "\n"), text);
            Promtool.assertClean(text);
        } finally {
            pg.psql(standby, "SELECT pg_wal_replay_resume()");
        }
        pg.waitFor(standby, "SELECT count(*) FROM gauges", "5000");
        ReadinessResult caughtUp = round();
        assertTrue(caughtUp.ok(), caughtUp.toMap().toString());
        assertEquals(0, figure(caughtUp, "standby-replica", "replica_lag_bytes").value());
    }
}
