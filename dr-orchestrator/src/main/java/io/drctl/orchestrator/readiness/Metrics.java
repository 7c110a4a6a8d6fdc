package io.drctl.orchestrator.readiness;

import io.drctl.orchestrator.spi.Figure;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Prometheus text exposition (format 0.0.4) of the readiness state; every metric has its HELP and TYPE, names
 * carry their base unit, counters end in {@code _total}, and {@code promtool check metrics} finds nothing to say.
 *
 * <p>Readiness rounds:
 * <pre>
 * drctl_readiness_ok                            1 when every check of the last round passed (0 before the first)
 * drctl_readiness_check_ok{check="..",type=".."} 1/0 per check of the last round
 * drctl_readiness_last_run_timestamp_seconds    end of the last round (Unix seconds)
 * drctl_readiness_duration_seconds              wall time of the last round
 * drctl_readiness_last_pass_timestamp_seconds   end of the latest round that passed (absent until one has)
 * drctl_readiness_last_pass_age_seconds         seconds from then to now (absent likewise)
 * drctl_readiness_runs_total                    rounds finished since the daemon started
 * drctl_readiness_not_ready_total               of those, rounds that were not ready
 * </pre>
 *
 * <p>DR gauges: what the last round's checks measured ({@link CheckResult#figures}), each sample labelled with its
 * {@code check} (the step id) and the figure's own labels; a figure its check could not read (a host unreachable)
 * is absent, never a made-up 0:
 * <pre>
 * drctl_dr_replica_streaming{replica=".."}          db.replica: 1 when the WAL receiver streams, else 0
 * drctl_dr_replica_lag_bytes{replica=".."}          db.replica: WAL received but not replayed
 * drctl_dr_replica_lag_seconds{replica=".."}        db.replica: replay delay while WAL waits (0 when all is replayed)
 * drctl_dr_fence_rules{host="..",port=".."}         firewall.verify: rules blocking the port from the fence's sources
 * drctl_dr_fence_persisted{host="..",port=".."}     firewall.verify: 1 when a reboot keeps the verified state
 * drctl_dr_dns_soa_serial{server="..",zone=".."}    dns.key-check: the zone's SOA serial at each server
 * drctl_dr_tsig_clock_skew_seconds{server=".."}     dns.key-check: our clock minus the server's TSIG time signed
 * </pre>
 *
 * <p>The last drill ({@link LastDrill}, absent when the state directory holds none):
 * <pre>
 * drctl_drill_last_info{drill="..",from="..",to=".."} 1
 * drctl_drill_last_success                      1 when it passed (every run succeeded, RTO within the objective)
 * drctl_drill_last_timestamp_seconds            end of its last phase
 * drctl_drill_last_rto_seconds                  measured RTO (absent when the failover did not succeed)
 * drctl_drill_rto_objective_seconds             the inventory's RTO (absent when none is set)
 * drctl_drill_last_rpo_bytes{replica=".."}      what each promotion would have lost, measured just before it
 * drctl_drill_last_rpo_seconds{replica=".."}
 * </pre>
 */
public final class Metrics {
    /** The Content-Type of the text format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The prefix of the DR gauges: a figure {@code replica_lag_bytes} is {@code drctl_dr_replica_lag_bytes}. */
    public static final String DR_PREFIX = "drctl_dr_";

    private static final Map<String, String> FIGURE_HELP = Map.of(
            "replica_streaming", "1 when the standby DBMS's WAL receiver is streaming, else 0 (db.replica check)",
            "replica_lag_bytes", "WAL the replica received but has not replayed, in bytes (db.replica check)",
            "replica_lag_seconds", "age of the last replayed transaction while received WAL waits to be replayed, 0 when"
                    + " everything received is replayed, in seconds (db.replica check)",
            "fence_rules", "rules, drctl's or not, that block the port on the host from the fence's sources (firewall.verify check)",
            "fence_persisted", "1 when the host's persisted firewall rules keep the verified state across a reboot, else 0"
                    + " (firewall.verify check)",
            "dns_soa_serial", "SOA serial of the zone at the DNS server (dns.key-check check)",
            "tsig_clock_skew_seconds", "our clock minus the DNS server's TSIG time signed of its answer, network delay included,"
                    + " in seconds (dns.key-check check)");

    private Metrics() {
    }

    /** The state as of now, without drill figures. */
    public static String format(ReadinessState state) {
        return format(state, Optional.empty(), Clock.systemUTC());
    }

    /** The state as of now, with the last drill of {@code stateDir} ({@link LastDrill#read}). */
    public static String format(ReadinessState state, Path stateDir) {
        return format(state, LastDrill.read(stateDir), Clock.systemUTC());
    }

    /** The state and {@code lastDrill} as of {@code clock}'s now. */
    public static String format(ReadinessState state, Optional<LastDrill> lastDrill, Clock clock) {
        StringBuilder b = new StringBuilder();
        // read once per scrape: while clustered, each read is a store query
        Optional<ReadinessResult> last = state.last();
        long[] counts = state.counts();
        rounds(b, last, state.lastPassed(last), clock.instant());
        header(b, "drctl_readiness_runs_total", "counter", "readiness runs finished since the daemon started");
        b.append("drctl_readiness_runs_total ").append(counts[0]).append('\n');
        header(b, "drctl_readiness_not_ready_total", "counter", "readiness runs since the daemon started that were not ready");
        b.append("drctl_readiness_not_ready_total ").append(counts[1]).append('\n');
        last.ifPresent(r -> figures(b, r.checks()));
        lastDrill.ifPresent(d -> drill(b, d));
        return b.toString();
    }

    private static void rounds(StringBuilder b, Optional<ReadinessResult> last, Optional<Instant> lastPassed, Instant now) {
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
        if (lastPassed.isPresent()) {
            header(b, "drctl_readiness_last_pass_timestamp_seconds", "gauge",
                    "end of the latest readiness run in which every check passed, Unix time in seconds");
            b.append("drctl_readiness_last_pass_timestamp_seconds ").append(seconds(lastPassed.get().toEpochMilli())).append('\n');
            header(b, "drctl_readiness_last_pass_age_seconds", "gauge",
                    "seconds since the latest readiness run in which every check passed ended");
            b.append("drctl_readiness_last_pass_age_seconds ")
                    .append(seconds(Math.max(0, Duration.between(lastPassed.get(), now).toMillis()))).append('\n');
        }
    }

    /** One family per figure name, in the order the checks first report it; each sample once (its last reading), sorted. */
    private static void figures(StringBuilder b, List<CheckResult> checks) {
        Map<String, Map<String, String>> families = new LinkedHashMap<>(); // name -> sample key -> sample line
        for (CheckResult c : checks) {
            for (Figure f : c.figures()) {
                Map<String, String> labels = new LinkedHashMap<>();
                labels.put("check", c.id());
                labels.putAll(f.labels()); // a figure's own label "check", were there one, is its own word
                String series = DR_PREFIX + f.name() + labels(labels);
                families.computeIfAbsent(f.name(), k -> new TreeMap<>()).put(series, series + " " + value(f.value()));
            }
        }
        families.forEach((name, samples) -> {
            header(b, DR_PREFIX + name, "gauge", FIGURE_HELP.getOrDefault(name, "figure '" + name
                    + "' measured by a check of the last readiness run"));
            samples.values().forEach(line -> b.append(line).append('\n'));
        });
    }

    private static void drill(StringBuilder b, LastDrill d) {
        header(b, "drctl_drill_last_info", "gauge", "the last DR drill in the state directory: its id and direction (always 1)");
        b.append("drctl_drill_last_info").append(labels(new TreeMap<>(Map.of("drill", d.drillId(), "from", d.from(), "to", d.to())))).append(" 1\n");
        header(b, "drctl_drill_last_success", "gauge", "1 when the last DR drill passed (every run succeeded, RTO within the objective), else 0");
        b.append("drctl_drill_last_success ").append(d.passed() ? 1 : 0).append('\n');
        header(b, "drctl_drill_last_timestamp_seconds", "gauge", "end of the last DR drill, Unix time in seconds");
        b.append("drctl_drill_last_timestamp_seconds ").append(seconds(d.finished().toEpochMilli())).append('\n');
        d.rto().ifPresent(rto -> {
            header(b, "drctl_drill_last_rto_seconds", "gauge", "recovery time measured by the last DR drill's failover, in seconds");
            b.append("drctl_drill_last_rto_seconds ").append(seconds(rto.toMillis())).append('\n');
        });
        d.objective().ifPresent(o -> {
            header(b, "drctl_drill_rto_objective_seconds", "gauge", "the inventory's recovery-time objective the last drill was held to, in seconds");
            b.append("drctl_drill_rto_objective_seconds ").append(seconds(o.toMillis())).append('\n');
        });
        for (String name : List.of("rpo_bytes", "rpo_seconds")) {
            List<Figure> fs = d.rpo().stream().filter(f -> f.name().equals(name)).toList();
            if (!fs.isEmpty()) {
                header(b, "drctl_drill_last_" + name, "gauge", "what the last DR drill's promotion of the replica would have lost, "
                        + (name.equals("rpo_bytes") ? "in WAL bytes" : "in seconds of replay lag") + ", measured just before it");
                fs.forEach(f -> b.append("drctl_drill_last_").append(name).append(labels(f.labels())).append(' ')
                        .append(value(f.value())).append('\n'));
            }
        }
    }

    private static String labels(Map<String, String> labels) {
        StringBuilder b = new StringBuilder("{");
        labels.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(k).append("=\"").append(escape(v)).append('"'));
        return b.append('}').toString();
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Milliseconds as decimal seconds, e.g. {@code 1795323862.125}. */
    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%s%d.%03d", millis < 0 ? "-" : "", Math.abs(millis / 1000), Math.abs(millis % 1000));
    }

    /** A sample value: an integer as one ({@code 2026120201}), else the shortest decimal that reads back the same. */
    static String value(double v) {
        return Figure.number(v).toString();
    }

    /** Label-value escaping of the text format: backslash, double quote, line feed. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
