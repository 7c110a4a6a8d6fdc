package io.drctl.orchestrator.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The daemon's HTTP endpoint on 127.0.0.1 (port 0), serving a recorded readiness result. */
class ReadinessServerTest {
    final ReadinessState state = new ReadinessState();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ReadinessServer server;

    @BeforeEach
    void start() throws Exception {
        server = ReadinessServer.start(new InetSocketAddress("127.0.0.1", 0), state);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void start_portZero_boundToLoopbackOnARealPort() {
        assertEquals("127.0.0.1", server.address().getAddress().getHostAddress());
        assertTrue(server.address().getPort() > 0);
    }

    @Test
    void endpoints_beforeFirstRun_healthz503ResultsEmptyMetricsNotOk() throws Exception {
        HttpResponse<String> h = get("/healthz");
        assertEquals(503, h.statusCode());
        assertEquals("not ready: no readiness run yet\n", h.body());
        HttpResponse<String> r = get("/results");
        assertEquals(503, r.statusCode());
        assertEquals("no readiness run yet", new ObjectMapper().readTree(r.body()).get("error").asText());
        HttpResponse<String> m = get("/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.body().contains("\ndrctl_readiness_ok 0\n"), m.body());
    }

    @Test
    void endpoints_afterPassedRun_healthz200MetricsAndResults() throws Exception {
        state.record(MetricsTest.result(true));
        HttpResponse<String> h = get("/healthz");
        assertEquals(200, h.statusCode());
        assertTrue(h.body().startsWith("ok: READY: all 2 checks passed (run 20261122T040000Z-readiness-ab12"), h.body());

        HttpResponse<String> m = get("/metrics");
        assertEquals(200, m.statusCode());
        assertEquals(Metrics.CONTENT_TYPE, m.headers().firstValue("Content-Type").orElse(""));
        assertEquals(MetricsTest.atAnyAge(Metrics.format(state)), MetricsTest.atAnyAge(m.body()));

        HttpResponse<String> r = get("/results");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode n = new ObjectMapper().readTree(r.body());
        assertTrue(n.get("ok").asBoolean());
        assertEquals("20261122T040000Z-readiness-ab12", n.get("runId").asText());
        assertEquals("standby-fenced", n.get("checks").get(1).get("check").asText());
        assertEquals("region1/mfwk-p saw REFUSED", n.get("checks").get(1).get("detail").asText());
    }

    @Test
    void healthz_afterFailedRun_503NamingTheFailedCheck() throws Exception {
        state.record(MetricsTest.result(true));
        state.record(MetricsTest.result(false));
        HttpResponse<String> h = get("/healthz");
        assertEquals(503, h.statusCode());
        assertTrue(h.body().contains("NOT READY: 1 of 2 checks failed: standby-fenced"), h.body());
        JsonNode n = new ObjectMapper().readTree(get("/results").body());
        assertEquals(false, n.get("ok").asBoolean());
        assertEquals("FAILED", n.get("checks").get(1).get("status").asText());
    }

    @Test
    void request_postAndUnknownPath_405And404() throws Exception {
        HttpResponse<String> p = send(HttpRequest.newBuilder(uri("/healthz")).POST(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(405, p.statusCode());
        assertEquals("GET, HEAD", p.headers().firstValue("Allow").orElse(""));
        assertEquals(404, get("/admin").statusCode());
    }

    @Test
    void close_thenConnect_refused() throws Exception {
        URI u = uri("/healthz");
        server.close();
        try {
            get("/healthz");
            throw new AssertionError("still answering on " + u);
        } catch (java.net.ConnectException expected) {
            // the port no longer accepts connections
        }
        server = ReadinessServer.start(new InetSocketAddress("127.0.0.1", 0), state); // for @AfterEach
    }
}
