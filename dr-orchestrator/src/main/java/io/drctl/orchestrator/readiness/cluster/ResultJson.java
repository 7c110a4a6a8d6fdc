package io.drctl.orchestrator.readiness.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drctl.orchestrator.readiness.CheckResult;
import io.drctl.orchestrator.readiness.ReadinessResult;
import io.drctl.orchestrator.spi.Figure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A round's result as the store keeps it: the JSON of {@link ReadinessResult#toMap()} (every field a check carries
 * goes with it), and back.
 */
public final class ResultJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private ResultJson() {
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static Map<String, Object> map(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored result is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The result {@link ReadinessResult#toMap()} produced. */
    public static ReadinessResult read(String json) {
        Map<String, Object> m = map(json);
        List<CheckResult> checks = new ArrayList<>();
        Object cs = m.get("checks");
        if (cs instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> c) {
                    checks.add(check(c));
                }
            }
        }
        return new ReadinessResult(Optional.ofNullable((String) m.get("runId")), str(m.get("runbook")), str(m.get("inventory")),
                Instant.parse(str(m.get("started"))), Instant.parse(str(m.get("finished"))), checks,
                Optional.ofNullable((String) m.get("error")));
    }

    /** One check of {@link CheckResult#toMap()}. */
    static CheckResult check(Map<?, ?> c) {
        List<Figure> figures = new ArrayList<>();
        if (c.get("figures") instanceof List<?> stored) {
            for (Object f : stored) {
                if (f instanceof Map<?, ?> fm) {
                    @SuppressWarnings("unchecked")
                    Map<String, ?> typed = (Map<String, ?>) fm;
                    Figure.fromMap(typed).ifPresent(figures::add);
                }
            }
        }
        return new CheckResult(str(c.get("check")), str(c.get("type")), Boolean.TRUE.equals(c.get("ok")), str(c.get("status")),
                str(c.get("detail")), Duration.ofMillis(c.get("durationMs") instanceof Number n ? n.longValue() : 0), figures);
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }
}
