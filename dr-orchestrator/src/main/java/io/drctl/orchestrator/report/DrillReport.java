package io.drctl.orchestrator.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.journal.Status;
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
 * A drill's timed report for auditors: the runs of the drill, every step's start, end and outcome and what its
 * verification observed (read back from the runs' journals, so the report shows what the journal proves), the
 * gaps between steps and what they went on, which runbook and inventory versions ran and who approved or
 * overrode what, the measured recovery time and time to service restored against the objective and the
 * forecast, and the verdict. Written as JSON (everything the HTML shows), Markdown and one self-contained HTML
 * page that prints on A4. Carries no secrets: journals never hold any, and what is read back is redacted again.
 *
 * @param drillId         the drill's id
 * @param inventory       inventory name
 * @param from            region failed away from
 * @param to              region failed over to
 * @param objective       the inventory's RTO, if set
 * @param rto             measured: failover start to the end of its last step (its run end)
 * @param serviceRestored measured: failover start to the last verification of the service path
 *                        ({@link PhaseReader#SERVICE_PATH}: DNS answers everywhere, proxies resolve, Configuration
 *                        Servers answer); absent when the failover verified none
 * @param forecast        what {@code drctl forecast} expected of the failover before the drill, when earlier runs existed
 * @param phases          the runs in order (readiness, failover, failback, readiness)
 * @param passed          every run succeeded and the RTO met the objective
 * @param outcome         the drill's runs, its final verified state, and the faults it injected ({@link DrillOutcome})
 */
public record DrillReport(String drillId, String inventory, String from, String to, Optional<Duration> objective,
                          Optional<Duration> rto, Optional<Duration> serviceRestored, Optional<ForecastFigure> forecast,
                          List<Phase> phases, boolean passed,
                          DrillOutcome outcome) {

    /**
     * One run of the drill.
     *
     * @param bestEffortFailures steps that failed without stopping the run ({@code onFailure: continue}), as
     *                           {@code "id: STATUS"}: what the engine journaled in {@code run.finished}
     * @param rpo                each promotion's recovery point as measured just before it ({@code "step target: RPO ..."})
     * @param time               where the run's time went: step work, safety-rule evaluations, drctl's overhead
     * @param evidence           what each step's verifications observed (the latest attempt of each action)
     * @param gaps               the stretches with no step running, each with what it went on
     * @param provenance         what ran (hashes, version), who ran it, approvals and overrides
     * @param serviceRestored    when the last service-path step of this run succeeded
     * @param serviceRestoredBy  that step's id (empty when none)
     * @param ruleChecks         what each safety rule saw, once per distinct observation: {@code step} is the rule id,
     *                           {@code action} the evaluation points that saw it
     */
    public record Phase(String name, String runId, String runbook, String status, Instant started, Instant finished,
                        List<StepLine> steps, List<String> bestEffortFailures, List<String> rpo, TimeBreakdown time,
                        List<EvidenceRow> evidence, List<Gap> gaps, RunProvenance provenance,
                        Optional<Instant> serviceRestored, String serviceRestoredBy,
                        List<EvidenceRow> ruleChecks) {
        public Duration duration() {
            return Duration.between(started, finished);
        }

        /** The same phase with another status (a readiness run passes or fails by its checks, not its run status). */
        public Phase withStatus(String newStatus) {
            return new Phase(name, runId, runbook, newStatus, started, finished, steps, bestEffortFailures, rpo, time,
                    evidence, gaps, provenance, serviceRestored, serviceRestoredBy, ruleChecks);
        }

        /** The evidence rows of {@code step}. */
        public List<EvidenceRow> evidenceOf(String step) {
            return evidence.stream().filter(e -> e.step().equals(step)).toList();
        }
    }

    /**
     * One step as the journal recorded it.
     *
     * @param approvedBy for an approval step, who approved: its bar is time spent waiting for a person
     */
    public record StepLine(String id, String type, String status, Instant started, Instant finished, int targets,
                           int changed, String error, Optional<String> approvedBy) {
        public Duration duration() {
            return Duration.between(started, finished);
        }

        /** Whether the step reached its desired state (applied, or found already holding): {@code SUCCEEDED} or {@code SATISFIED}. */
        public boolean proven() {
            try {
                return status != null && Status.valueOf(status).isDone();
            } catch (IllegalArgumentException e) {
                return false; // a status this drctl does not know
            }
        }

        /** An approval step is a wait for a person, not work. */
        public boolean isWait() {
            return "approval".equals(type);
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
        return PhaseReader.read(name, runId, Journal.read(runDir.resolve(Journal.FILE)), redactor);
    }

    public static DrillReport of(String drillId, String inventory, String from, String to, Optional<Duration> objective,
                                 List<Phase> phases) {
        return of(drillId, inventory, from, to, objective, phases, Optional.empty(), DrillOutcome.NONE);
    }

    /**
     * The report of {@code phases}, with the failover's forecast and the drill's runs, final verified state and
     * injected faults ({@code outcome}).
     */
    public static DrillReport of(String drillId, String inventory, String from, String to, Optional<Duration> objective,
                                 List<Phase> phases, Optional<ForecastFigure> forecast, DrillOutcome outcome) {
        Optional<Phase> failover = phases.stream().filter(p -> p.name().equals("failover")).findFirst();
        Optional<Duration> rto = failover.filter(p -> p.status().equals("SUCCEEDED")).map(Phase::duration);
        Optional<Duration> restored = failover.flatMap(p -> p.serviceRestored().map(at -> Duration.between(p.started(), at)));
        boolean allOk = !phases.isEmpty() && phases.stream().allMatch(p -> p.status().equals("SUCCEEDED"));
        boolean inTime = rto.isPresent() && objective.map(o -> rto.get().compareTo(o) <= 0).orElse(true);
        return new DrillReport(drillId, inventory, from, to, objective, rto, restored, forecast, List.copyOf(phases),
                allOk && inTime, outcome);
    }

    /** Writes report.json, report.md and report.html into {@code dir}; returns the HTML path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule()).registerModule(new Jdk8Module())
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

    @JsonProperty("verdict")
    public String verdict() {
        return (passed ? "PASSED" : "FAILED") + ": RTO " + rto.map(DrillReport::fmt).orElse("not reached")
                + " against an objective of " + objective.map(DrillReport::fmt).orElse("(none set)");
    }

    /** The headline figures, in the order the report shows them, as label → value (JSON carries them too). */
    @JsonProperty("figures")
    public Map<String, String> figures() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Recovery-time objective", objective.map(DrillReport::fmt).orElse("(none set)"));
        m.put("Time to service restored", serviceRestored.map(DrillReport::fmt)
                .map(d -> d + " (failover start → last service-path verification: "
                        + phases.stream().filter(p -> p.name().equals("failover")).findFirst()
                        .map(Phase::serviceRestoredBy).orElse("") + ")")
                .orElse("not measured (the failover verified no service path: dns.verify, dns.flush-cache, wait.tcp)"));
        m.put("Measured RTO (failover run end)", rto.map(DrillReport::fmt).orElse("not reached")
                + " (failover start → its last step verified)");
        m.put("Forecast RTO", forecast.map(f -> fmt(f.median()) + " median, " + fmt(f.p90()) + " p90, from " + f.runsRead()
                + " earlier run(s)" + rto.map(r -> "; measured " + fmt(r) + " is " + compare(r, f)).orElse(""))
                .orElse("none (no earlier runs in the state dir)"));
        return m;
    }

    private static String compare(Duration measured, ForecastFigure f) {
        return measured.compareTo(f.p90()) > 0 ? "above the p90" : measured.compareTo(f.median()) > 0 ? "between median and p90"
                : "at or below the median";
    }

    public String markdown() {
        return MarkdownReport.of(this);
    }

    public String html() {
        return HtmlReport.of(this);
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
