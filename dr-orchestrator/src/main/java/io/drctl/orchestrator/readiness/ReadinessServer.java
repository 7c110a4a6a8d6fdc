package io.drctl.orchestrator.readiness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The daemon's HTTP endpoint (JDK {@code com.sun.net.httpserver}), read-only, GET/HEAD only:
 * <ul>
 *   <li>{@code /healthz}: 200 {@code ok} when the last readiness round passed; 503 otherwise and before
 *       the first round (body: the verdict; a clustered daemon adds its store's state and its mode);</li>
 *   <li>{@code /metrics}: Prometheus text format ({@link Metrics}; a clustered daemon adds
 *       {@code drctl_readiness_store_up});</li>
 *   <li>{@code /results}: JSON of the last round (503 with an error object before the first).</li>
 * </ul>
 * Bind it to loopback unless a scraper elsewhere needs it: the results name hosts and addresses.
 */
public final class ReadinessServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HttpServer server;
    private final ExecutorService executor;
    private final ReadinessState state;
    /** The state dir whose last drill {@code /metrics} shows; null: none. */
    private final Path drills;

    private ReadinessServer(HttpServer server, ExecutorService executor, ReadinessState state, Path drills) {
        this.server = server;
        this.executor = executor;
        this.state = state;
        this.drills = drills;
    }

    /** Binds {@code address} (port 0: any free port) and starts serving {@code state}. */
    public static ReadinessServer start(InetSocketAddress address, ReadinessState state) throws IOException {
        return start(address, state, null);
    }

    /** The same, with the last drill of the state dir {@code drills} ({@code <dir>/drills/<id>/report.json}) in {@code /metrics}. */
    public static ReadinessServer start(InetSocketAddress address, ReadinessState state, Path drills) throws IOException {
        HttpServer s = HttpServer.create(address, 16);
        ExecutorService ex = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "drctl-http");
            t.setDaemon(true);
            return t;
        });
        ReadinessServer rs = new ReadinessServer(s, ex, state, drills);
        s.createContext("/", rs::handle);
        s.setExecutor(ex);
        s.start();
        return rs;
    }

    /** The bound address (the real port when started with port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String method = x.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                x.getResponseHeaders().set("Allow", "GET, HEAD");
                send(x, 405, "text/plain; charset=utf-8", "method " + method + " not allowed: this endpoint is read-only\n");
                return;
            }
            switch (x.getRequestURI().getPath()) {
                case "/healthz" -> {
                    Optional<ReadinessResult> last = state.last(); // read where needed: while clustered, a store query
                    boolean ok = last.map(ReadinessResult::ok).orElse(false);
                    String body = last.map(r -> (ok ? "ok: " : "not ready: ") + r.verdict() + " (run "
                            + r.runId().orElse("-") + ", finished " + r.finished() + ")").orElse("not ready: no readiness run yet");
                    send(x, ok ? 200 : 503, "text/plain; charset=utf-8", body + "\n" + storeLines());
                }
                case "/metrics" -> send(x, 200, Metrics.CONTENT_TYPE, (drills == null ? Metrics.format(state) : Metrics.format(state, drills)) + storeMetric());
                case "/results" -> {
                    Optional<ReadinessResult> last = state.last();
                    if (last.isEmpty()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("ok", false);
                        m.put("error", "no readiness run yet");
                        send(x, 503, "application/json", JSON.writeValueAsString(m) + "\n");
                    } else {
                        send(x, 200, "application/json", JSON.writeValueAsString(last.get().toMap()) + "\n");
                    }
                }
                default -> send(x, 404, "text/plain; charset=utf-8", "not found; try /healthz, /metrics or /results\n");
            }
        }
    }

    /** A clustered daemon's store and mode, after the verdict: {@code store: unreachable since ...: why}, {@code mode: standalone}. */
    private String storeLines() {
        return state.cluster().map(c -> "store: " + c.storeDetail() + "\nmode: " + c.mode() + "\n").orElse("");
    }

    /** {@code drctl_readiness_store_up}, appended after {@link Metrics#format} when the daemon has a store. */
    private String storeMetric() {
        return state.cluster().map(c -> "# HELP drctl_readiness_store_up 1 when this daemon can use the readiness store"
                + " (clustered), 0 when it runs rounds alone (standalone)\n# TYPE drctl_readiness_store_up gauge\n"
                + "drctl_readiness_store_up " + (c.storeUp() ? 1 : 0) + "\n").orElse("");
    }

    private static void send(HttpExchange x, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", contentType);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(code, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(bytes);
            }
        }
    }

    /** Stops serving (waits up to 1 s for exchanges in progress). */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
