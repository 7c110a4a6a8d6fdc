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
 * One vCenter REST session and its transport: {@code POST /api/session} with HTTP basic auth, the session id reused
 * across calls and threads in header {@value #SESSION_HEADER}, one fresh login on a 401, logout on close; every
 * exchange classified (5xx and refused connections retriable, TLS, timeouts and interrupts not). The password is
 * resolved at each login and, like the session id, never logged, kept in a field or put in an exception.
 */
final class VsphereSession {

    /** The header that carries the session id on every call after login. */
    static final String SESSION_HEADER = "vmware-api-session-id";

    private static final Logger log = LoggerFactory.getLogger(VsphereRestProvider.class); // the provider's log category
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VsphereConfig config;
    private final Map<String, String> environment;
    private final HttpClient http;
    private final Object loginLock = new Object();
    private volatile String sessionId;

    /** @throws VmException {@link VmException.Kind#CONFIG} when the trust store cannot be loaded */
    VsphereSession(VsphereConfig config, Map<String, String> environment) throws VmException {
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

    /**
     * One authenticated call: reuses the session, re-logs in once on 401; a 5xx is thrown as retriable.
     *
     * @param target what failures name (the VM at the endpoint)
     * @param body   null for a GET, else the JSON body of a POST
     */
    HttpResponse<String> call(String target, String method, String path, String body) throws VmException {
        boolean reloggedIn = false;
        while (true) {
            String sid = session();
            HttpResponse<String> r = exchange(target, method + " " + path, () -> {
                HttpRequest.Builder b = base(path).header(SESSION_HEADER, sid).header("Accept", "application/json");
                return body == null ? b.GET().build()
                        : b.header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            });
            if (r.statusCode() != 401) {
                return r;
            }
            if (reloggedIn) {
                throw new VmException(VmException.Kind.AUTH_FAILED, target, method + " " + path + " at "
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

    /** Logs out of the session, if any (best effort). */
    void close() {
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

    private HttpRequest.Builder base(String path) {
        return HttpRequest.newBuilder(URI.create(config.endpoint() + path)).timeout(config.requestTimeout());
    }

    /** {@code error_type: first default_message} of a vAPI error body, else the body abbreviated. */
    static String errorSummary(String body) {
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

    /** The text on one line, at most 200 characters. */
    static String abbreviate(String s) {
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
