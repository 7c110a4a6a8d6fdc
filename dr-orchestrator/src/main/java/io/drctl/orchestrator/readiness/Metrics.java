package io.drctl.orchestrator.readiness;

import java.util.Locale;
import java.util.Optional;

/**
 * Prometheus text exposition (format 0.0.4) of the readiness state:
 * <pre>
 * drctl_readiness_ok                            1 when every check of the last round passed (0 before the first)
 * drctl_readiness_check_ok{check="..",type=".."} 1/0 per check of the last round
 * drctl_readiness_last_run_timestamp_seconds    end of the last round (Unix seconds)
 * drctl_readiness_duration_seconds              wall time of the last round
 * drctl_readiness_runs_total                    rounds finished since the daemon started
 * drctl_readiness_not_ready_total               of those, rounds that were not ready
 * </pre>
 */
public final class Metrics {
    /** The Content-Type of the text format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private Metrics() {
    }

    public static String format(ReadinessState state) {
        return format(state.last(), state.runsTotal(), state.notReadyTotal());
    }

    static String format(Optional<ReadinessResult> last, long runsTotal, long notReadyTotal) {
        StringBuilder b = new StringBuilder();
        header(b, "drctl_readiness_ok", "gauge", "1 when every check of the last readiness run passed, else 0 (0 before the first run)");
        b.append("drctl_readiness_ok ").append(last.map(r -> r.ok() ? 1 : 0).orElse(0)).append('\n');
        if (last.isPresent()) {
            ReadinessResult r = last.get();
            header(b, "drctl_readiness_check_ok", "gauge", "1 when the check passed in the last readiness run, else 0");
            for (CheckResult c : r.checks()) {
                b.append("drctl_readiness_check_ok{check=\"").append(escape(c.id())).append("\",type=\"").append(escape(c.type()))
                        .append("\"} ").append(c.ok() ? 1 : 0).append('\n');
            }
            header(b, "drctl_readiness_last_run_timestamp_seconds", "gauge", "end of the last readiness run, Unix time in seconds");
            b.append("drctl_readiness_last_run_timestamp_seconds ").append(seconds(r.finished().toEpochMilli())).append('\n');
            header(b, "drctl_readiness_duration_seconds", "gauge", "wall time of the last readiness run in seconds");
            b.append("drctl_readiness_duration_seconds ").append(seconds(r.duration().toMillis())).append('\n');
        }
        header(b, "drctl_readiness_runs_total", "counter", "readiness runs finished since the daemon started");
        b.append("drctl_readiness_runs_total ").append(runsTotal).append('\n');
        header(b, "drctl_readiness_not_ready_total", "counter", "readiness runs since the daemon started that were not ready");
        b.append("drctl_readiness_not_ready_total ").append(notReadyTotal).append('\n');
        return b.toString();
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Milliseconds as decimal seconds, e.g. {@code 1795323862.125}. */
    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%d.%03d", millis / 1000, Math.abs(millis % 1000));
    }

    /** Label-value escaping of the text format: backslash, double quote, line feed. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
