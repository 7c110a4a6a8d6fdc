package io.drctl.orchestrator.readiness;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One readiness check: a step of the readiness runbook as its run ended.
 *
 * @param id       step id (the check's name in output and metrics)
 * @param type     step type
 * @param ok       the check passed (the step's status is successful)
 * @param status   the step's final status ({@code SATISFIED}, {@code FAILED}, ...)
 * @param detail   what was seen: per target, the verification (passed) or the error (failed); never secrets
 * @param duration the step's wall time
 */
public record CheckResult(String id, String type, boolean ok, String status, String detail, Duration duration) {
    public CheckResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(duration, "duration");
    }

    /** A JSON-friendly view. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("check", id);
        m.put("type", type);
        m.put("ok", ok);
        m.put("status", status);
        m.put("detail", detail);
        m.put("durationMs", duration.toMillis());
        return m;
    }
}
