package io.drctl.orchestrator.readiness;

import io.drctl.orchestrator.spi.Figure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One readiness check: a step of the readiness runbook as its run ended, or as the store gives it back
 * ({@code ResultJson}: a missing field reads as empty, never null).
 *
 * @param id       step id (the check's name in output and metrics)
 * @param type     step type
 * @param ok       the check passed (the step's status is successful)
 * @param status   the step's final status ({@code SATISFIED}, {@code FAILED}, ...)
 * @param detail   what was seen: per target, the verification (passed) or the error (failed); never secrets
 * @param duration the step's wall time
 * @param figures  what the check measured, passed or not (a replica's lag, a zone's serial per server), each
 *                 figure once: its last reading in the round; the DR gauges of {@link Metrics}
 */
public record CheckResult(String id, String type, boolean ok, String status, String detail, Duration duration,
                          List<Figure> figures) {
    public CheckResult {
        figures = List.copyOf(figures);
    }

    /** A check that measured nothing. */
    public CheckResult(String id, String type, boolean ok, String status, String detail, Duration duration) {
        this(id, type, ok, status, detail, duration, List.of());
    }

    /** The same check with another detail (the redacted one). */
    public CheckResult withDetail(String newDetail) {
        return new CheckResult(id, type, ok, status, newDetail, duration, figures);
    }

    /** A JSON-friendly view; {@code figures} is a list of {@link Figure#toMap} (read back by {@link Figure#fromMap}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("check", id);
        m.put("type", type);
        m.put("ok", ok);
        m.put("status", status);
        m.put("detail", detail);
        m.put("durationMs", duration.toMillis());
        List<Object> f = new ArrayList<>();
        figures.forEach(x -> f.add(x.toMap()));
        m.put("figures", f);
        return m;
    }
}
