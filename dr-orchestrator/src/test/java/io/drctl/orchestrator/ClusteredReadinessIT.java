package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.drctl.testing.LocalPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Daemons of a cluster as separate JVMs ({@code drctl daemon}, distinct {@code --instance-id} and state dirs) on a
 * real PostgreSQL 15 store on 127.0.0.1, a real webhook receiver on 127.0.0.1, a readiness runbook whose one check
 * is a marker file the test creates and deletes. Needs root (LocalPostgres runs the server as {@code postgres}).
 */
class ClusteredReadinessIT {
    private static final String CRON = "0/2 * * * * ?";
    private static final Duration PERIOD = Duration.ofSeconds(2);
    private static final Duration CHECKIN = Duration.ofMillis(1500);
    private static final Duration QUARTZ_GRACE = Duration.ofMillis(7500);
    private static final Pattern SERVING = Pattern.compile("serving http://127\\.0\\.0\\.1:(\\d+)/healthz");

    @RegisterExtension
    static final LocalPostgres pg = new LocalPostgres("drctl-cluster-");
    static int port;

    @TempDir
    Path tmp;
    final List<Daemon> daemons = new ArrayList<>();
    final List<HttpServer> receivers = new ArrayList<>();
    final List<String> received = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startStore() throws Exception {
        port = freePort();
        pg.start(pg.initdb("store"), port);
        pg.psql(port, "CREATE DATABASE drctl");
        pg.psql(port, "CREATE ROLE drctl_norights LOGIN");
    }

    Path marker() {
        return tmp.resolve("marker");
    }

    @AfterEach
    void stopEverything() {
        daemons.forEach(d -> d.process().destroyForcibly());
        receivers.forEach(r -> r.stop(0));
    }

    record Daemon(String instance, Process process, Path log) {
        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }

        int httpPort() {
            Matcher m = SERVING.matcher(output());
            if (!m.find()) {
                throw new AssertionError(instance + " serves no HTTP address yet:\n" + output());
            }
            return Integer.parseInt(m.group(1));
        }

        long rounds() {
            return output().lines().filter(l -> l.contains("READY")).count();
        }
    }

    @Test
    void twoDaemons_eachRoundOnce_takeOverAfterKill_rejoin_webhookOncePerChange_standaloneWhileStoreDown() throws Exception {
        String hook = receiver(200);
        Path inv = inventory("cluster-test", "jdbc:postgresql://127.0.0.1:" + port + "/drctl?targetServerType=primary", "postgres", hook);
        Files.writeString(marker(), "present\n");
        Daemon a = start(inv, "d1");
        Daemon b = start(inv, "d2");
        String sched = "drctl-readiness:cluster-test";

        // 10 rounds, one row each, no scheduled round missing
        await(Duration.ofSeconds(90), () -> rows(sched, "") >= 12, "12 rounds in the store", a, b);
        List<Instant> fires = fireTimes(sched);
        List<Instant> steady = fires.subList(1, fires.size()); // the first round may come before both daemons joined
        for (int i = 1; i < steady.size(); i++) {
            assertEquals(PERIOD, Duration.between(steady.get(i - 1), steady.get(i)), "a round missing or doubled: " + fires);
        }
        assertEquals(fires.size(), count("SELECT count(DISTINCT fire_time) FROM drctl_readiness_rounds WHERE sched_name = '" + sched + "'"));
        // each round ran once: the rounds the two daemons ran (their journals) are the rows, give or take one in progress
        long ran = runs(a) + runs(b);
        long stored = rows(sched, "");
        assertTrue(ran >= stored - 1 && ran <= stored + 2, "daemons ran " + ran + " rounds for " + stored + " rows");
        assertTrue(received.isEmpty(), "no change yet, no message: " + received);
        // both daemons are in the cluster
        assertEquals(2, count("SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = '" + sched + "'"));

        // readiness fails, then heals: one message each, whichever daemon ran the round
        Files.delete(marker());
        await(Duration.ofSeconds(30), () -> rows(sched, " AND NOT ok") >= 3, "3 not-ready rounds", a, b);
        Files.writeString(marker(), "present\n");
        Instant healed = Instant.now();
        await(Duration.ofSeconds(30), () -> rows(sched, " AND ok AND finished > '" + healed + "'") >= 3, "3 ready rounds after healing",
                a, b);
        await(Duration.ofSeconds(15), () -> received.size() >= 2, "2 webhook messages", a, b);
        Thread.sleep(PERIOD.toMillis() * 2);
        assertEquals(2, received.size(), "one message per change: " + received);
        JsonNode down = new ObjectMapper().readTree(received.get(0));
        JsonNode up = new ObjectMapper().readTree(received.get(1));
        assertEquals("not_ready", down.get("event").asText(), received.get(0));
        assertEquals("cluster-test", down.get("inventory").asText());
        assertEquals("marker-present", down.get("failing").get(0).get("check").asText(), received.get(0));
        assertEquals("ready", up.get("event").asText(), received.get(1));
        assertEquals(2, count("SELECT count(*) FROM drctl_readiness_changes WHERE sched_name = '" + sched
                + "' AND delivery LIKE 'delivered (HTTP 200%'"));
        // journaled by the daemon that announced each: two events across both state dirs
        List<String> journaled = new ArrayList<>();
        for (Daemon d : List.of(a, b)) {
            Path j = tmp.resolve("state-" + d.instance()).resolve("readiness/changes/journal.jsonl");
            if (Files.exists(j)) {
                Files.readAllLines(j).stream().filter(l -> l.contains("\"readiness.changed\"")).forEach(journaled::add);
            }
        }
        assertEquals(2, journaled.size(), journaled.toString());
        assertTrue(journaled.stream().anyMatch(l -> l.contains("\"delivery\":\"delivered (HTTP 200")), journaled.toString());
        // history reads the changes back from the store
        Fixtures.Cli history = Fixtures.cli("readiness", "history", "-i", inv.toString(), "--since", "1h");
        history.assertExit(0);
        assertTrue(history.out().contains("NOT READY") && history.out().contains("marker-present")
                && history.out().contains("READY again"), history.out());

        // kill -9 one daemon: the other runs the following rounds within the check-in interval
        a.process().destroyForcibly().waitFor();
        Instant killed = Instant.now();
        await(Duration.ofSeconds(30), () -> rows(sched, " AND instance_id = 'd2' AND fire_time > '" + killed + "'") >= 3,
                "d2 runs 3 rounds after d1 was killed", b);
        List<Instant> after = fireTimes(sched).stream().filter(t -> t.isAfter(killed)).toList();
        // a dead daemon's acquired (or running) round is recovered once Quartz judges it failed: its last check-in
        // plus the check-in interval plus Quartz's fixed 7.5 s grace (JobStoreSupport.calcFailedIfAfter), seen at the
        // survivor's next check-in; then the schedule goes on
        Duration takeOver = Duration.between(killed, after.get(0));
        assertTrue(takeOver.compareTo(CHECKIN.multipliedBy(2).plus(QUARTZ_GRACE).plus(PERIOD).plusSeconds(2)) <= 0,
                "first round after the kill came after " + takeOver);
        for (int i = 1; i < after.size(); i++) {
            assertEquals(PERIOD, Duration.between(after.get(i - 1), after.get(i)), "a round missing after the kill: " + after);
        }

        // restart it: it rejoins (in the scheduler state), and runs rounds once the other stops
        Daemon a2 = start(inv, "d1");
        await(Duration.ofSeconds(30), () -> a2.output().contains("clustered as instance d1"), "d1 rejoins", a2);
        await(Duration.ofSeconds(30), () -> count("SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = '" + sched
                + "' AND instance_name = 'd1'") == 1, "d1 in qrtz_scheduler_state", a2);
        b.process().destroy(); // SIGTERM: a clean stop
        b.process().waitFor();
        Instant stopped = Instant.now();
        await(Duration.ofSeconds(30), () -> rows(sched, " AND instance_id = 'd1' AND fire_time > '" + stopped + "'") >= 2,
                "the rejoined d1 runs rounds", a2);

        // the store goes away: the daemon runs rounds alone and says so; it rejoins when the store is back
        pg.asPostgres(LocalPostgres.BIN.resolve("pg_ctl") + " -D " + LocalPostgres.q(pg.dir("store")) + " stop -m fast -w -t 60");
        await(Duration.ofSeconds(30), () -> get(a2, "/healthz").contains("mode: standalone"), "standalone in /healthz", a2);
        String health = get(a2, "/healthz");
        assertTrue(health.contains("store: unreachable since ") && health.contains("no PostgreSQL server answered"), health);
        assertTrue(get(a2, "/metrics").contains("drctl_readiness_store_up 0"), get(a2, "/metrics"));
        long before = a2.rounds();
        await(Duration.ofSeconds(20), () -> a2.rounds() >= before + 3, "3 rounds while the store is down", a2);
        pg.start(pg.dir("store"), port);
        Instant back = Instant.now();
        await(Duration.ofSeconds(40), () -> get(a2, "/healthz").contains("mode: clustered"), "clustered again", a2);
        assertTrue(get(a2, "/metrics").contains("drctl_readiness_store_up 1"));
        await(Duration.ofSeconds(30), () -> rows(sched, " AND fire_time > '" + back + "'") >= 2, "rounds in the store again", a2);
        assertFalse(a2.output().contains("\tat "), "no stack trace:\n" + a2.output());
        JsonNode results = new ObjectMapper().readTree(get(a2, "/results"));
        assertTrue(results.get("ok").asBoolean(), results.toString());
    }

    @Test
    void badStore_unreachableWrongDatabaseNoRights_oneClearMessageEach_roundsGoOn() throws Exception {
        Files.writeString(marker(), "present\n");
        record Case(String name, String url, String user, String expect) {
        }
        List<Case> cases = List.of(
                new Case("unreachable", "jdbc:postgresql://127.0.0.1:" + freePort() + "/drctl", "postgres", "no PostgreSQL server answered"),
                new Case("nodb", "jdbc:postgresql://127.0.0.1:" + port + "/nosuchdb", "postgres", "the database does not exist"),
                new Case("norights", "jdbc:postgresql://127.0.0.1:" + port + "/drctl_empty", "drctl_norights",
                        "the role may not create or write the store's tables"));
        pg.psql(port, "CREATE DATABASE drctl_empty");
        List<Daemon> started = new ArrayList<>();
        for (Case c : cases) {
            started.add(start(inventory("bad-" + c.name(), c.url(), c.user(), null), "bad-" + c.name()));
        }
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Daemon d = started.get(i);
            await(Duration.ofSeconds(40), () -> d.rounds() >= 3, c.name() + ": 3 rounds alone", d);
            String out = d.output();
            assertEquals(1, out.lines().filter(l -> l.contains("readiness store unusable")).count(), c.name() + ": one message\n" + out);
            String line = out.lines().filter(l -> l.contains("readiness store unusable")).findFirst().orElseThrow();
            assertTrue(line.contains(c.expect()) && line.contains("hint: "), c.name() + ": " + line);
            assertTrue(line.contains("running rounds alone (standalone)"), line);
            assertFalse(out.contains("\tat ") || out.contains("Exception in"), c.name() + ": no stack trace\n" + out);
            assertTrue(get(d, "/healthz").contains("mode: standalone"), get(d, "/healthz"));
        }
        assertEquals(0, count("SELECT count(*) FROM pg_tables WHERE tablename = 'qrtz_locks'", "drctl_empty"));
    }

    @Test
    void webhookAnswers500_threeAttemptsOneClearLine_roundsGoOn_oldRoundsDeleted() throws Exception {
        String hook = receiver(500);
        Path inv = inventory("hook-500", "jdbc:postgresql://127.0.0.1:" + port + "/drctl", "postgres", hook);
        Files.writeString(inv, Files.readString(inv).replace("    checkinInterval:", "    retention: 1h\n    checkinInterval:"));
        // rounds from before the retention: deleted when the daemon starts
        try (Connection c = connect("drctl")) {
            c.setAutoCommit(false);
            io.drctl.orchestrator.readiness.cluster.StoreSchema.ensure(c);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO drctl_readiness_rounds VALUES ('drctl-readiness:hook-500', now() - interval '3 hours', 'old', true,"
                        + " now() - interval '3 hours', '{}'), ('drctl-readiness:hook-500', now() - interval '50 minutes', 'old', true,"
                        + " now() - interval '50 minutes', '{}')");
            }
            c.commit();
        }
        // no marker: the first round is not ready, a change
        Daemon d = start(inv, "h1");
        await(Duration.ofSeconds(40), () -> d.output().contains("webhook not delivered"), "the delivery outcome", d);
        long before = d.rounds();
        await(Duration.ofSeconds(20), () -> d.rounds() >= before + 2, "rounds go on", d);
        String line = d.output().lines().filter(l -> l.contains("webhook not delivered")).findFirst().orElseThrow();
        assertTrue(line.contains("not delivered after 3 attempts") && line.contains("HTTP 500"), line);
        assertEquals(3, received.size(), "3 attempts: " + received);
        assertEquals(1, count("SELECT count(*) FROM drctl_readiness_changes WHERE sched_name = 'drctl-readiness:hook-500'"
                + " AND delivery LIKE 'not delivered after 3 attempts%'"));
        assertFalse(d.output().contains("\tat "), d.output());
        assertEquals(1, count("SELECT count(*) FROM drctl_readiness_rounds WHERE instance_id = 'old'"), "the 3-hour-old round deleted");
        assertTrue(d.output().contains("drctl daemon: deleted 1 rounds older than 1h (readiness.store.retention)"), d.output());
    }

    // ---- helpers

    /** A webhook receiver on 127.0.0.1 answering {@code status}; its URL. */
    String receiver(int status) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        s.createContext("/hook", x -> {
            try (x) {
                received.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                x.sendResponseHeaders(status, -1);
            }
        });
        s.start();
        receivers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/hook";
    }

    Path inventory(String name, String url, String user, String hook) throws IOException {
        String text = Fixtures.LOOPBACK_INVENTORY.replace("name: loopback-test", "name: " + name) + """
                readiness:
                  store:
                    url: "%s"
                    user: %s
                    checkinInterval: %dms
                """.formatted(url, user, CHECKIN.toMillis())
                + (hook == null ? "" : """
                  webhook:
                    url: %s
                    format: generic
                """.formatted(hook));
        return Fixtures.write(tmp, name + ".yaml", text);
    }

    Path runbook() throws IOException {
        return Fixtures.write(tmp, "readiness-cluster.yaml", """
                name: readiness-cluster
                steps:
                  - id: marker-present
                    type: exec
                    command: "test -e %s"
                    onFailure: continue
                """.formatted(marker()));
    }

    Daemon start(Path inv, String instance) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = tmp.resolve(instance + "-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", cp, "io.drctl.orchestrator.cli.Main", "daemon",
                "-i", inv.toString(), runbook().toString(), "--instance-id", instance, "--state-dir",
                tmp.resolve("state-" + instance).toString(), "--schedule", CRON, "--listen", "127.0.0.1:0");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        Daemon d = new Daemon(instance, pb.start(), log);
        daemons.add(d);
        return d;
    }

    static void await(Duration limit, BooleanSupplier condition, String what, Daemon... show) throws InterruptedException {
        Await.until(limit, Duration.ofMillis(250), condition, () -> {
            StringBuilder b = new StringBuilder(what);
            for (Daemon d : show) {
                b.append("\n--- ").append(d.instance()).append(" (alive: ").append(d.process().isAlive()).append(")\n").append(d.output());
            }
            return b.toString();
        });
    }

    static String get(Daemon d, String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + d.httpPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Finished readiness runs journaled in the daemon's state dir. */
    long runs(Daemon d) throws IOException {
        Path runs = tmp.resolve("state-" + d.instance()).resolve("readiness/runs");
        if (!Files.isDirectory(runs)) {
            return 0;
        }
        try (var s = Files.list(runs)) {
            return s.count();
        }
    }

    /** The rounds of schedule {@code sched} in the store, those matching {@code and} (SQL: {@code " AND NOT ok"}, or none). */
    static long rows(String sched, String and) {
        return count("SELECT count(*) FROM drctl_readiness_rounds WHERE sched_name = '" + sched + "'" + and);
    }

    static List<Instant> fireTimes(String sched) throws SQLException {
        try (Connection c = connect("drctl"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT fire_time FROM drctl_readiness_rounds WHERE sched_name = '" + sched
                     + "' ORDER BY fire_time")) {
            List<Instant> out = new ArrayList<>();
            while (r.next()) {
                out.add(r.getTimestamp(1).toInstant());
            }
            return out;
        }
    }

    static long count(String sql) {
        return count(sql, "drctl");
    }

    /** The count {@code sql} gives; -1 while the store is down or its tables are not there yet. */
    static long count(String sql, String db) {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, "postgres", "");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
