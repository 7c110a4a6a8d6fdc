package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.journal.ActionKey;
import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.StepSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one step: journals {@code step.started}, fans its actions out with the step's parallelism
 * (each through {@link ActionRunner}), holds them to the step deadline and the run's abort, and
 * journals {@code step.finished}. Never throws: a crash inside still ends the step as FAILED.
 */
final class StepRunner {
    /** How often a waiting step looks at its deadline and the run's abort signal. */
    private static final Duration POLL = Duration.ofMillis(50);
    /** How long a cancelled action may take to end by itself before it is interrupted. */
    private static final Duration GRACE = Duration.ofMillis(500);

    private final Journal journal;
    private final EngineOptions options;
    private final Redactor redactor;
    private final ActionRunner actions;

    StepRunner(Journal journal, EngineOptions options, Redactor redactor, ActionRunner actions) {
        this.journal = journal;
        this.options = options;
        this.redactor = redactor;
        this.actions = actions;
    }

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Runs {@code run}'s step; actions done in {@code previous} stay done unless {@code depsDone} is false
     * (a dependency runs again, so every action is re-probed).
     */
    StepOutcome run(StepRun run, RunState previous, boolean depsDone) {
        Instant start = options.clock().instant();
        try {
            return runStep(run, previous, depsDone);
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

    private StepOutcome runStep(StepRun run, RunState previous, boolean depsDone) {
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
                ActionRun ar = new ActionRun(new ActionKey(spec.id(), a.target()), a, journal, redactor);
                Status before = previous.action(ar.key);
                if (before.isDone() && depsDone) {
                    journal.append(EventType.ACTION_ALREADY_DONE, spec.id(), a.target(), Map.of("status", before.name()));
                    results.put(ar, before);
                    continue;
                }
                boolean fateUnknown = previous.fateUnknown().contains(ar.key);
                futures.put(ar, fan.submit(() -> actions.run(run, ar, errors, fateUnknown ? previous : null)));
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
                        } catch (TimeoutException | CancellationException e2) {
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

    private static Status stepStatus(Collection<Status> actions) {
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
}
