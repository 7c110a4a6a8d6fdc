package io.drctl.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Objects;
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
    public static final String SESSION_HEADER = VsphereSession.SESSION_HEADER;

    private static final Logger log = LoggerFactory.getLogger(VsphereRestProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VsphereConfig config;
    private final VsphereSession session;

    /**
     * @param config      endpoint, credentials reference, trust store, timeouts, retries
     * @param environment environment for resolving {@link SecretRef.Env} references
     * @throws VmException {@link VmException.Kind#CONFIG} when the trust store cannot be loaded
     */
    public VsphereRestProvider(VsphereConfig config, Map<String, String> environment)
            throws VmException {
        this.config = Objects.requireNonNull(config, "config");
        this.session = new VsphereSession(config, environment);
    }

    @Override
    public PowerState status(VmRef vm) throws VmException {
        HttpResponse<String> r = session.call(target(vm), "GET", powerPath(vm), null);
        expectSuccess(vm, r, "GET power");
        String state;
        try {
            JsonNode n = JSON.readTree(r.body());
            // /api answers {"state": ...}; the deprecated /rest wrapped it in {"value": {...}}
            JsonNode s = n.has("value") ? n.get("value").get("state") : n.get("state");
            state = s == null ? "" : s.asText();
        } catch (IOException e) {
            throw new VmException(VmException.Kind.REJECTED, target(vm),
                    "power state of VM " + vm.id() + " at " + config.endpoint() + " is not JSON: " + VsphereSession.abbreviate(r.body()), e);
        }
        return switch (state) {
            case "POWERED_ON" -> new PowerState(Power.RUNNING, state);
            case "POWERED_OFF", "SUSPENDED" -> new PowerState(Power.STOPPED, state);
            default -> new PowerState(Power.UNKNOWN, state.isEmpty() ? VsphereSession.abbreviate(r.body()) : state);
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
        session.close();
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
        HttpResponse<String> r = session.call(target(vm), "POST", powerPath(vm) + "?action=" + action, "");
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

    private void expectSuccess(VmRef vm, HttpResponse<String> r, String what) throws VmException {
        int code = r.statusCode();
        if (code >= 200 && code < 300) {
            return;
        }
        String t = target(vm);
        throw switch (code) {
            case 404 -> new VmException(VmException.Kind.NOT_FOUND, t,
                    "VM " + vm.id() + " not found at " + config.endpoint() + " (" + what + ": 404 " + VsphereSession.errorSummary(r.body()) + ")");
            case 403 -> new VmException(VmException.Kind.FORBIDDEN, t, "user " + config.username() + " may not " + what
                    + " of VM " + vm.id() + " at " + config.endpoint() + " (403 " + VsphereSession.errorSummary(r.body()) + ")");
            default -> new VmException(VmException.Kind.REJECTED, t, what + " of VM " + vm.id() + " at "
                    + config.endpoint() + ": expected 2xx, got " + code + " " + VsphereSession.errorSummary(r.body()));
        };
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
}
