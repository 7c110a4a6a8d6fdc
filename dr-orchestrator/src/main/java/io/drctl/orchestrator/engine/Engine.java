package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.spi.Failures;
import io.drctl.orchestrator.journal.FileApprovals;
import io.drctl.orchestrator.journal.ActionKey;
import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Step;
import io.drctl.orchestrator.spi.RuleContext;
import io.drctl.orchestrator.engine.RuleEvaluator;
import io.drctl.orchestrator.spi.SafetyRules;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Approvals;
import io.drctl.orchestrator.spi.Cancellation;
import io.drctl.orchestrator.spi.CancelledException;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.Reverted;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.StepLog;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.Verified;
import io.drctl.orchestrator.config.yaml.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Executes a {@link Plan}: steps in DAG order (independent steps in parallel), each step's actions
 * fanned out with bounded parallelism, with per-step timeout, per-action retry/backoff and
 * {@code onFailure}. Every transition is journaled (and fsync'd) before the side effect it announces.
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
    private static final int OUTPUT_LIMIT = 2000;
    /** How often a waiting step looks at its deadline and the run's abort signal. */
    private static final Duration POLL = Duration.ofMillis(50);
    /** How long a cancelled action may take to end by itself before it is interrupted. */
    private static final Duration GRACE = Duration.ofMillis(500);

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

    private Inventory inventory() {
        return plan.loaded().inventory();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
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
        java.util.Set<String> doneBefore = doneBefore(previous);
        ExecutorService pool = Executors.newCachedThreadPool(daemon("drctl-step"));
        CompletionService<StepOutcome> done = new ExecutorCompletionService<>(pool);
        int running = 0;
        String abortReason = null;
        boolean refused = false;
        RuleEvaluator rules = new RuleEvaluator(plan.loaded().rules(), plan.ruleTypes(), journal, options.overrides(),
                options.who());
        try (HostAccess hosts = options.hostAccess().apply(inventory())) {
            RuleContext ruleContext = ruleContext(hosts);
            if (!rules.isEmpty()) {
                // before the first step (run and resume; dry runs too: evaluation only reads)
                refused = refuse(rules.evaluate("before the first step", ruleContext));
                abortReason = refused ? "run stopped by a violated safety rule" : null;
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
                        outcomes.put(id, new StepOutcome(id, s.type().name(), before, s.actions().size(), 0, Duration.ZERO,
                                Optional.of("done in an earlier attempt")));
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
                        StepOutcome o = new StepOutcome(id, s.type().name(), Status.SKIPPED, s.actions().size(), 0,
                                Duration.ZERO, Optional.of(why));
                        outcomes.put(id, o);
                        options.progress().stepFinished(o);
                        submitted = true; // state changed: rescan
                        continue;
                    }
                    status.put(id, Status.RUNNING);
                    StepRun run = new StepRun(s, dryRunBlocked(s, status));
                    inFlight.put(id, run);
                    // when a dependency runs again (it was reverted), every action of this step is re-probed
                    boolean depsDone = doneBefore.containsAll(s.spec().dependsOn());
                    done.submit(() -> runStepSafely(run, previous, depsDone, hosts));
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
                    if (abortReason == null && running == 0 && !rules.isEmpty() && !options.dryRun()) {
                        refused = refuse(rules.evaluate("after " + o.id(), ruleContext));
                        abortReason = refused ? "run stopped by a violated safety rule" : null;
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
    private java.util.Set<String> doneBefore(RunState previous) {
        java.util.Set<String> done = new java.util.HashSet<>();
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
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(s.spec().dependsOn());
        java.util.Set<String> seen = new java.util.HashSet<>();
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

    /** True (stop the run) when there are violations the operator did not override. */
    private boolean refuse(List<RuleEvaluator.Violation> violations) {
        for (RuleEvaluator.Violation v : violations) {
            options.progress().detail("rule", v.rule(), "violated: " + redactor.redact(v.detail()));
        }
        return !violations.isEmpty();
    }

    private RuleContext ruleContext(HostAccess hosts) {
        return new RuleContext() {
            @Override
            public Inventory inventory() {
                return Engine.this.inventory();
            }

            @Override
            public Map<String, String> params() {
                return plan.loaded().params();
            }

            @Override
            public HostAccess hosts() {
                return hosts;
            }

            @Override
            public java.time.Clock clock() {
                return options.clock();
            }

            @Override
            public Map<String, String> env() {
                return options.env();
            }
        };
    }

    /** Step runners never throw ({@link #runStepSafely}); an interrupt of the scheduler is the only way out. */
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

    /** One step in flight: its deadline, and the run's abort signal as it reaches the step. */
    private final class StepRun {
        final Plan.PlannedStep step;
        final Cancellation cancel;
        final boolean observing;
        final Optional<String> dryRunBlocked;
        volatile String aborted;

        StepRun(Plan.PlannedStep step, Optional<String> dryRunBlocked) {
            this.step = step;
            this.cancel = new Cancellation(options.clock(), step.spec().timeout().map(options.clock().instant()::plus),
                    "step " + step.id());
            this.observing = step.actions().stream().noneMatch(Action::changes);
            this.dryRunBlocked = dryRunBlocked;
        }

        /** The run aborts: an observing step is cancelled at once; a changing one starts no further action or attempt. */
        void abort(String why) {
            aborted = why;
            if (observing) {
                cancel.cancel();
            }
        }
    }

    /** The journal of one action: nothing is written for it after its {@code action.finished}. */
    private final class ActionRun {
        final ActionKey key;
        final Action action;
        private boolean finished;
        private Status status;

        ActionRun(ActionKey key, Action action) {
            this.key = key;
            this.action = action;
        }

        synchronized boolean log(EventType event, Map<String, ?> data) {
            if (finished) {
                return false;
            }
            journal.append(event, key.step(), key.target(), data);
            return true;
        }

        /** Journals {@code action.finished} once; returns the status that stands. */
        synchronized Status finish(Status st, String error, Map<String, String> errors) {
            if (finished) {
                return status;
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("status", st.name());
            if (error != null) {
                String e = redactor.redact(error);
                data.put("error", e);
                errors.putIfAbsent(key.target(), e);
            }
            journal.append(EventType.ACTION_FINISHED, key.step(), key.target(), data);
            finished = true;
            status = st;
            return st;
        }
    }

    private StepOutcome runStepSafely(StepRun run, RunState previous, boolean depsDone, HostAccess hosts) {
        Instant start = options.clock().instant();
        try {
            return runStep(run, previous, depsDone, hosts);
        } catch (RuntimeException | Error e) {
            // a bug in a step type or the engine must still end the step in the journal, never the run
            String msg = "internal error in step " + run.step.id() + ": " + e;
            try {
                journal.append(EventType.STEP_FINISHED, run.step.id(), null, Map.of("status", Status.FAILED.name(), "error",
                        redactor.redact(msg)));
            } catch (RuntimeException journalBroken) {
                e.addSuppressed(journalBroken);
            }
            StepOutcome o = new StepOutcome(run.step.id(), run.step.type().name(), Status.FAILED, run.step.actions().size(), 0,
                    Duration.between(start, options.clock().instant()), Optional.of(redactor.redact(msg)));
            options.progress().stepFinished(o);
            return o;
        }
    }

    private StepOutcome runStep(StepRun run, RunState previous, boolean depsDone, HostAccess hosts) {
        Plan.PlannedStep s = run.step;
        StepSpec spec = s.spec();
        Instant start = options.clock().instant();
        journal.append(EventType.STEP_STARTED, spec.id(), null, Map.of("type", spec.type(), "targets", s.actions().size()));
        options.progress().stepStarted(spec.id(), spec.type(), s.actions().size());
        int threads = Math.max(1, Math.min(spec.parallelism(), s.actions().size()));
        ExecutorService fan = Executors.newFixedThreadPool(threads, daemon("drctl-" + spec.id()));
        Map<ActionRun, Future<Status>> futures = new LinkedHashMap<>();
        Map<String, String> errors = Collections.synchronizedMap(new LinkedHashMap<>());
        Map<ActionRun, Status> results = new LinkedHashMap<>();
        try {
            for (Action a : s.actions()) {
                ActionRun ar = new ActionRun(new ActionKey(spec.id(), a.target()), a);
                Status before = previous.action(ar.key);
                if (before.isDone() && depsDone) {
                    journal.append(EventType.ACTION_ALREADY_DONE, spec.id(), a.target(), Map.of("status", before.name()));
                    results.put(ar, before);
                    continue;
                }
                boolean fateUnknown = previous.fateUnknown().contains(ar.key);
                futures.put(ar, fan.submit(() -> runAction(run, ar, hosts, errors, fateUnknown ? previous : null)));
            }
            for (Map.Entry<ActionRun, Future<Status>> f : futures.entrySet()) {
                results.put(f.getKey(), await(run, f.getKey(), f.getValue(), errors));
            }
        } finally {
            run.cancel.cancel();
            fan.shutdownNow();
        }
        Status st = stepStatus(results.values());
        int changed = (int) futures.keySet().stream().filter(ar -> ar.action.changes() && results.get(ar) == Status.SUCCEEDED)
                .count();
        Duration took = Duration.between(start, options.clock().instant());
        Optional<String> err = errors.values().stream().findFirst();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", st.name());
        data.put("durationMs", took.toMillis());
        err.ifPresent(e -> data.put("error", e));
        journal.append(EventType.STEP_FINISHED, spec.id(), null, data);
        StepOutcome o = new StepOutcome(spec.id(), spec.type(), st, s.actions().size(), changed, took, err);
        options.progress().stepFinished(o);
        return o;
    }

    /**
     * Waits for one action, polling so that the step deadline and the run's abort are seen within
     * {@link #POLL}: past the deadline (or on abort, for an observing step) the action is cancelled,
     * given {@link #GRACE} to end by itself, then interrupted and journaled as timed out (cancelled).
     */
    private Status await(StepRun run, ActionRun ar, Future<Status> f, Map<String, String> errors) {
        try {
            while (true) {
                try {
                    return f.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    boolean timedOut = run.cancel.deadline().map(d -> !options.clock().instant().isBefore(d)).orElse(false);
                    boolean abortNow = run.aborted != null && (run.observing || !ar.action.changes());
                    if (timedOut || abortNow) {
                        run.cancel.cancel();
                        try {
                            return f.get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (TimeoutException | java.util.concurrent.CancellationException e2) {
                            f.cancel(true);
                            return timedOut
                                    ? ar.finish(Status.TIMED_OUT, ar.key.target() + ": step timeout "
                                            + Durations.format(run.step.spec().timeout().orElseThrow())
                                            + " expired; the action did not stop within " + GRACE.toMillis() + " ms and was interrupted",
                                            errors)
                                    : ar.finish(Status.CANCELLED, ar.key.target() + ": cancelled: " + run.aborted, errors);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ar.finish(Status.FAILED, "interrupted", errors);
        } catch (ExecutionException e) {
            return ar.finish(Status.FAILED, "internal error: " + e.getCause(), errors);
        }
    }

    private static Status stepStatus(java.util.Collection<Status> actions) {
        for (Status worst : List.of(Status.TIMED_OUT, Status.FAILED, Status.CANCELLED, Status.SKIPPED, Status.WOULD_APPLY)) {
            if (actions.contains(worst)) {
                return worst;
            }
        }
        if (!actions.isEmpty() && actions.stream().allMatch(s -> s == Status.SATISFIED)) {
            return Status.SATISFIED;
        }
        return Status.SUCCEEDED;
    }

    /**
     * One action: probe, then (unless satisfied) apply and verify, with retries. {@code fateUnknownIn}
     * is the earlier state when an earlier attempt was cut off while applying.
     */
    private Status runAction(StepRun run, ActionRun ar, HostAccess hosts, Map<String, String> errors,
                             RunState fateUnknownIn) {
        String step = ar.key.step();
        String target = ar.key.target();
        Action a = ar.action;
        Cancellation cancel = run.cancel;
        if (run.aborted != null) {
            return ar.finish(Status.SKIPPED, target + ": not started: " + run.aborted, errors);
        }
        ar.log(EventType.ACTION_STARTED, Map.of("description", a.description(), "changes", a.changes()));
        if (options.dryRun() && run.dryRunBlocked.isPresent()) {
            ar.log(EventType.ACTION_WOULD_APPLY, Map.of("description", a.description(), "detail", run.dryRunBlocked.get()));
            return ar.finish(Status.WOULD_APPLY, null, errors);
        }
        boolean confirmAgain = fateUnknownIn != null && a.changes() && !a.stopsWithDrctl();
        if (fateUnknownIn != null) {
            ar.log(EventType.ACTION_FATE_UNKNOWN, Map.of("detail", "an earlier attempt was applying when drctl stopped"
                    + stillRunning(fateUnknownIn) + (a.stopsWithDrctl()
                    ? "; its local command ended with that drctl (own process group); re-probing"
                    : "; whatever it started may still be running or may have happened; re-probing, and asking before applying again")));
        }
        Step.RetryPolicy retry = run.step.spec().retry();
        String lastError = null;
        for (int attempt = 1; ; attempt++) {
            Ctx ctx = new Ctx(step, target, attempt, hosts, cancel, ar);
            try {
                cancel.check();
                Probe p = a.probe(ctx);
                ar.log(EventType.ACTION_PROBED, Map.of("state", p.state().name(), "current", p.current(), "desired", p.desired()));
                if (p.isSatisfied()) {
                    Verified v = a.verify(ctx);
                    ar.log(EventType.ACTION_VERIFIED, Map.of("ok", v.ok(), "detail", v.detail()));
                    if (!v.ok()) {
                        throw new StepFailure(v.detail(), true);
                    }
                    return ar.finish(Status.SATISFIED, null, errors);
                }
                if (a.changes() && !mayChange(ar)) {
                    return ar.finish(Status.WOULD_APPLY, null, errors);
                }
                if (confirmAgain) {
                    confirmAgain = false;
                    if (!confirmReapply(ar, p)) {
                        return ar.finish(Status.FAILED, target + ": an earlier attempt was cut off while applying and the probe"
                                + " shows " + p.state().name().toLowerCase(Locale.ROOT) + " (" + p.current()
                                + "); not applied again without confirmation: check the target, then resume with --yes", errors);
                    }
                }
                if (run.aborted != null && attempt > 1) {
                    return ar.finish(Status.FAILED, target + ": no further attempt: " + run.aborted, errors);
                }
                ar.log(EventType.ACTION_APPLYING, Map.of("attempt", attempt));
                Applied applied = a.apply(ctx);
                Map<String, Object> ad = new LinkedHashMap<>();
                ad.put("summary", applied.summary());
                if (!applied.output().isBlank()) {
                    String out = applied.output();
                    ad.put("output", out.length() > OUTPUT_LIMIT ? "…" + out.substring(out.length() - OUTPUT_LIMIT) : out);
                }
                ar.log(EventType.ACTION_APPLIED, ad);
                Verified v = a.verify(ctx);
                ar.log(EventType.ACTION_VERIFIED, Map.of("ok", v.ok(), "detail", v.detail()));
                if (!v.ok()) {
                    throw new StepFailure(v.detail(), true);
                }
                return ar.finish(Status.SUCCEEDED, null, errors);
            } catch (CancelledException e) {
                Status st = cancelledStatus(run, e);
                return ar.finish(st, target + ": " + cancelMessage(run, st, attempt, lastError), errors);
            } catch (Exception e) {
                Failures.Failure f = Failures.classify(e);
                String msg = f.message().startsWith(target) ? f.message() : target + ": " + f.message();
                lastError = msg;
                ar.log(EventType.ACTION_ATTEMPT_FAILED, Map.of("attempt", attempt, "error", msg, "retriable", f.retriable()));
                if (f.retriable() && attempt < retry.attempts() && !cancel.isCancelled() && run.aborted == null) {
                    Duration pause = retry.pauseBefore(attempt + 1);
                    ar.log(EventType.ACTION_RETRYING, Map.of("nextAttempt", attempt + 1, "pauseMs", pause.toMillis()));
                    try {
                        cancel.pause(pause);
                    } catch (CancelledException ce) {
                        Status st = cancelledStatus(run, ce);
                        return ar.finish(st, target + ": " + cancelMessage(run, st, attempt, lastError), errors);
                    }
                    continue;
                }
                // a command killed by its (step-deadline-bounded) timeout is the step timing out
                if (cancel.isCancelled()) {
                    Status st = cancelledStatus(run, null);
                    return ar.finish(st, target + ": " + cancelMessage(run, st, attempt, lastError), errors);
                }
                return ar.finish(Status.FAILED, msg + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), errors);
            }
        }
    }

    private static String cancelMessage(StepRun run, Status st, int attempt, String lastError) {
        String why = st == Status.TIMED_OUT
                ? "step timeout " + run.step.spec().timeout().map(Durations::format).orElse("") + " expired"
                : st == Status.CANCELLED ? "cancelled: " + run.aborted : "cancelled";
        return why + " during attempt " + attempt + (lastError == null ? "" : "; last error: " + lastError);
    }

    /** Why a cancellation ended an action: the step deadline, or the run aborting (observers). */
    private Status cancelledStatus(StepRun run, CancelledException e) {
        if (e != null && e.timedOut()) {
            return Status.TIMED_OUT;
        }
        if (run.aborted != null) {
            return Status.CANCELLED;
        }
        return run.cancel.deadline().isPresent() ? Status.TIMED_OUT : Status.FAILED;
    }

    private static String stillRunning(RunState earlier) {
        List<Long> alive = earlier.pids().stream().filter(p -> p != ProcessHandle.current().pid())
                .filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).toList();
        return alive.isEmpty() ? "" : " (a drctl process with pid " + alive + " is still running on this machine)";
    }

    /** The operator confirms applying again an action whose earlier attempt's fate is unknown ({@code --yes} answers). */
    private boolean confirmReapply(ActionRun ar, Probe p) {
        String question = ar.key + ": an earlier attempt was cut off while applying; the probe now shows "
                + p.current() + ". Apply again? [y/N] ";
        boolean yes = options.assumeYes()
                || options.prompt().flatMap(q -> q.apply(question)).orElse(false);
        ar.log(EventType.ACTION_NOTE, Map.of("key", "reapplyConfirmed", "value", yes ? (options.assumeYes() ? "--yes" : "prompt")
                : "no"));
        return yes;
    }

    /**
     * The dry-run gate: the one place that decides whether a side effect (apply, revert) may happen.
     * In a dry run it journals {@code action.would-apply} instead and returns false.
     */
    private boolean mayChange(ActionRun ar) {
        if (options.dryRun()) {
            ar.log(EventType.ACTION_WOULD_APPLY, Map.of("description", ar.action.description()));
            return false;
        }
        return true;
    }

    /**
     * Reverts changed actions in reverse order of completion (skipping ones already reverted).
     * Observing actions never changed anything and are not reverted. Dry-run mode journals what would
     * be reverted and reverts nothing.
     */
    public RunResult rollback(RunState state) {
        Instant started = options.clock().instant();
        journal.append(EventType.ROLLBACK_STARTED, Map.of("user", options.who(), "dryRun", options.dryRun()));
        List<ActionKey> todo = new ArrayList<>(state.changedInOrder());
        Collections.reverse(todo);
        Map<String, StepOutcome> outcomes = new LinkedHashMap<>();
        Status overall = Status.REVERTED;
        try (HostAccess hosts = options.hostAccess().apply(inventory())) {
            for (ActionKey c : todo) {
                Plan.PlannedStep s = plan.step(c.step()).orElse(null);
                Action a = s == null ? null
                        : s.actions().stream().filter(x -> x.target().equals(c.target())).findFirst().orElse(null);
                if (a == null) {
                    journal.append(EventType.ACTION_NOT_REVERTIBLE, c.step(), c.target(), Map.of("detail", "no longer in the plan"));
                    continue;
                }
                if (!a.changes()) {
                    continue;
                }
                Instant t0 = options.clock().instant();
                options.progress().stepStarted(c.step() + " (revert " + c.target() + ")", s.type().name(), 1);
                Status st;
                Optional<String> err = Optional.empty();
                if (options.dryRun()) {
                    journal.append(EventType.ACTION_WOULD_REVERT, c.step(), c.target(), Map.of("revertible", a.revertible()));
                    st = Status.WOULD_APPLY;
                } else if (!a.revertible()) {
                    journal.append(EventType.ACTION_NOT_REVERTIBLE, c.step(), c.target(),
                            Map.of("detail", a.description() + " has no revert"));
                    st = Status.NOT_REVERTIBLE;
                } else {
                    journal.append(EventType.ACTION_REVERTING, c.step(), c.target(), Map.of());
                    Cancellation cancel = new Cancellation(options.clock(), s.spec().timeout().map(t0::plus),
                            "revert " + c.step());
                    try {
                        Reverted r = a.revert(new Ctx(c.step(), c.target(), 1, hosts, cancel, null));
                        journal.append(r.reverted() ? EventType.ACTION_REVERTED : EventType.ACTION_NOT_REVERTIBLE, c.step(),
                                c.target(), Map.of("detail", r.detail()));
                        st = r.reverted() ? Status.REVERTED : Status.NOT_REVERTIBLE;
                    } catch (Exception e) {
                        String msg = redactor.redact(Failures.classify(e).message());
                        journal.append(EventType.ACTION_REVERT_FAILED, c.step(), c.target(), Map.of("error", msg));
                        st = Status.FAILED;
                        err = Optional.of(msg);
                    }
                }
                StepOutcome o = new StepOutcome(c.toString(), s.type().name(), st, 1, st == Status.REVERTED ? 1 : 0,
                        Duration.between(t0, options.clock().instant()), err);
                outcomes.put(o.id(), o);
                options.progress().stepFinished(o);
                if (st == Status.FAILED) {
                    overall = Status.FAILED;
                    break;
                }
                if (st == Status.NOT_REVERTIBLE && overall == Status.REVERTED) {
                    overall = Status.NOT_REVERTIBLE;
                }
            }
        }
        if (options.dryRun()) {
            overall = Status.WOULD_APPLY;
        }
        journal.append(EventType.ROLLBACK_FINISHED, Map.of("status", overall.name()));
        return new RunResult(runId, overall, new ArrayList<>(outcomes.values()), Duration.between(started, options.clock().instant()));
    }

    private final class Ctx implements ActionContext {
        private final String step;
        private final String target;
        private final int attempt;
        private final HostAccess hosts;
        private final Cancellation cancel;
        private final ActionRun run;

        Ctx(String step, String target, int attempt, HostAccess hosts, Cancellation cancel, ActionRun run) {
            this.step = step;
            this.target = target;
            this.attempt = attempt;
            this.hosts = hosts;
            this.cancel = cancel;
            this.run = run;
        }

        @Override
        public boolean dryRun() {
            return options.dryRun();
        }

        @Override
        public String runId() {
            return runId;
        }

        @Override
        public String stepId() {
            return step;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public Inventory inventory() {
            return Engine.this.inventory();
        }

        @Override
        public Map<String, String> params() {
            return plan.loaded().params();
        }

        @Override
        public HostAccess hosts() {
            return hosts;
        }

        @Override
        public java.time.Clock clock() {
            return options.clock();
        }

        @Override
        public Cancellation cancellation() {
            return cancel;
        }

        @Override
        public StepLog log() {
            return new StepLog() {
                @Override
                public void info(String line) {
                    options.progress().detail(step, target, redactor.redact(line));
                }

                @Override
                public void notice(String line) {
                    String shown = redactor.redact(line);
                    options.progress().notice(step, target, shown);
                    note("notice", shown); // what the operator was told is in the journal too
                }
            };
        }

        @Override
        public Map<String, String> env() {
            return options.env();
        }

        @Override
        public Approvals approvals() {
            return approvals;
        }

        @Override
        public Optional<Path> runDir() {
            return Optional.of(runDir);
        }

        @Override
        public void note(String key, String value) {
            Map<String, Object> data = Map.of("key", key, "value", value);
            if (run != null) {
                run.log(EventType.ACTION_NOTE, data);
            } else {
                journal.append(EventType.ACTION_NOTE, step, target, data);
            }
        }
    }
}
