package io.drctl.orchestrator.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.lab.Lab;
import io.drctl.orchestrator.readiness.Promtool;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The DR gauges of {@code drctl daemon}'s {@code /metrics} on the real lab: a fresh lab's first round reports what the
 * lab really has (the standby streaming with lag 0 in bytes and seconds, the 2 rules fencing the dormant DBMS's port,
 * the same SOA serial at every DNS server, a TSIG clock skew of about 0), and {@code promtool check metrics} accepts
 * the text with no lint warning. The daemon runs as its own JVM, as an operator starts it, and is stopped with SIGTERM.
 */
class ReadinessGaugesLabIT extends LabScenario {
    /** A sample line: name, label block (may be empty), value. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Every sample of family {@code name}: its label block ({@code {check="..",replica=".."}}) to its value. */
    static Map<String, Double> samples(String text, String name) {
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                out.put(m.group(2) == null ? "" : m.group(2), Double.parseDouble(m.group(3)));
            }
        }
        return out;
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void daemonOnAFreshLab_drGaugesCarryTheLabsValues_promtoolClean() throws Exception {
        int port = freePort();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // one round at start, then a schedule that does not come round during the test
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", cp, "io.drctl.orchestrator.cli.Main", "daemon",
                "-i", inventory(), Lab.repoRoot().resolve("runbooks/readiness.yaml").toString(),
                "--listen", "127.0.0.1:" + port, "--schedule", "0 0 0 1 1 ? 2099", "--state-dir", stateDir.toString());
        pb.redirectErrorStream(true);
        Path log = stateDir.resolve("daemon.log");
        pb.redirectOutput(log.toFile());
        Process daemon = pb.start();
        String metrics;
        try {
            HttpResponse<String> health = null;
            for (int i = 0; i < 240; i++) { // 2 minutes at most for the JVM to start and the first round to end
                try {
                    health = get(port, "/healthz");
                    if (!health.body().contains("no readiness run yet")) {
                        break;
                    }
                } catch (java.io.IOException notListeningYet) {
                    assertTrue(daemon.isAlive(), "the daemon exited: " + Files.readString(log));
                }
                Thread.sleep(500);
            }
            assertTrue(health != null && health.statusCode() == 200, "first round ready: " + (health == null ? "no answer"
                    : health.body()) + "\n" + Files.readString(log));
            HttpResponse<String> m = get(port, "/metrics");
            assertEquals(200, m.statusCode());
            metrics = m.body();
        } finally {
            daemon.destroy(); // SIGTERM: the daemon's shutdown hook stops the schedule and the server
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                daemon.waitFor();
            }
        }
        System.out.println(metrics);
        Promtool.assertClean(metrics);

        assertEquals(Map.of("", 1.0), samples(metrics, "drctl_readiness_ok"));
        assertTrue(samples(metrics, "drctl_readiness_last_pass_age_seconds").get("") >= 0, metrics);

        String replica = "{check=\"standby-replica\",replica=\"region2/dbms\"}";
        assertEquals(Map.of(replica, 1.0), samples(metrics, "drctl_dr_replica_streaming"), metrics);
        assertEquals(Map.of(replica, 0.0), samples(metrics, "drctl_dr_replica_lag_bytes"), "lag 0 when streaming:\n" + metrics);
        assertEquals(Map.of(replica, 0.0), samples(metrics, "drctl_dr_replica_lag_seconds"), "lag 0 when streaming:\n" + metrics);

        String fence = "{check=\"standby-fenced\",host=\"region2/dbms\",port=\"" + Lab.DBMS_PORT + "\"}";
        assertEquals(Map.of(fence, 2.0), samples(metrics, "drctl_dr_fence_rules"),
                "the dormant DBMS is fenced from both regions' Framework subnets:\n" + metrics);
        Map<String, Double> persisted = samples(metrics, "drctl_dr_fence_persisted");
        assertEquals(List.of(fence), List.copyOf(persisted.keySet()), metrics);
        assertTrue(persisted.get(fence) == 0.0 || persisted.get(fence) == 1.0, metrics);

        Map<String, Double> serials = samples(metrics, "drctl_dr_dns_soa_serial");
        assertFalse(serials.isEmpty(), metrics);
        assertEquals(1, serials.values().stream().distinct().count(), "the same SOA serial at every DNS server: " + serials);
        assertTrue(serials.values().iterator().next() > 0, serials.toString());
        Map<String, Double> skew = samples(metrics, "drctl_dr_tsig_clock_skew_seconds");
        assertEquals(serials.size(), skew.size(), "one skew per server: " + skew);
        skew.values().forEach(s -> assertTrue(Math.abs(s) <= 2, "the lab's servers share this machine's clock: " + skew));
    }
}
