package io.drctl.orchestrator.readiness;

import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.engine.StepOutcome;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.LockHeldException;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.spi.Figure;
import io.drctl.orchestrator.spi.Verified;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a readiness runbook as an ordinary journaled run (its steps are read-only checks) and turns the
 * run into one {@link CheckResult} per step: the step's status decides ok/FAIL, and the journal gives the
 * detail (what each target's verification saw, or its error) and the figures the check observed
 * ({@code action.observed}: replica lag, fence rules, SOA serials; the last reading of each).
 *
 * <p>Scheduled and on-demand readiness rounds journal into their own store, {@link #store}: its lock
 * keeps two rounds from overlapping, and an operator's run, which locks the state directory itself, is
 * never refused because a round is in progress.
 */
public final class Readiness {
    /** The subdirectory of the state directory that holds readiness runs and their lock. */
    public static final String SUBDIR = "readiness";

    private static final String BY_APPLY = Verified.byApply().detail();

    private final Runs runs;
    private final Clock clock;
    private final Map<String, String> env;

    /**
     * @param runs  where the rounds run: {@link #store}{@code (stateDir)} for rounds of their own, or an
     *              operator's state directory when readiness is a phase of the operator's work (a drill)
     * @param env   the environment the secret references are read from, to redact the result
     */
    public Readiness(Runs runs, Clock clock, Map<String, String> env) {
        this.runs = runs;
        this.clock = clock;
        this.env = Map.copyOf(env);
    }

    /** The run store of readiness rounds in {@code stateDir}: {@code <state-dir>/readiness/}, with its own lock. */
    public static RunStore store(Path stateDir) {
        return new RunStore(stateDir.resolve(SUBDIR));
    }

    /**
     * One round. Invalid input propagates (the CLI's exit 2); a held lock or an I/O failure becomes a
     * result with an error (not ready), so a scheduler keeps going. Every text of the result is
     * redacted of the inventory's secrets.
     */
    public ReadinessResult run(Path inventory, Path runbook, Map<String, String> params) throws InvalidInputException {
        return round(inventory, runbook, params).redacted(Redactor.forInventoryFile(inventory, env));
    }

    private ReadinessResult round(Path inventory, Path runbook, Map<String, String> params) throws InvalidInputException {
        Instant started = clock.instant();
        RunResult r;
        try {
            r = runs.run(inventory, runbook, params);
        } catch (LockHeldException e) {
            return ReadinessResult.failedToRun(runbook.toString(), inventory.toString(), started, clock.instant(),
                    "refused: " + e.getMessage());
        } catch (IOException e) {
            return ReadinessResult.failedToRun(runbook.toString(), inventory.toString(), started, clock.instant(),
                    "I/O error: " + e.getMessage());
        }
        List<JournalEvent> events;
        try {
            events = Journal.read(runs.store().runDir(r.runId()).resolve(Journal.FILE));
        } catch (IOException e) {
            events = List.of(); // the verdict still stands on the run result; details are then the errors only
        }
        return new ReadinessResult(Optional.of(r.runId()), runbook.toString(), inventory.toString(), started,
                clock.instant(), checks(r, events), Optional.empty());
    }

    /** One result per step of {@code r}, with details from the run's journal. */
    static List<CheckResult> checks(RunResult r, List<JournalEvent> events) {
        Map<String, Map<String, String>> passed = new LinkedHashMap<>(); // step -> target -> detail
        Map<String, Map<String, String>> applied = new LinkedHashMap<>();
        Map<String, Map<String, String>> errors = new LinkedHashMap<>();
        Map<String, Map<String, Figure>> figures = new LinkedHashMap<>(); // step -> figure key -> its last reading
        for (JournalEvent e : events) {
            if (e.step().isEmpty() || e.target().isEmpty()) {
                continue;
            }
            String step = e.step().get();
            String target = e.target().get();
            switch (e.event()) {
                case "action.verified" -> {
                    if (Boolean.TRUE.equals(e.data().get("ok")) && e.str("detail") != null) {
                        passed.computeIfAbsent(step, k -> new LinkedHashMap<>()).put(target, e.str("detail"));
                    }
                }
                case "action.applied" -> {
                    if (e.str("summary") != null) {
                        applied.computeIfAbsent(step, k -> new LinkedHashMap<>()).put(target, e.str("summary"));
                    }
                }
                case "action.observed" -> Figure.fromMap(e.data())
                        .ifPresent(f -> figures.computeIfAbsent(step, k -> new LinkedHashMap<>()).put(f.key(), f));
                case "action.finished" -> {
                    if (e.str("error") != null) {
                        errors.computeIfAbsent(step, k -> new LinkedHashMap<>()).put(target, e.str("error"));
                    }
                }
                default -> {
                }
            }
        }
        List<CheckResult> out = new ArrayList<>();
        for (StepOutcome o : r.steps()) {
            boolean ok = o.status().isSuccessful();
            String detail;
            if (ok) {
                List<String> parts = new ArrayList<>();
                Map<String, String> p = passed.getOrDefault(o.id(), Map.of());
                Map<String, String> a = applied.getOrDefault(o.id(), Map.of());
                for (Map.Entry<String, String> t : p.entrySet()) {
                    String d = t.getValue().equals(BY_APPLY) ? a.getOrDefault(t.getKey(), t.getValue()) : t.getValue();
                    parts.add(t.getKey() + ": " + d);
                }
                detail = String.join("; ", parts);
            } else {
                List<String> errs = new ArrayList<>(errors.getOrDefault(o.id(), Map.of()).values());
                detail = !errs.isEmpty() ? String.join("; ", errs) : o.error().orElse(o.status().name().toLowerCase(java.util.Locale.ROOT));
            }
            out.add(new CheckResult(o.id(), o.type(), ok, o.status().name(), detail, o.duration(),
                    figures.getOrDefault(o.id(), Map.of()).values().stream().sorted(Comparator.comparing(Figure::key)).toList()));
        }
        return out;
    }
}
