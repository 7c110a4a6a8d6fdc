package io.drctl.orchestrator.readiness.cluster;

import io.drctl.orchestrator.config.model.ReadinessSettings;
import io.drctl.orchestrator.config.model.ReadinessSettings.SecretRef;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POSTs a change of readiness to the inventory's webhook: the generic shape
 * ({@code {"event":"not_ready"|"ready","inventory":..,"at":..,"failing":[{check,detail}],"round":..}}) or
 * Alertmanager's ({@code POST /api/v2/alerts}: one alert, resolved by {@code endsAt} when ready again). At most
 * {@link #ATTEMPTS} attempts, each with a timeout, with growing pauses between; any 2xx is delivered.
 */
public final class Webhook {
    /** Attempts per message. */
    public static final int ATTEMPTS = 3;

    private final ReadinessSettings.Webhook settings;
    private final Map<String, String> env;
    private final Duration timeout;
    private final Duration backoff;
    private final HttpClient http;

    /**
     * @param backoff the pause after the first failed attempt (doubled after each next one)
     */
    public Webhook(ReadinessSettings.Webhook settings, Map<String, String> env, Duration timeout, Duration backoff) {
        this.settings = settings;
        this.env = Map.copyOf(env);
        this.timeout = timeout;
        this.backoff = backoff;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Scheme, host and port of the URL: its path or query may hold a token. */
    private String where() {
        URI u = URI.create(settings.url());
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    /** The message body of {@code change} of {@code inventory} in the configured format. */
    public String body(String inventory, ResultStore.Change change) {
        return ResultJson.write(settings.format() == ReadinessSettings.Format.ALERTMANAGER
                ? List.of(alert(inventory, change)) : generic(inventory, change));
    }

    static Map<String, Object> generic(String inventory, ResultStore.Change change) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", change.ready() ? "ready" : "not_ready");
        m.put("inventory", inventory);
        m.put("at", change.at().toString());
        m.put("failing", change.failing());
        m.put("round", change.fireTime().toString());
        m.put("instance", change.instance());
        return m;
    }

    static Map<String, Object> alert(String inventory, ResultStore.Change change) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("alertname", "DrctlNotReady");
        labels.put("inventory", inventory);
        labels.put("severity", "critical");
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("summary", change.ready() ? "DR readiness of " + inventory + " is back"
                : "DR region of " + inventory + " would not take over");
        annotations.put("description", String.join("; ", change.failing().stream()
                .map(f -> f.get("check") + ": " + f.get("detail")).toList()));
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("labels", labels);
        a.put("annotations", annotations);
        a.put("startsAt", change.at().toString());
        if (change.ready()) {
            a.put("endsAt", change.at().toString());
        }
        return a;
    }

    /**
     * Sends {@code change}; never throws.
     *
     * @return what happened, one line: {@code delivered (HTTP 200, attempt 1 of 3)} or
     *         {@code not delivered after 3 attempts: HTTP 500}; never a header value
     */
    public String send(String inventory, ResultStore.Change change) {
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(URI.create(settings.url())).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body(inventory, change)));
            for (Map.Entry<String, SecretRef> h : settings.headers().entrySet()) {
                req.header(h.getKey(), h.getValue().resolve(env));
            }
        } catch (IOException | IllegalArgumentException e) {
            return "not sent: " + e.getMessage();
        }
        String last = "";
        Duration pause = backoff;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<Void> r = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 == 2) {
                    return "delivered (HTTP " + r.statusCode() + ", attempt " + attempt + " of " + ATTEMPTS + ")";
                }
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "not delivered: interrupted (stopping) at attempt " + attempt;
            }
            if (attempt < ATTEMPTS) {
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "not delivered: interrupted (stopping) after attempt " + attempt + ": " + last;
                }
                pause = pause.multipliedBy(2);
            }
        }
        return "not delivered after " + ATTEMPTS + " attempts to " + where() + ": " + last;
    }
}
