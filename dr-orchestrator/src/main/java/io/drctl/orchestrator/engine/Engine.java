package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.model.Inventory;
import io.drctl.orchestrator.model.Step;
import io.drctl.orchestrator.safety.RuleContext;
import io.drctl.orchestrator.safety.RuleEvaluator;
import io.drctl.orchestrator.safety.SafetyRules;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
import java.util.concurrent.atomic.AtomicBoolean;
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
     * Runs every step not already successful in {@code previous} (empty state for a fresh run).
     * Steps and actions that succeeded before are skipped; the rest are re-probed and completed.
     */
    public RunResult execute(RunState previous) {
        Instant started = options.clock().instant();
        Map<String, Status> status = new LinkedHashMap<>();
        Map<String, StepOutcome> outcomes = new LinkedHashMap<>();
        ExecutorService pool = Executors.newCachedThreadPool(daemon("drctl-step"));
        CompletionService<StepOutcome> done = new ExecutorCompletionService<>(pool);
        int running = 0;
        boolean aborted = false;
        boolean refused = false;
        RuleEvaluator rules = new RuleEvaluator(plan.loaded().rules(), SafetyRules.registry(), journal, options.overrides(),
                options.who());
        try (HostAccess hosts = options.hostAccess().apply(inventory())) {
            RuleContext ruleContext = ruleContext(hosts);
            if (!rules.isEmpty()) {
                // before the first step (run and resume; dry runs too: evaluation only reads)
                refused = refuse(rules.evaluate("before the first step", ruleContext));
                aborted = refused;
            }
            while (true) {
                boolean submitted = false;
                for (Plan.PlannedStep s : plan.steps()) {
                    String id = s.id();
                    if (status.containsKey(id)) {
                        continue;
                    }
                    Status before = previous.step(id);
                    if (before.isSuccessful() && before != Status.WOULD_APPLY) {
                        status.put(id, before);
                        journal.append("step.already-done", id, null, Map.of("status", before.name()));
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
                        } else if (!d.isSuccessful() && !(d != Status.SKIPPED
                                && plan.step(dep).orElseThrow().spec().onFailure() == Step.OnFailure.CONTINUE)) {
                            blocker = Optional.of(dep);
                        }
                    }
                    if (!ready) {
                        continue;
                    }
                    if (aborted || blocker.isPresent()) {
                        String why = refused ? "run stopped by a violated safety rule"
                                : aborted ? "run aborted after a failed step" : "dependency " + blocker.get() + " did not succeed";
                        status.put(id, Status.SKIPPED);
                        journal.append("step.finished", id, null, Map.of("status", Status.SKIPPED.name(), "reason", why));
                        StepOutcome o = new StepOutcome(id, s.type().name(), Status.SKIPPED, s.actions().size(), 0,
                                Duration.ZERO, Optional.of(why));
                        outcomes.put(id, o);
                        options.progress().stepFinished(o);
                        submitted = true; // state changed: rescan
                        continue;
                    }
                    status.put(id, Status.RUNNING);
                    done.submit(() -> runStep(s, previous, hosts));
                    running++;
                    submitted = true;
                }
                if (running == 0 && !submitted) {
                    break;
                }
                if (running > 0 && !submitted) {
                    StepOutcome o = take(done);
                    running--;
                    status.put(o.id(), o.status());
                    outcomes.put(o.id(), o);
                    if (!o.status().isSuccessful()
                            && plan.step(o.id()).orElseThrow().spec().onFailure() == Step.OnFailure.ABORT) {
                        aborted = true;
                    }
                    // Rules are evaluated only at quiescent points: no other step of this run is in flight,
                    // and this (the only) scheduling thread starts no step while evaluating. A step that
                    // finishes while others run is covered at the next quiescent point (at the latest after
                    // the last step). A dry run changes nothing, so the check before the first step suffices.
                    if (!aborted && running == 0 && !rules.isEmpty() && !options.dryRun()) {
                        refused = refuse(rules.evaluate("after " + o.id(), ruleContext));
                        aborted = refused;
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Status runStatus = refused ? Status.REFUSED : aborted ? firstFailure(outcomes) : overall(outcomes);
        journal.append("run.finished", Map.of("status", runStatus.name()));
        List<StepOutcome> ordered = new ArrayList<>();
        plan.steps().forEach(s -> Optional.ofNullable(outcomes.get(s.id())).ifPresent(ordered::add));
        return new RunResult(runId, runStatus, ordered, Duration.between(started, options.clock().instant()));
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

    private Status overall(Map<String, StepOutcome> outcomes) {
        boolean wouldApply = outcomes.values().stream().anyMatch(o -> o.status() == Status.WOULD_APPLY);
        return options.dryRun() && wouldApply ? Status.WOULD_APPLY : Status.SUCCEEDED;
    }

    private StepOutcome runStep(Plan.PlannedStep s, RunState previous, HostAccess hosts) {
        StepSpec spec = s.spec();
        Instant start = options.clock().instant();
        journal.append("step.started", spec.id(), null, Map.of("type", spec.type(), "targets", s.actions().size()));
        options.progress().stepStarted(spec.id(), spec.type(), s.actions().size());
        Cancellation cancel = new Cancellation(options.clock(), spec.timeout().map(start::plus), "step " + spec.id());
        int threads = Math.max(1, Math.min(spec.parallelism(), s.actions().size()));
        ExecutorService fan = Executors.newFixedThreadPool(threads, daemon("drctl-" + spec.id()));
        Map<Action, Future<Status>> futures = new LinkedHashMap<>();
        Map<Action, AtomicBoolean> finished = new HashMap<>();
        Map<String, String> errors = Collections.synchronizedMap(new LinkedHashMap<>());
        Map<Action, Status> results = new LinkedHashMap<>();
        try {
            for (Action a : s.actions()) {
                Status before = previous.action(spec.id(), a.target());
                if (before.isSuccessful() && before != Status.WOULD_APPLY) {
                    journal.append("action.already-done", spec.id(), a.target(), Map.of("status", before.name()));
                    results.put(a, before);
                    continue;
                }
                AtomicBoolean flag = new AtomicBoolean();
                finished.put(a, flag);
                futures.put(a, fan.submit(() -> runAction(spec, a, cancel, hosts, flag, errors)));
            }
            for (Map.Entry<Action, Future<Status>> f : futures.entrySet()) {
                results.put(f.getKey(), await(spec, f.getKey(), f.getValue(), cancel, finished.get(f.getKey()), errors));
            }
        } finally {
            cancel.cancel();
            fan.shutdownNow();
        }
        Status st = stepStatus(results.values());
        int changed = (int) results.values().stream().filter(x -> x == Status.SUCCEEDED).count()
                - (int) s.actions().stream().filter(a -> previous.action(spec.id(), a.target()) == Status.SUCCEEDED).count();
        Duration took = Duration.between(start, options.clock().instant());
        Optional<String> err = errors.values().stream().findFirst();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", st.name());
        data.put("durationMs", took.toMillis());
        err.ifPresent(e -> data.put("error", e));
        journal.append("step.finished", spec.id(), null, data);
        StepOutcome o = new StepOutcome(spec.id(), spec.type(), st, s.actions().size(), Math.max(0, changed), took, err);
        options.progress().stepFinished(o);
        return o;
    }

    private Status await(StepSpec spec, Action a, Future<Status> f, Cancellation cancel, AtomicBoolean flag,
                         Map<String, String> errors) {
        try {
            if (cancel.deadline().isPresent()) {
                long ms = Math.max(1, cancel.remaining(Duration.ofDays(1)).toMillis());
                try {
                    return f.get(ms, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    cancel.cancel();
                    f.cancel(true);
                    try {
                        return f.get(5, TimeUnit.SECONDS);
                    } catch (TimeoutException | java.util.concurrent.CancellationException e2) {
                        String msg = a.target() + ": step timeout " + spec.timeout().orElseThrow().toSeconds() + "s expired";
                        finish(spec, a, flag, Status.TIMED_OUT, msg, errors);
                        return Status.TIMED_OUT;
                    }
                }
            }
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(spec, a, flag, Status.FAILED, "interrupted", errors);
            return Status.FAILED;
        } catch (ExecutionException e) {
            finish(spec, a, flag, Status.FAILED, "internal error: " + e.getCause(), errors);
            return Status.FAILED;
        }
    }

    private static Status stepStatus(java.util.Collection<Status> actions) {
        if (actions.contains(Status.TIMED_OUT)) {
            return Status.TIMED_OUT;
        }
        if (actions.contains(Status.FAILED)) {
            return Status.FAILED;
        }
        if (actions.contains(Status.WOULD_APPLY)) {
            return Status.WOULD_APPLY;
        }
        if (!actions.isEmpty() && actions.stream().allMatch(s -> s == Status.SATISFIED)) {
            return Status.SATISFIED;
        }
        return Status.SUCCEEDED;
    }

    private void finish(StepSpec spec, Action a, AtomicBoolean flag, Status st, String error, Map<String, String> errors) {
        if (!flag.compareAndSet(false, true)) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", st.name());
        if (error != null) {
            String e = redactor.redact(error);
            data.put("error", e);
            errors.putIfAbsent(a.target(), e);
        }
        journal.append("action.finished", spec.id(), a.target(), data);
    }

    private Status runAction(StepSpec spec, Action a, Cancellation cancel, HostAccess hosts, AtomicBoolean flag,
                             Map<String, String> errors) {
        String step = spec.id();
        String target = a.target();
        journal.append("action.started", step, target, Map.of("description", a.description()));
        Step.RetryPolicy retry = spec.retry();
        for (int attempt = 1; ; attempt++) {
            Ctx ctx = new Ctx(step, target, attempt, hosts, cancel);
            try {
                cancel.check();
                Probe p = a.probe(ctx);
                journal.append("action.probed", step, target, Map.of("state", p.state().name(), "current", p.current(),
                        "desired", p.desired()));
                if (p.isSatisfied()) {
                    Verified v = a.verify(ctx);
                    journal.append("action.verified", step, target, Map.of("ok", v.ok(), "detail", v.detail()));
                    if (!v.ok()) {
                        throw new StepFailure(v.detail(), true);
                    }
                    finish(spec, a, flag, Status.SATISFIED, null, errors);
                    return Status.SATISFIED;
                }
                if (!mayChange("action.would-apply", step, target, Map.of("description", a.description()))) {
                    finish(spec, a, flag, Status.WOULD_APPLY, null, errors);
                    return Status.WOULD_APPLY;
                }
                journal.append("action.applying", step, target, Map.of("attempt", attempt));
                Applied applied = a.apply(ctx);
                Map<String, Object> ad = new LinkedHashMap<>();
                ad.put("summary", applied.summary());
                if (!applied.output().isBlank()) {
                    String out = applied.output();
                    ad.put("output", out.length() > OUTPUT_LIMIT ? "…" + out.substring(out.length() - OUTPUT_LIMIT) : out);
                }
                journal.append("action.applied", step, target, ad);
                Verified v = a.verify(ctx);
                journal.append("action.verified", step, target, Map.of("ok", v.ok(), "detail", v.detail()));
                if (!v.ok()) {
                    throw new StepFailure(v.detail(), true);
                }
                finish(spec, a, flag, Status.SUCCEEDED, null, errors);
                return Status.SUCCEEDED;
            } catch (CancelledException e) {
                Status st = e.timedOut() || cancel.deadline().isPresent() ? Status.TIMED_OUT : Status.FAILED;
                finish(spec, a, flag, st, target + ": " + e.getMessage(), errors);
                return st;
            } catch (Exception e) {
                Failures.Failure f = Failures.classify(e);
                String msg = f.message().startsWith(target) ? f.message() : target + ": " + f.message();
                journal.append("action.attempt-failed", step, target, Map.of("attempt", attempt, "error", msg,
                        "retriable", f.retriable()));
                if (f.retriable() && attempt < retry.attempts() && !cancel.isCancelled()) {
                    Duration pause = retry.pauseBefore(attempt + 1);
                    journal.append("action.retrying", step, target, Map.of("nextAttempt", attempt + 1, "pauseMs", pause.toMillis()));
                    try {
                        cancel.pause(pause);
                    } catch (CancelledException ce) {
                        finish(spec, a, flag, Status.TIMED_OUT, msg + " (then " + ce.getMessage() + ")", errors);
                        return Status.TIMED_OUT;
                    }
                    continue;
                }
                // a command killed by its (step-deadline-bounded) timeout is the step timing out
                Status st = cancel.deadline().isPresent() && cancel.isCancelled() ? Status.TIMED_OUT : Status.FAILED;
                finish(spec, a, flag, st, msg + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), errors);
                return st;
            }
        }
    }

    /**
     * The dry-run gate: the one place that decides whether a side effect (apply, revert) may happen.
     * In a dry run it journals {@code wouldEvent} instead and returns false.
     */
    private boolean mayChange(String wouldEvent, String step, String target, Map<String, ?> data) {
        if (options.dryRun()) {
            journal.append(wouldEvent, step, target, data);
            return false;
        }
        return true;
    }

    /**
     * Reverts changed actions in reverse order of completion (skipping ones already reverted).
     * Dry-run mode journals what would be reverted and reverts nothing.
     */
    public RunResult rollback(RunState state) {
        Instant started = options.clock().instant();
        journal.append("rollback.started", Map.of("user", options.who(), "dryRun", options.dryRun()));
        List<String[]> todo = new ArrayList<>(state.changedInOrder());
        Collections.reverse(todo);
        Map<String, StepOutcome> outcomes = new LinkedHashMap<>();
        Status overall = Status.REVERTED;
        try (HostAccess hosts = options.hostAccess().apply(inventory())) {
            for (String[] c : todo) {
                Plan.PlannedStep s = plan.step(c[0]).orElse(null);
                Action a = s == null ? null : s.actions().stream().filter(x -> x.target().equals(c[1])).findFirst().orElse(null);
                if (a == null) {
                    journal.append("action.not-revertible", c[0], c[1], Map.of("detail", "no longer in the plan"));
                    continue;
                }
                Instant t0 = options.clock().instant();
                options.progress().stepStarted(c[0] + " (revert " + c[1] + ")", s.type().name(), 1);
                Status st;
                Optional<String> err = Optional.empty();
                if (!mayChange("action.would-revert", c[0], c[1], Map.of("revertible", a.revertible()))) {
                    st = Status.WOULD_APPLY;
                } else if (!a.revertible()) {
                    journal.append("action.not-revertible", c[0], c[1], Map.of("detail", a.description() + " has no revert"));
                    st = Status.NOT_REVERTIBLE;
                } else {
                    journal.append("action.reverting", c[0], c[1], Map.of());
                    Cancellation cancel = new Cancellation(options.clock(), s.spec().timeout().map(t0::plus), "revert " + c[0]);
                    try {
                        Reverted r = a.revert(new Ctx(c[0], c[1], 1, hosts, cancel));
                        journal.append(r.reverted() ? "action.reverted" : "action.not-revertible", c[0], c[1],
                                Map.of("detail", r.detail()));
                        st = r.reverted() ? Status.REVERTED : Status.NOT_REVERTIBLE;
                    } catch (Exception e) {
                        String msg = redactor.redact(Failures.classify(e).message());
                        journal.append("action.revert-failed", c[0], c[1], Map.of("error", msg));
                        st = Status.FAILED;
                        err = Optional.of(msg);
                    }
                }
                StepOutcome o = new StepOutcome(c[0] + " " + c[1], s.type().name(), st, 1, st == Status.REVERTED ? 1 : 0,
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
        journal.append("rollback.finished", Map.of("status", overall.name()));
        return new RunResult(runId, overall, new ArrayList<>(outcomes.values()), Duration.between(started, options.clock().instant()));
    }

    private final class Ctx implements ActionContext {
        private final String step;
        private final String target;
        private final int attempt;
        private final HostAccess hosts;
        private final Cancellation cancel;

        Ctx(String step, String target, int attempt, HostAccess hosts, Cancellation cancel) {
            this.step = step;
            this.target = target;
            this.attempt = attempt;
            this.hosts = hosts;
            this.cancel = cancel;
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
            return line -> options.progress().detail(step, target, redactor.redact(line));
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
            journal.append("action.note", step, target, Map.of("key", key, "value", value));
        }
    }
}
