package io.drctl.orchestrator.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.journal.TimeBreakdown;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A drill's timed report for auditors: the failover and failback runs, every step's start, end and
 * outcome (read back from the runs' journals, so the report shows what the journal proves), the
 * measured recovery time against the objective, and the verdict. Written as JSON, Markdown and a
 * self-contained HTML page with a timeline. Carries no secrets: journals never hold any, and what is read
 * back is redacted again.
 *
 * @param drillId    the drill's id
 * @param inventory  inventory name
 * @param from       region failed away from
 * @param to         region failed over to
 * @param objective  the inventory's RTO, if set
 * @param rto        measured: failover start to the end of its last step (service restored and verified)
 * @param phases     the runs in order (failover, then failback)
 * @param passed     every run succeeded and the RTO met the objective
 * @param outcome    the drill's runs, its final verified state, and the faults it injected ({@link DrillOutcome})
 */
public record DrillReport(String drillId, String inventory, String from, String to, Optional<Duration> objective,
                          Optional<Duration> rto, List<Phase> phases, boolean passed, DrillOutcome outcome) {

    /** One run of the drill. */
    /**
     * @param bestEffortFailures steps that failed without stopping the run ({@code onFailure: continue}), as
     *                           {@code "id: STATUS"}: what the engine journaled in {@code run.finished}
     * @param rpo                each promotion's recovery point as measured just before it ({@code "step target: RPO ..."})
     * @param time               where the run's time went: step work, safety-rule evaluations, drctl's overhead
     */
    public record Phase(String name, String runId, String runbook, String status, Instant started, Instant finished,
                        List<StepLine> steps, List<String> bestEffortFailures, List<String> rpo, TimeBreakdown time) {
        public Duration duration() {
            return Duration.between(started, finished);
        }

        /** The same phase with another status (a readiness run passes or fails by its checks, not its run status). */
        public Phase withStatus(String newStatus) {
            return new Phase(name, runId, runbook, newStatus, started, finished, steps, bestEffortFailures, rpo, time);
        }
    }

    /** One step as the journal recorded it. */
    public record StepLine(String id, String type, String status, Instant started, Instant finished, int targets,
                           int changed, String error) {
        public Duration duration() {
            return Duration.between(started, finished);
        }
    }

    /** Reads a run's journal into a phase; secrets of files the run's inventory references are redacted. */
    public static Phase phase(String name, String runId, Path runDir) throws IOException {
        return phase(name, runId, runDir, Map.of());
    }

    /**
     * Reads a run's journal into a phase, every text redacted of the secrets the run's inventory (its
     * copy in {@code runDir}) references, read through {@code env}. Journals are redacted when written;
     * this covers a run journaled before a secret was known.
     */
    public static Phase phase(String name, String runId, Path runDir, Map<String, String> env) throws IOException {
        Redactor redactor = Redactor.forInventoryFile(runDir.resolve(RunStore.INVENTORY_COPY), env);
        List<JournalEvent> events = Journal.read(runDir.resolve(Journal.FILE));
        Instant started = events.isEmpty() ? Instant.EPOCH : events.get(0).at();
        Instant finished = events.isEmpty() ? Instant.EPOCH : events.get(events.size() - 1).at();
        String runbook = "";
        String status = "UNKNOWN";
        Map<String, StepLine> steps = new LinkedHashMap<>();
        Map<String, Instant> stepStart = new LinkedHashMap<>();
        Map<String, String> stepType = new LinkedHashMap<>();
        Map<String, Integer> changed = new LinkedHashMap<>();
        Map<String, Integer> targetCount = new LinkedHashMap<>();
        java.util.Set<String> observing = new java.util.HashSet<>();
        List<String> bestEffort = List.of();
        List<String> rpo = new ArrayList<>();
        for (JournalEvent e : events) {
            switch (e.event()) {
                case "action.note" -> {
                    if ("rpo".equals(e.str("key"))) {
                        rpo.add(redactor.redact(e.step().orElse("?") + " " + e.target().orElse("") + ": " + e.str("value")));
                    }
                }
                case "run.started" -> runbook = String.valueOf(e.data().getOrDefault("runbook", ""));
                case "run.finished" -> {
                    status = String.valueOf(e.data().getOrDefault("status", "UNKNOWN"));
                    bestEffort = e.data().get("bestEffortFailures") instanceof List<?> l
                            ? l.stream().map(x -> redactor.redact(String.valueOf(x))).toList() : List.of();
                }
                case "step.started" -> {
                    stepStart.putIfAbsent(e.step().orElse("?"), e.at());
                    stepType.put(e.step().orElse("?"), e.str("type"));
                    if (e.data().get("targets") instanceof Number n) {
                        targetCount.put(e.step().orElse("?"), n.intValue());
                    }
                }
                case "action.started" -> {
                    if (Boolean.FALSE.equals(e.data().get("changes"))) {
                        observing.add(e.step().orElse("?") + " " + e.target().orElse(""));
                    }
                }
                case "action.finished" -> {
                    // "applied" counts changes only: a check that passed changed nothing
                    if ("SUCCEEDED".equals(e.str("status"))
                            && !observing.contains(e.step().orElse("?") + " " + e.target().orElse(""))) {
                        changed.merge(e.step().orElse("?"), 1, Integer::sum);
                    }
                }
                case "step.finished" -> {
                    String id = e.step().orElse("?");
                    steps.put(id, new StepLine(redactor.redact(id), String.valueOf(stepType.getOrDefault(id, e.str("type"))),
                            e.str("status"), stepStart.getOrDefault(id, e.at()), e.at(),
                            targetCount.getOrDefault(id, 0), changed.getOrDefault(id, 0),
                            e.str("error") == null ? "" : redactor.redact(e.str("error"))));
                }
                default -> {
                }
            }
        }
        List<StepLine> ordered = new ArrayList<>(steps.values());
        ordered.sort(java.util.Comparator.comparing(StepLine::started));
        return new Phase(name, runId, redactor.redact(runbook), status, started, finished, List.copyOf(ordered), bestEffort,
                List.copyOf(rpo), TimeBreakdown.of(events));
    }

    public static DrillReport of(String drillId, String inventory, String from, String to, Optional<Duration> objective,
                                 List<Phase> phases) {
        return of(drillId, inventory, from, to, objective, phases, DrillOutcome.NONE);
    }

    /** The same, with the drill's runs, final state and injected faults. */
    public static DrillReport of(String drillId, String inventory, String from, String to, Optional<Duration> objective,
                                 List<Phase> phases, DrillOutcome outcome) {
        Optional<Duration> rto = phases.stream().filter(p -> p.name().equals("failover")).findFirst()
                .filter(p -> p.status().equals("SUCCEEDED")).map(Phase::duration);
        boolean allOk = !phases.isEmpty() && phases.stream().allMatch(p -> p.status().equals("SUCCEEDED"));
        boolean inTime = rto.isPresent() && objective.map(o -> rto.get().compareTo(o) <= 0).orElse(true);
        return new DrillReport(drillId, inventory, from, to, objective, rto, List.copyOf(phases), allOk && inTime, outcome);
    }

    /** Writes report.json, report.md and report.html into {@code dir}; returns the HTML path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule()).registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
                .enable(SerializationFeature.INDENT_OUTPUT).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
        json.writeValue(dir.resolve("report.json").toFile(), this);
        Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
        Path html = dir.resolve("report.html");
        Files.writeString(html, html(), StandardCharsets.UTF_8);
        return html;
    }

    static String fmt(Duration d) {
        return Durations.format(d, Durations.Style.REPORT);
    }

    public String verdict() {
        return (passed ? "PASSED" : "FAILED") + ": RTO " + rto.map(DrillReport::fmt).orElse("not reached")
                + " against an objective of " + objective.map(DrillReport::fmt).orElse("(none set)");
    }

    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# DR drill ").append(drillId).append("\n\n");
        b.append("- Inventory: `").append(inventory).append("`\n");
        b.append("- Phases: ").append(String.join(" → ", phases.stream().map(Phase::name).toList()))
                .append(" (failover ").append(from).append(" → ").append(to).append(")\n");
        b.append("- Recovery-time objective: ").append(objective.map(DrillReport::fmt).orElse("(none set)")).append("\n");
        b.append("- Measured RTO (failover start → last failover step verified): ")
                .append(rto.map(DrillReport::fmt).orElse("not reached")).append("\n");
        b.append("- **Verdict: ").append(verdict()).append("**\n");
        b.append(outcome.markdown());
        for (Phase p : phases) {
            b.append("\n## ").append(p.name()).append(": ").append(p.runbook()).append(" (run `").append(p.runId())
                    .append("`) — ").append(p.status()).append(" in ").append(fmt(p.duration())).append("\n\n");
            b.append("**Where the time went**: ").append(p.time().describe()).append("\n\n");
            p.rpo().forEach(r -> b.append("**Recovery point**: ").append(r).append("\n\n"));
            if (!p.bestEffortFailures().isEmpty()) {
                b.append("**Best-effort failures** (steps marked `onFailure: continue`): ")
                        .append(String.join(", ", p.bestEffortFailures())).append("\n\n");
            }
            b.append("| step | type | status | targets | applied | start (UTC) | duration | error |\n");
            b.append("|---|---|---|---:|---:|---|---:|---|\n");
            for (StepLine s : p.steps()) {
                b.append("| ").append(s.id()).append(" | ").append(s.type()).append(" | ").append(s.status()).append(" | ")
                        .append(s.targets()).append(" | ").append(s.changed()).append(" | ").append(s.started()).append(" | ")
                        .append(fmt(s.duration())).append(" | ").append(s.error().replace("|", "\\|").replace("\n", " "))
                        .append(" |\n");
            }
        }
        b.append("\nEvery line above is read back from the runs' append-only journals (")
                .append("`<state-dir>/runs/<run>/journal.jsonl`).\n");
        return b.toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public String html() {
        Instant t0 = phases.isEmpty() ? Instant.EPOCH : phases.get(0).started();
        Instant t1 = phases.isEmpty() ? Instant.EPOCH : phases.get(phases.size() - 1).finished();
        double total = Math.max(1, Duration.between(t0, t1).toMillis());
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>DR drill ").append(esc(drillId)).append("</title>")
                .append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}")
                .append("td,th{border-bottom:1px solid #ddd;padding:4px 6px;font-size:13px;text-align:left}")
                .append(".bar{position:relative;height:14px;background:#f3f3f3;min-width:300px}")
                .append(".bar span{position:absolute;top:0;height:14px;border-radius:2px}")
                .append(".ok{background:#2e7d32}.bad{background:#c62828}.other{background:#9e9e9e}")
                .append(".verdict{font-size:1.3em;padding:.5em 1em;display:inline-block;border-radius:4px;color:#fff}")
                .append("</style></head><body>");
        b.append("<h1>DR drill ").append(esc(drillId)).append("</h1>");
        b.append("<p class=\"verdict ").append(passed ? "ok" : "bad").append("\">").append(esc(verdict())).append("</p>");
        b.append("<p>Inventory <code>").append(esc(inventory)).append("</code>; failover ").append(esc(from)).append(" → ")
                .append(esc(to)).append(", then failback. Timeline from ").append(t0).append(" to ").append(t1).append(" (")
                .append(fmt(Duration.between(t0, t1))).append(").</p>");
        b.append(outcome.html());
        for (Phase p : phases) {
            b.append("<h2>").append(esc(p.name())).append(": ").append(esc(p.runbook())).append(" — ").append(esc(p.status()))
                    .append(" in ").append(fmt(p.duration())).append("</h2><p>run <code>").append(esc(p.runId())).append("</code></p>");
            b.append("<p class=\"time\"><strong>Where the time went</strong>: ").append(esc(p.time().describe())).append("</p>");
            p.rpo().forEach(r -> b.append("<p><strong>Recovery point</strong>: ").append(esc(r)).append("</p>"));
            if (!p.bestEffortFailures().isEmpty()) {
                b.append("<p class=\"bad\"><strong>Best-effort failures</strong> (steps marked <code>onFailure: continue</code>): ")
                        .append(esc(String.join(", ", p.bestEffortFailures()))).append("</p>");
            }
            b.append("<table><tr><th>step</th><th>type</th><th>status</th><th>targets</th><th>applied</th><th>duration</th>")
                    .append("<th style=\"width:40%\">timeline</th><th>error</th></tr>");
            for (StepLine s : p.steps()) {
                double left = Duration.between(t0, s.started()).toMillis() / total * 100;
                double width = Math.max(0.3, s.duration().toMillis() / total * 100);
                String cls = s.status() == null ? "other" : s.status().equals("SUCCEEDED") ? "ok"
                        : s.status().equals("FAILED") || s.status().equals("TIMED_OUT") ? "bad" : "other";
                b.append("<tr><td>").append(esc(s.id())).append("</td><td>").append(esc(s.type())).append("</td><td>")
                        .append(esc(String.valueOf(s.status()))).append("</td><td>").append(s.targets()).append("</td><td>")
                        .append(s.changed()).append("</td><td>").append(fmt(s.duration())).append("</td><td><div class=\"bar\"><span class=\"")
                        .append(cls).append("\" style=\"left:").append(String.format("%.2f", left)).append("%;width:")
                        .append(String.format("%.2f", width)).append("%\" title=\"").append(s.started()).append(" → ")
                        .append(s.finished()).append("\"></span></div></td><td>").append(esc(s.error())).append("</td></tr>");
            }
            b.append("</table>");
        }
        b.append("<p><small>Read back from the runs' append-only journals. Generated by drctl.</small></p></body></html>\n");
        return b.toString();
    }

    /** Raw list for JSON consumers that prefer a flat timeline. */
    public List<Map<String, Object>> timeline() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Phase p : phases) {
            for (StepLine s : p.steps()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("phase", p.name());
                m.put("step", s.id());
                m.put("status", s.status());
                m.put("started", s.started().toString());
                m.put("finished", s.finished().toString());
                out.add(m);
            }
        }
        return out;
    }
}
