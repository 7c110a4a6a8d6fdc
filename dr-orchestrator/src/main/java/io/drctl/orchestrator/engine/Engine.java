package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.config.model.Step;
import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.FileApprovals;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.spi.Approvals;
import io.drctl.orchestrator.spi.Effect;
import io.drctl.orchestrator.spi.HostAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Executes a {@link Plan}: steps in DAG order (independent steps in parallel), each step's actions
 * fanned out with bounded parallelism, with per-step timeout, per-action retry/backoff and
 * {@code onFailure}. Every transition is journaled (and fsync'd) before the side effect it announces.
 * This class schedules the steps and aborts the run; a step runs in {@link StepRunner}, an action's
 * probe/apply/verify in {@link ActionRunner}, a rollback in {@link Rollback}.
 *
 * <p>Journal events, in order for one action: {@code action.started}, {@code action.probed},
 * then either {@code action.verified} (probe satisfied) or {@code action.would-apply} (dry run) or
 * {@code action.applying}, {@code action.applied}, {@code action.verified}; failures add
 * {@code action.attempt-failed} and {@code action.retrying}; always {@code action.finished}.
 *
 * <p>Safety rules ({@code rules:}) are evaluated before the first step and at every quiescent point
 * after a step finishes (no other step in flight); a violation that is not overridden journals
 * {@code rule.violated}, starts no further step (the rest are journaled SKIPPED) and ends the run
 * {@link Status#REFUSED}. See {@link RuleEvaluator}.
 */
public final class Engine {
    private static final String STOPPED_BY_RULE = "run stopped by a violated safety rule";

    private final Plan plan;
    private final String runId;
    private final Path runDir;
    private final Journal journal;
    private final EngineOptions options;
    private final Approvals approvals;
    private final Redactor redactor;

    public Engine(Plan plan, String runId, Path runDir, Journal journal, EngineOptions options, Redactor redactor) {
        this.plan = plan;
        this.runId = runId;
        this.runDir = runDir;
        this.journal = journal;
        this.options = options;
        this.redactor = redactor;
        this.approvals = new FileApprovals(runDir, options.clock(), options.assumeYes(), options.who(), options.prompt());
    }

    /**
     * Runs every step not already done in {@code previous} (empty state for a fresh run). Steps and
     * actions that were done before are skipped; the rest (including ones a rollback reverted) are
     * re-probed and completed. Never throws for a step's failure: every started step and action is
     * journaled as finished, and the run always ends with {@code run.finished}.
     */
    public RunResult execute(RunState previous) {
        Instant started = options.clock().instant();
        Map<String, Status> status = new LinkedHashMap<>();
        Map<String, StepOutcome> outcomes = new LinkedHashMap<>();
        Map<String, StepRun> inFlight = new LinkedHashMap<>(); // the scheduling thread alone touches it
        Set<String> doneBefore = doneBefore(previous);
        ExecutorService pool = Executors.newCachedThreadPool(StepRunner.daemon("drctl-step"));
        CompletionService<StepOutcome> done = new ExecutorCompletionService<>(pool);
        int running = 0;
        String abortReason = null;
        boolean refused = false;
        RuleEvaluator rules = new RuleEvaluator(plan.loaded().rules(), plan.ruleTypes(), journal, options.overrides(),
                options.who());
        Set<Effect> changedSinceRules = EnumSet.noneOf(Effect.class); // what the steps since the last evaluation may have changed
        try (rules; HostAccess hosts = options.hostAccess().apply(plan.loaded().inventory())) {
            RunScope scope = scope(hosts);
            if (!options.dryRun()) {
                scope.hosts().warm(contacts(plan)); // a dry run opens nothing it does not need
            }
            StepRunner steps = new StepRunner(journal, options, redactor, new ActionRunner(scope, options, redactor));
            if (!rules.isEmpty()) {
                // before the first step (run and resume; dry runs too: evaluation only reads)
                refused = refuse(rules.evaluate("before the first step", scope));
                abortReason = refused ? STOPPED_BY_RULE : null;
            }
            while (true) {
                boolean submitted = false;
                for (Plan.PlannedStep s : plan.steps()) {
                    String id = s.id();
                    if (status.containsKey(id)) {
                        continue;
                    }
                    if (doneBefore.contains(id)) {
                        Status before = previous.step(id);
                        status.put(id, before);
                        journal.append(EventType.STEP_ALREADY_DONE, id, null, Map.of("status", before.name()));
                        outcomes.put(id, notRun(s, before, "done in an earlier attempt"));
                        continue;
                    }
                    boolean ready = true;
                    Optional<String> blocker = Optional.empty();
                    for (String dep : s.spec().dependsOn()) {
                        Status d = status.get(dep);
                        if (d == null || !d.isTerminal()) {
                            ready = false;
                        } else if (!d.isSuccessful() && !(d != Status.SKIPPED && d != Status.CANCELLED
                                && plan.step(dep).orElseThrow().spec().onFailure() == Step.OnFailure.CONTINUE)) {
                            blocker = Optional.of(dep);
                        }
                    }
                    if (!ready) {
                        continue;
                    }
                    if (abortReason != null || blocker.isPresent()) {
                        String why = abortReason != null ? abortReason : "dependency " + blocker.get() + " did not succeed";
                        status.put(id, Status.SKIPPED);
                        journal.append(EventType.STEP_FINISHED, id, null, Map.of("status", Status.SKIPPED.name(), "reason", why));
                        StepOutcome o = notRun(s, Status.SKIPPED, why);
                        outcomes.put(id, o);
                        options.progress().stepFinished(o);
                        submitted = true; // state changed: rescan
                        continue;
                    }
                    status.put(id, Status.RUNNING);
                    StepRun run = new StepRun(s, dryRunBlocked(s, status), options.clock());
                    inFlight.put(id, run);
                    // when a dependency runs again (it was reverted), every action of this step is re-probed
                    boolean depsDone = doneBefore.containsAll(s.spec().dependsOn());
                    done.submit(() -> steps.run(run, previous, depsDone));
                    running++;
                    submitted = true;
                }
                if (running == 0 && !submitted) {
                    break;
                }
                if (running > 0 && !submitted) {
                    StepOutcome o = take(done);
                    running--;
                    inFlight.remove(o.id());
                    status.put(o.id(), o.status());
                    outcomes.put(o.id(), o);
                    plan.step(o.id()).orElseThrow().actions().forEach(a -> changedSinceRules.addAll(a.effects()));
                    if (!o.status().isSuccessful() && abortReason == null
                            && plan.step(o.id()).orElseThrow().spec().onFailure() == Step.OnFailure.ABORT) {
                        abortReason = "run aborted after " + o.id() + " " + o.status().name().toLowerCase(Locale.ROOT);
                        for (StepRun r : inFlight.values()) {
                            r.abort(abortReason); // observers stop now; changing steps finish their current action
                        }
                    }
                    // Rules are evaluated only at quiescent points: no other step of this run is in flight,
                    // and this (the only) scheduling thread starts no step while evaluating. A step that
                    // finishes while others run is covered at the next quiescent point (at the latest after
                    // the last step). A dry run changes nothing, so the check before the first step suffices.
                    // Only the rules that read what those steps may have changed are evaluated again.
                    if (abortReason == null && running == 0 && !rules.isEmpty() && !options.dryRun()) {
                        refused = refuse(rules.evaluate("after " + o.id(), scope, changedSinceRules));
                        changedSinceRules.clear();
                        abortReason = refused ? STOPPED_BY_RULE : null;
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Status runStatus = refused ? Status.REFUSED : abortReason != null ? firstFailure(outcomes) : overall(outcomes);
        Map<String, Object> fin = new LinkedHashMap<>();
        fin.put("status", runStatus.name());
        List<String> bestEffort = bestEffortFailures(outcomes);
        if (runStatus == Status.COMPLETED_WITH_FAILURES) {
            fin.put("bestEffortFailures", bestEffort);
        }
        journal.append(EventType.RUN_FINISHED, fin);
        List<StepOutcome> ordered = new ArrayList<>();
        plan.steps().forEach(s -> Optional.ofNullable(outcomes.get(s.id())).ifPresent(ordered::add));
        return new RunResult(runId, runStatus, ordered, Duration.between(started, options.clock().instant()));
    }

    /**
     * The steps done in an earlier attempt that stay done: a step counts only when everything it depends on
     * counts too (plan order puts dependencies first), so after a rollback a check that followed a reverted
     * step runs again after the step is re-applied.
     */
    private Set<String> doneBefore(RunState previous) {
        Set<String> done = new HashSet<>();
        for (Plan.PlannedStep s : plan.steps()) {
            if (previous.step(s.id()).isDone() && done.containsAll(s.spec().dependsOn())) {
                done.add(s.id());
            }
        }
        return done;
    }

    /**
     * In a dry run, an observing step (a check, a wait) that depends, directly or not, on a step that
     * would have changed something cannot be evaluated: it would check a state the dry run did not make.
     */
    private Optional<String> dryRunBlocked(Plan.PlannedStep s, Map<String, Status> status) {
        if (!options.dryRun()) {
            return Optional.empty();
        }
        Deque<String> todo = new ArrayDeque<>(s.spec().dependsOn());
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String dep = todo.pop();
            if (!seen.add(dep)) {
                continue;
            }
            if (status.get(dep) == Status.WOULD_APPLY) {
                return Optional.of("depends on " + dep + ", which a dry run does not apply");
            }
            plan.step(dep).ifPresent(p -> todo.addAll(p.spec().dependsOn()));
        }
        return Optional.empty();
    }

    /** The outcome of a step this run did not start: done before, or skipped {@code why}. */
    private static StepOutcome notRun(Plan.PlannedStep s, Status status, String why) {
        return new StepOutcome(s.id(), s.type().name(), status, s.actions().size(), 0, Duration.ZERO, Optional.of(why));
    }

    /** True (stop the run) when there are violations the operator did not override. */
    private boolean refuse(List<RuleEvaluator.Violation> violations) {
        for (RuleEvaluator.Violation v : violations) {
            options.progress().detail("rule", v.rule(), "violated: " + redactor.redact(v.detail()));
        }
        return !violations.isEmpty();
    }

    /** Step runners never throw ({@link StepRunner#run}); an interrupt of the scheduler is the only way out. */
    private static StepOutcome take(CompletionService<StepOutcome> done) {
        try {
            return done.take().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for steps", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("step runner crashed", e.getCause());
        }
    }

    private static Status firstFailure(Map<String, StepOutcome> outcomes) {
        return outcomes.values().stream().map(StepOutcome::status)
                .filter(s -> s == Status.FAILED || s == Status.TIMED_OUT).findFirst().orElse(Status.FAILED);
    }

    /** Steps marked {@code onFailure: continue} that did not succeed, as {@code "id: STATUS"}. */
    private List<String> bestEffortFailures(Map<String, StepOutcome> outcomes) {
        List<String> out = new ArrayList<>();
        for (StepOutcome o : outcomes.values()) {
            if (!o.status().isSuccessful() && o.status() != Status.SKIPPED
                    && plan.step(o.id()).map(p -> p.spec().onFailure() == Step.OnFailure.CONTINUE).orElse(false)) {
                out.add(o.id() + ": " + o.status().name());
            }
        }
        return out;
    }

    private Status overall(Map<String, StepOutcome> outcomes) {
        if (outcomes.values().stream().anyMatch(o -> !o.status().isSuccessful())) {
            return Status.COMPLETED_WITH_FAILURES; // only best-effort steps can fail without aborting
        }
        boolean wouldApply = outcomes.values().stream().anyMatch(o -> o.status() == Status.WOULD_APPLY);
        return options.dryRun() && wouldApply ? Status.WOULD_APPLY : Status.SUCCEEDED;
    }

    /**
     * Reverts changed actions in reverse order of completion (skipping ones already reverted).
     * Observing actions never changed anything and are not reverted. Dry-run mode journals what would
     * be reverted and reverts nothing.
     */
    public RunResult rollback(RunState state) {
        return new Rollback(plan, runId, journal, options, redactor, this::scope).run(state);
    }

    /**
     * The hosts the run will reach over SSH, as its rules and actions declare them ({@code SafetyRule.sessions},
     * {@code Action.sessions}), about in the order it needs them: the rules' first (checked before the first
     * step), then each step's actions in plan order.
     */
    static Set<io.drctl.orchestrator.config.model.Host> contacts(Plan plan) {
        Set<io.drctl.orchestrator.config.model.Host> out = new java.util.LinkedHashSet<>();
        for (io.drctl.orchestrator.spi.RuleSpec r : plan.loaded().rules()) {
            plan.ruleTypes().find(r.type()).ifPresent(t -> out.addAll(t.sessions(r)));
        }
        for (Plan.PlannedStep s : plan.steps()) {
            s.actions().forEach(a -> out.addAll(a.sessions()));
        }
        return out;
    }

    private RunScope scope(HostAccess hosts) {
        return new RunScope(plan, options, hosts, runId, Optional.of(runDir), approvals, options.dryRun(),
                (step, action, fault, what, target) -> {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("fault", fault);
                    d.put("what", what);
                    d.put("contact", target); // "target" is the action's own (the journal line's)
                    d.put("detail", what + " to " + target + " not done: " + io.drctl.orchestrator.spi.LostTargets.message(fault));
                    if (step == null) {
                        journal.append(EventType.ACTION_SKIPPED_LOST, d);
                    } else {
                        journal.append(EventType.ACTION_SKIPPED_LOST, step, action, d);
                    }
                });
    }
}
