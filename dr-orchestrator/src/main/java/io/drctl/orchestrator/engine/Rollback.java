package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.journal.ActionKey;
import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Cancellation;
import io.drctl.orchestrator.spi.Failures;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.spi.Reverted;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Reverts a run's changed actions in reverse order of completion, journaling {@code rollback.started},
 * per action {@code action.reverting} then {@code action.reverted}, {@code action.not-revertible} or
 * {@code action.revert-failed} (dry run: {@code action.would-revert}), and {@code rollback.finished}.
 */
final class Rollback {
    private final Plan plan;
    private final String runId;
    private final Journal journal;
    private final EngineOptions options;
    private final Redactor redactor;
    private final Function<HostAccess, RunScope> scopes;

    Rollback(Plan plan, String runId, Journal journal, EngineOptions options, Redactor redactor,
             Function<HostAccess, RunScope> scopes) {
        this.plan = plan;
        this.runId = runId;
        this.journal = journal;
        this.options = options;
        this.redactor = redactor;
        this.scopes = scopes;
    }

    /** See {@link Engine#rollback}. */
    RunResult run(RunState state) {
        Instant started = options.clock().instant();
        journal.append(EventType.ROLLBACK_STARTED, Map.of("user", options.who(), "dryRun", options.dryRun()));
        List<ActionKey> todo = new ArrayList<>(state.changedInOrder());
        Collections.reverse(todo);
        Map<String, StepOutcome> outcomes = new LinkedHashMap<>();
        Status overall = Status.REVERTED;
        try (HostAccess hosts = options.hostAccess().apply(plan.loaded().inventory())) {
            RunScope scope = scopes.apply(hosts);
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
                StepOutcome o = revert(scope, s, c, a);
                outcomes.put(o.id(), o);
                options.progress().stepFinished(o);
                Status st = o.status();
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

    /** Reverts one changed action (a dry run only says it would). */
    private StepOutcome revert(RunScope scope, Plan.PlannedStep s, ActionKey c, Action a) {
        Instant t0 = options.clock().instant();
        options.progress().stepStarted(c.step() + " (revert " + c.target() + ")", s.type().name(), 1);
        Status st;
        Optional<String> err = Optional.empty();
        if (options.dryRun()) {
            journal.append(EventType.ACTION_WOULD_REVERT, c.step(), c.target(), Map.of("revertible", a.revertible()));
            st = Status.WOULD_APPLY;
        } else if (!a.revertible()) {
            journal.append(EventType.ACTION_NOT_REVERTIBLE, c.step(), c.target(), Map.of("detail", a.description() + " has no revert"));
            st = Status.NOT_REVERTIBLE;
        } else {
            journal.append(EventType.ACTION_REVERTING, c.step(), c.target(), Map.of());
            Cancellation cancel = new Cancellation(options.clock(), s.spec().timeout().map(t0::plus), "revert " + c.step());
            BiConsumer<String, String> note = (key, value) ->
                    journal.append(EventType.ACTION_NOTE, c.step(), c.target(), Map.of("key", key, "value", value));
            try {
                Reverted r = a.revert(scope.attempt(c.step(), c.target(), 1, cancel, scope.log(c.step(), c.target(), redactor, note), note,
                        f -> journal.append(EventType.ACTION_OBSERVED, c.step(), c.target(), f.toMap()),
                        e -> journal.append(EventType.ACTION_EVIDENCE, c.step(), c.target(), RunScope.evidenceData(e, 1))));
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
        return new StepOutcome(c.toString(), s.type().name(), st, 1, st == Status.REVERTED ? 1 : 0,
                Duration.between(t0, options.clock().instant()), err);
    }
}
