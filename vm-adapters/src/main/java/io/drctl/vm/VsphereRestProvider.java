package io.drctl.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Power control through the vCenter REST API (vSphere 7.0 U2+, {@code /api}):
 * <ul>
 *   <li>{@code POST /api/session} with HTTP basic auth returns a session id, sent afterwards in header
 *       {@value #SESSION_HEADER}; the session is reused across calls and threads;</li>
 *   <li>{@code GET /api/vcenter/vm/{vm}/power} returns {@code {"state": "POWERED_ON|POWERED_OFF|SUSPENDED"}};</li>
 *   <li>{@code POST /api/vcenter/vm/{vm}/power?action=start|stop} returns 204 once done.</li>
 * </ul>
 * A 401 on a call (expired session) triggers one fresh login and one retry; a second 401 is
 * {@link VmException.Kind#AUTH_FAILED}. HTTP 5xx and refused connections are not retried here: they are
 * thrown as retriable {@link VmException}s ({@code SERVER_ERROR}, {@code UNREACHABLE}) and the engine
 * decides, in one place, whether to try again (and journals it); timeouts are not retriable (a power-on
 * may still be in progress: the caller re-probes). {@code SUSPENDED} counts as {@link Power#STOPPED} (start resumes it).
 *
 * <p>The password is resolved from its reference at each login and is never logged, stored in a field,
 * or placed in an exception. The session id is treated the same way.
 */
public final class VsphereRestProvider implements VmProvider {

    /** The header that carries the session id on every call after login. */
    public static final String SESSION_HEADER = "vmware-api-session-id";

    private static final Logger log = LoggerFactory.getLogger(VsphereRestProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VsphereConfig config;
    private final Map<String, String> environment;
    private final HttpClient http;
    private final Object loginLock = new Object();
    private volatile String sessionId;

    /**
     * @param config      endpoint, credentials reference, trust store, timeouts, retries
     * @param environment environment for resolving {@link SecretRef.Env} references
     * @throws VmException {@link VmException.Kind#CONFIG} when the trust store cannot be loaded
     */
    public VsphereRestProvider(VsphereConfig config, Map<String, String> environment)
            throws VmException {
        this.config = Objects.requireNonNull(config, "config");
        this.environment = Map.copyOf(environment);
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1);
        if (config.trustStore().isPresent()) {
            b.sslContext(sslContext(config.trustStore().get()));
        }
        this.http = b.build();
    }

    @Override
    public PowerState status(VmRef vm) throws VmException {
        HttpResponse<String> r = call(vm, "GET", powerPath(vm), null);
        expectSuccess(vm, r, "GET power");
        String state;
        try {
            JsonNode n = JSON.readTree(r.body());
            // /api answers {"state": ...}; the deprecated /rest wrapped it in {"value": {...}}
            JsonNode s = n.has("value") ? n.get("value").get("state") : n.get("state");
            state = s == null ? "" : s.asText();
        } catch (IOException e) {
            throw new VmException(VmException.Kind.REJECTED, target(vm),
                    "power state of VM " + vm.id() + " at " + config.endpoint() + " is not JSON: " + abbreviate(r.body()), e);
        }
        return switch (state) {
            case "POWERED_ON" -> new PowerState(Power.RUNNING, state);
            case "POWERED_OFF", "SUSPENDED" -> new PowerState(Power.STOPPED, state);
            default -> new PowerState(Power.UNKNOWN, state.isEmpty() ? abbreviate(r.body()) : state);
        };
    }

    @Override
    public PowerResult start(VmRef vm) throws VmException {
        return change(vm, Power.RUNNING, "start");
    }

    @Override
    public PowerResult stop(VmRef vm) throws VmException {
        return change(vm, Power.STOPPED, "stop");
    }

    @Override
    public String describe() {
        return "vsphere " + config.endpoint();
    }

    @Override
    public String toString() {
        return "VsphereRestProvider[" + config.endpoint() + ", user=" + config.username() + ", password="
                + config.password() + "]";
    }

    /** Logs out of the session, if any (best effort). */
    @Override
    public void close() {
        String sid = sessionId;
        sessionId = null;
        if (sid == null) {
            return;
        }
        try {
            HttpRequest req = base("/api/session").header(SESSION_HEADER, sid).DELETE().build();
            http.send(req, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            log.debug("logout from {} failed: {}", config.endpoint(), e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private PowerResult change(VmRef vm, Power desired, String action) throws VmException {
        PowerState before = status(vm);
        if (before.power() == desired) {
            log.info("VM {} at {} already {}: nothing sent", vm, config.endpoint(), before);
            return new PowerResult(vm, desired, PowerResult.Outcome.ALREADY_SATISFIED, before, before);
        }
        if (before.power() == Power.UNKNOWN) {
            throw new VmException(VmException.Kind.UNEXPECTED_STATE, target(vm), "VM " + vm.id() + " at "
                    + config.endpoint() + " is in power state " + before + ": expected RUNNING or STOPPED before " + action);
        }
        log.info("VM {} at {} is {}: sending {}", vm, config.endpoint(), before, action);
        HttpResponse<String> r = call(vm, "POST", powerPath(vm) + "?action=" + action, "");
        PowerResult.Outcome outcome = PowerResult.Outcome.CHANGED;
        if (r.statusCode() == 400 && "ALREADY_IN_DESIRED_STATE".equals(errorType(r.body()))) {
            // someone else powered it between our probe and our request
            outcome = PowerResult.Outcome.ALREADY_SATISFIED;
        } else {
            expectSuccess(vm, r, "POST power?action=" + action);
        }
        PowerState after = status(vm);
        if (after.power() != desired) {
            throw new VmException(VmException.Kind.UNEXPECTED_STATE, target(vm), "VM " + vm.id() + " at "
                    + config.endpoint() + ": expected " + desired + " after " + action + ", got " + after);
        }
        return new PowerResult(vm, desired, outcome, before, after);
    }

    private static String powerPath(VmRef vm) {
        return "/api/vcenter/vm/" + vm.id() + "/power"; // id is a validated name: safe in a path
    }

    /** One authenticated call: reuses the session, re-logs in once on 401; a 5xx is thrown as retriable. */
    private HttpResponse<String> call(VmRef vm, String method, String path, String body) throws VmException {
        boolean reloggedIn = false;
        while (true) {
            String sid = session();
            HttpResponse<String> r = exchange(target(vm), method + " " + path, () -> {
                HttpRequest.Builder b = base(path).header(SESSION_HEADER, sid).header("Accept", "application/json");
                return body == null ? b.GET().build()
                        : b.header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            });
            if (r.statusCode() != 401) {
                return r;
            }
            if (reloggedIn) {
                throw new VmException(VmException.Kind.AUTH_FAILED, target(vm), method + " " + path + " at "
                        + config.endpoint() + " answered 401 even with a fresh session for user " + config.username());
            }
            log.info("session at {} rejected (401) on {} {}: logging in again", config.endpoint(), method, path);
            invalidate(sid);
            reloggedIn = true;
        }
    }

    private String session() throws VmException {
        String sid = sessionId;
        if (sid != null) {
            return sid;
        }
        synchronized (loginLock) {
            if (sessionId == null) {
                sessionId = login();
            }
            return sessionId;
        }
    }

    private void invalidate(String staleSession) {
        synchronized (loginLock) {
            if (staleSession.equals(sessionId)) {
                sessionId = null;
            }
        }
    }

    private String login() throws VmException {
        String target = config.username() + " at " + config.endpoint();
        log.debug("logging in to {} as {} (password from {})", config.endpoint(), config.username(), config.password());
        HttpResponse<String> r = exchange(target, "POST /api/session", () -> {
            String token;
            try {
                String pw = config.password().resolve(environment);
                token = Base64.getEncoder().encodeToString((config.username() + ":" + pw).getBytes(StandardCharsets.UTF_8));
            } catch (VmException e) {
                throw new SecretUnavailable(e);
            }
            return base("/api/session").header("Authorization", "Basic " + token)
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody()).build();
        });
        switch (r.statusCode()) {
            case 200, 201 -> {
                String sid;
                try {
                    JsonNode n = JSON.readTree(r.body());
                    sid = n.isTextual() ? n.asText() : n.path("value").asText("");
                } catch (IOException e) {
                    sid = "";
                }
                if (sid.isEmpty()) {
                    sid = r.headers().firstValue(SESSION_HEADER).orElse("");
                }
                if (sid.isEmpty()) {
                    throw new VmException(VmException.Kind.REJECTED, target,
                            "login at " + config.endpoint() + " answered " + r.statusCode() + " without a session id");
                }
                log.debug("logged in to {} as {}", config.endpoint(), config.username());
                return sid;
            }
            case 401 -> throw new VmException(VmException.Kind.AUTH_FAILED, target, "vCenter " + config.endpoint()
                    + " rejected the credentials of user " + config.username() + " (password from " + config.password()
                    + "): 401");
            case 403 -> throw new VmException(VmException.Kind.FORBIDDEN, target, "vCenter " + config.endpoint()
                    + " refused a session to user " + config.username() + ": 403 " + errorSummary(r.body()));
            default -> throw new VmException(VmException.Kind.REJECTED, target, "login at " + config.endpoint()
                    + " as " + config.username() + ": expected 201, got " + r.statusCode() + " " + errorSummary(r.body()));
        }
    }

    /** Thrown inside a request supplier when the password reference cannot be resolved. */
    private static final class SecretUnavailable extends RuntimeException {
        final VmException cause;

        SecretUnavailable(VmException cause) {
            super(null, null, false, false);
            this.cause = cause;
        }
    }

    private interface RequestFactory {
        HttpRequest build();
    }

    /**
     * Sends once, classifying the outcome: 5xx and refused connections are retriable failures for the
     * caller (the engine) to retry; TLS, timeouts and interrupts are not.
     */
    private HttpResponse<String> exchange(String target, String what, RequestFactory request) throws VmException {
        HttpResponse<String> r;
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (SecretUnavailable e) {
            throw e.cause;
        } catch (HttpConnectTimeoutException e) {
            throw new VmException(VmException.Kind.UNREACHABLE, target, what + ": cannot connect to "
                    + config.endpoint() + " within " + config.connectTimeout().toSeconds() + " s", e);
        } catch (HttpTimeoutException e) {
            throw new VmException(VmException.Kind.TIMEOUT, target, what + " at " + config.endpoint()
                    + ": no answer within " + describe(config.requestTimeout()), e);
        } catch (SSLException e) {
            throw new VmException(VmException.Kind.TLS, target, what + ": TLS handshake with " + config.endpoint()
                    + " failed (is its certificate in the configured trust store "
                    + config.trustStore().map(t -> t.path().toString()).orElse("<JVM default>") + "?): "
                    + e.getMessage(), e);
        } catch (ConnectException e) {
            throw new VmException(VmException.Kind.UNREACHABLE, target, what + ": cannot connect to "
                    + config.endpoint() + ": " + e.getClass().getSimpleName(), e);
        } catch (IOException e) {
            if (rootCause(e) instanceof SSLException ssl) {
                throw new VmException(VmException.Kind.TLS, target, what + ": TLS handshake with "
                        + config.endpoint() + " failed: " + ssl.getMessage(), e);
            }
            throw new VmException(VmException.Kind.UNREACHABLE, target, what + " at " + config.endpoint()
                    + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException(VmException.Kind.INTERRUPTED, target, what + " at " + config.endpoint()
                    + " interrupted", e);
        }
        if (r.statusCode() >= 500) {
            throw new VmException(VmException.Kind.SERVER_ERROR, target, what + " at " + config.endpoint()
                    + ": server error " + r.statusCode() + " " + errorSummary(r.body()));
        }
        return r;
    }

    private void expectSuccess(VmRef vm, HttpResponse<String> r, String what) throws VmException {
        int code = r.statusCode();
        if (code >= 200 && code < 300) {
            return;
        }
        String t = target(vm);
        throw switch (code) {
            case 404 -> new VmException(VmException.Kind.NOT_FOUND, t,
                    "VM " + vm.id() + " not found at " + config.endpoint() + " (" + what + ": 404 " + errorSummary(r.body()) + ")");
            case 403 -> new VmException(VmException.Kind.FORBIDDEN, t, "user " + config.username() + " may not " + what
                    + " of VM " + vm.id() + " at " + config.endpoint() + " (403 " + errorSummary(r.body()) + ")");
            default -> new VmException(VmException.Kind.REJECTED, t, what + " of VM " + vm.id() + " at "
                    + config.endpoint() + ": expected 2xx, got " + code + " " + errorSummary(r.body()));
        };
    }

    private HttpRequest.Builder base(String path) {
        return HttpRequest.newBuilder(URI.create(config.endpoint() + path)).timeout(config.requestTimeout());
    }

    private String target(VmRef vm) {
        return vm.id() + " at " + config.endpoint();
    }

    private static String errorType(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n == null ? "" : n.path("error_type").asText(n.path("type").asText(""));
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code error_type: first default_message} of a vAPI error body, else the body abbreviated. */
    private static String errorSummary(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.has("error_type")) {
                String msg = n.path("messages").path(0).path("default_message").asText("");
                return n.get("error_type").asText() + (msg.isEmpty() ? "" : ": " + msg);
            }
        } catch (IOException e) {
            // not JSON: quote it
        }
        return abbreviate(body);
    }

    private static String abbreviate(String s) {
        String t = s == null ? "" : s.strip().replaceAll("\\s+", " ");
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private SSLContext sslContext(TrustStoreRef ts) throws VmException {
        String target = "trust store " + ts.path();
        try {
            KeyStore ks = KeyStore.getInstance(ts.type());
            char[] pw = ts.password().isPresent() ? ts.password().get().resolve(environment).toCharArray() : null;
            try (InputStream in = Files.newInputStream(ts.path())) {
                ks.load(in, pw);
            }
            if (ks.size() == 0) {
                throw new VmException(VmException.Kind.CONFIG, target, "trust store " + ts.path() + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new VmException(VmException.Kind.CONFIG, target, "cannot load " + ts.type() + " trust store "
                    + ts.path() + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
    }
}
