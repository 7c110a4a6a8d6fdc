package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.config.model.Step;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Applied;
import io.drctl.orchestrator.spi.Cancellation;
import io.drctl.orchestrator.spi.CancelledException;
import io.drctl.orchestrator.spi.Failures;
import io.drctl.orchestrator.spi.Probe;
import io.drctl.orchestrator.spi.StepFailure;
import io.drctl.orchestrator.spi.Verified;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The state machine of one action: probe, then (unless satisfied) apply and verify, with the step's
 * retries, deadline and the run's abort. Journals, in order: {@code action.started}, {@code action.probed},
 * then either {@code action.verified} (probe satisfied) or {@code action.would-apply} (dry run) or
 * {@code action.applying}, {@code action.applied}, {@code action.verified}; failures add
 * {@code action.attempt-failed} and {@code action.retrying}; always {@code action.finished}.
 */
record ActionRunner(RunScope scope, EngineOptions options, Redactor redactor) {
    private static final int OUTPUT_LIMIT = 2000;

    /**
     * Runs one action of {@code run} to its end. {@code fateUnknownIn} is the earlier state when an
     * earlier attempt was cut off while applying.
     */
    Status run(StepRun run, ActionRun ar, Map<String, String> errors, RunState fateUnknownIn) {
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
            ActionContext ctx = context(ar, attempt, cancel);
            try {
                cancel.check();
                Probe p = a.probe(ctx);
                ar.log(EventType.ACTION_PROBED, Map.of("state", p.state().name(), "current", p.current(), "desired", p.desired()));
                if (p.isSatisfied()) {
                    verify(ar, ctx);
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
                applied(ar, a.apply(ctx));
                verify(ar, ctx);
                return ar.finish(Status.SUCCEEDED, null, errors);
            } catch (CancelledException e) {
                return cancelled(run, ar, e, attempt, lastError, errors);
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
                        return cancelled(run, ar, ce, attempt, lastError, errors);
                    }
                    continue;
                }
                // a command killed by its (step-deadline-bounded) timeout is the step timing out
                if (cancel.isCancelled()) {
                    return cancelled(run, ar, null, attempt, lastError, errors);
                }
                return ar.finish(Status.FAILED, msg + (attempt > 1 ? " (after " + attempt + " attempts)" : ""), errors);
            }
        }
    }

    private ActionContext context(ActionRun ar, int attempt, Cancellation cancel) {
        BiConsumer<String, String> note = (key, value) -> ar.log(EventType.ACTION_NOTE, Map.of("key", key, "value", value));
        return scope.attempt(ar.key.step(), ar.key.target(), attempt, cancel, scope.log(ar.key.step(), ar.key.target(), redactor, note), note,
                ar::observed,
                e -> ar.log(EventType.ACTION_EVIDENCE, RunScope.evidenceData(e, attempt)));
    }

    /** Journals {@code action.verified}; a failed verification is a retriable failure of the attempt. */
    private static void verify(ActionRun ar, ActionContext ctx) throws Exception {
        Verified v = ar.action.verify(ctx);
        ar.log(EventType.ACTION_VERIFIED, Map.of("ok", v.ok(), "detail", v.detail()));
        if (!v.ok()) {
            throw new StepFailure(v.detail(), true);
        }
    }

    /** Journals {@code action.applied} with the summary and the tail of the output. */
    private static void applied(ActionRun ar, Applied applied) {
        Map<String, Object> ad = new LinkedHashMap<>();
        ad.put("summary", applied.summary());
        if (!applied.output().isBlank()) {
            String out = applied.output();
            ad.put("output", out.length() > OUTPUT_LIMIT ? "…" + out.substring(out.length() - OUTPUT_LIMIT) : out);
        }
        ar.log(EventType.ACTION_APPLIED, ad);
    }

    /** Ends an action that a cancellation stopped: the step deadline, or the run aborting (observers). */
    private static Status cancelled(StepRun run, ActionRun ar, CancelledException e, int attempt, String lastError,
                                    Map<String, String> errors) {
        Status st = e != null && e.timedOut() ? Status.TIMED_OUT
                : run.aborted != null ? Status.CANCELLED
                : run.cancel.deadline().isPresent() ? Status.TIMED_OUT : Status.FAILED;
        String why = st == Status.TIMED_OUT
                ? "step timeout " + run.step.spec().timeout().map(Durations::format).orElse("") + " expired"
                : st == Status.CANCELLED ? "cancelled: " + run.aborted : "cancelled";
        return ar.finish(st, ar.key.target() + ": " + why + " during attempt " + attempt
                + (lastError == null ? "" : "; last error: " + lastError), errors);
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
}
