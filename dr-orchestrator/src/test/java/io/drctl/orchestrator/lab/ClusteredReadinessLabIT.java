package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.drctl.host.CommandResult;
import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.orchestrator.Await;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.lab.LabCli.Cli;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two readiness daemons (separate JVMs, one "per region") in a cluster whose store is a {@code drctl} database on
 * the lab's region1 primary, replicated to region2, reached through pgjdbc's multi-host URL with
 * {@code targetServerType=primary}. A lab fault (region2's DBMS partitioned, then healed) makes readiness fail and
 * heal: one webhook message per change. Then region1 is lost (every region1 host partitioned) and a forced failover
 * promotes region2's DBMS: the same daemon processes, never restarted, go on writing rounds on the new primary.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusteredReadinessLabIT extends LabScenario {
    static final String CRON = "0/10 * * * * ?";
    static final String SCHED = "drctl-readiness:lab";
    static final List<LabHost> REGION1 = List.of(LabHost.R1_DBMS, LabHost.R1_MFWK_P, LabHost.R1_MFWK_B, LabHost.R1_APP_P, LabHost.R1_APP_B);
    static final List<String> received = Collections.synchronizedList(new ArrayList<>());
    static final List<Process> daemons = new ArrayList<>();
    static HttpServer receiver;
    static Path inventory;

    @BeforeAll
    static void clusterOnTheLab() throws Exception {
        assertEquals("", psql(LabHost.R1_DBMS, "CREATE DATABASE drctl"));
        await(Duration.ofSeconds(60), () -> "1".equals(psql(LabHost.R2_DBMS, "SELECT count(*) FROM pg_database WHERE datname = 'drctl'")),
                "the drctl database replicated to region2");
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        receiver.createContext("/hook", x -> {
            try (x) {
                received.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                x.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();
        String lab = Files.readString(Lab.inventory());
        inventory = Files.writeString(stateDir.resolve("lab-cluster.yaml"), lab.replaceFirst("(?m)^name: .*$", "name: lab")
                + "\n" + """
                readiness:
                  store:
                    url: "jdbc:postgresql://10.77.1.30:5432,10.77.2.30:5432/drctl?targetServerType=primary"
                    user: postgres
                    checkinInterval: 3s
                  webhook:
                    url: http://127.0.0.1:%d/hook
                    format: generic
                """.formatted(receiver.getAddress().getPort()));
        daemons.add(daemon("region1-a"));
        daemons.add(daemon("region2-a"));
    }

    @AfterAll
    static void stopDaemons() {
        daemons.forEach(Process::destroyForcibly);
        for (Process d : daemons) { // gone before lab/down runs: nothing of this class may outlive it
            try {
                d.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    @Order(1)
    void twoDaemons_roundsOnceEach_readyNoMessage() throws Exception {
        await(Duration.ofMinutes(3), () -> rounds("") >= 4, "4 rounds in the store");
        assertEquals(rounds(""), rounds("AND ok"), "a fresh lab is ready on every round");
        assertEquals("2", psql(LabHost.R1_DBMS, "SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = '" + SCHED + "'", "drctl"));
        assertTrue(received.isEmpty(), received.toString());
    }

    @Test
    @Order(2)
    void labFault_readinessFailsAndHeals_oneMessagePerChange() throws Exception {
        CommandResult cut = Lab.fault("partition", LabHost.R2_DBMS.id());
        assertEquals(0, cut.exitCode(), cut.toString());
        Instant faulted = Instant.now();
        try {
            await(Duration.ofMinutes(3), () -> rounds("AND NOT ok AND finished > '" + faulted + "'") >= 2, "2 not-ready rounds");
        } finally {
            CommandResult heal = Lab.fault("heal", LabHost.R2_DBMS.id());
            assertEquals(0, heal.exitCode(), heal.toString());
        }
        Instant healed = Instant.now();
        await(Duration.ofMinutes(3), () -> rounds("AND ok AND finished > '" + healed + "'") >= 2, "2 ready rounds after healing");
        await(Duration.ofSeconds(30), () -> received.size() >= 2, "2 webhook messages");
        Thread.sleep(20_000);
        assertEquals(2, received.size(), "one message per change: " + received);
        JsonNode down = new ObjectMapper().readTree(received.get(0));
        assertEquals("not_ready", down.get("event").asText());
        assertTrue(down.get("failing").toString().contains("standby-replica"), received.get(0));
        assertEquals("ready", new ObjectMapper().readTree(received.get(1)).get("event").asText());
    }

    @Test
    @Order(3)
    void regionOneLost_forcedFailover_daemonsGoOnOnTheNewPrimaryWithoutRestart() throws Exception {
        List<Long> pids = daemons.stream().map(Process::pid).toList();
        REGION1.forEach(h -> Lab.fault("partition", h.id()));
        Cli run = drctl("run", "-i", inventory(), LabCli.runbook("full-failover.yaml"), "--yes",
                "--mode", "forced", "--override-rule", "one-dbms", "--reason", "region1 lost (test: every switch port down)");
        assertEquals(ExitCodes.BEST_EFFORT_FAILED, run.exit(), run.out() + run.err());
        assertEquals("f", LabCli.inRecovery(LabHost.R2_DBMS), "region2 is the primary");
        Instant promoted = Instant.now();
        // the rounds after the failover are written on region2's DBMS, by the same processes
        await(Duration.ofMinutes(3), () -> count(LabHost.R2_DBMS, "SELECT count(*) FROM drctl_readiness_rounds WHERE sched_name = '"
                + SCHED + "' AND fire_time > '" + promoted + "'") >= 3, "3 rounds on the new primary");
        assertEquals(pids, daemons.stream().filter(Process::isAlive).map(Process::pid).toList(), "no daemon restarted or died");
        assertEquals(2L, count(LabHost.R2_DBMS, "SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = '" + SCHED
                + "' AND last_checkin_time > (extract(epoch from now()) * 1000 - 30000)"), "both daemons check in on the new primary");
    }

    // ---- helpers

    static Process daemon(String instance) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", cp, "io.drctl.orchestrator.cli.Main", "daemon",
                "-i", inventory.toString(), Lab.repoRoot().resolve("runbooks/readiness.yaml").toString(), "--instance-id", instance,
                "--state-dir", stateDir.resolve("state-" + instance).toString(), "--schedule", CRON, "--listen", "127.0.0.1:0");
        pb.redirectErrorStream(true);
        pb.redirectOutput(stateDir.resolve(instance + ".log").toFile());
        pb.directory(Lab.repoRoot().toFile());
        return pb.start();
    }

    static long rounds(String where) {
        return count(LabHost.R1_DBMS, "SELECT count(*) FROM drctl_readiness_rounds WHERE sched_name = '" + SCHED + "' " + where);
    }

    static long count(LabHost dbms, String sql) {
        try {
            return Long.parseLong(psql(dbms, sql, "drctl"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String psql(LabHost dbms, String sql) {
        return psql(dbms, sql, "postgres");
    }

    static String psql(LabHost dbms, String sql, String db) {
        return Lab.exec(dbms, "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -qAt -h /run/postgresql -p 5432 -U postgres -d "
                + db + " -c " + io.drctl.host.Shell.quote(sql)).stdout().strip();
    }

    static void await(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(limit, Duration.ofSeconds(1), condition, () -> {
            StringBuilder b = new StringBuilder(what);
            for (String i : List.of("region1-a", "region2-a")) {
                try {
                    b.append("\n--- ").append(i).append('\n').append(Files.readString(stateDir.resolve(i + ".log")));
                } catch (IOException e) {
                    b.append("\n--- ").append(i).append(": no log");
                }
            }
            return b.toString();
        });
    }
}
