package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.engine.Runs;
import io.drctl.orchestrator.journal.ActionKey;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.plan.Planner;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a drill recovers from a failover that failed part-way: what the failover changed decides. Nothing
 * changed: nothing to undo. Every change can be reverted: roll the failover run back (its changes undone
 * in reverse order, exactly). A change cannot be reverted (a promoted database): run the failback
 * runbook, which brings the old region back as a whole.
 */
final class DrillRecovery {
    private DrillRecovery() {
    }

    /** What to do after a failed failover. */
    enum Kind {
        /** The failover changed nothing: the system is as it was. */
        NOTHING,
        /** Every change can be reverted: {@code drctl rollback} of the failover run. */
        ROLLBACK,
        /** A change cannot be reverted: the failback runbook. */
        FAILBACK
    }

    /** @param why what made the choice, e.g. {@code promote-db region2/dbms cannot be reverted} */
    record Decision(Kind kind, String why) {
    }

    /** Decides from the failover run's journal and its plan (the run's copied inputs). */
    static Decision decide(Runs runs, String runId, StepTypeRegistry registry) throws IOException, InvalidInputException {
        Path runDir = runs.store().existing(runId).orElseThrow();
        RunState state = RunState.replay(Journal.read(runDir.resolve(Journal.FILE)));
        List<ActionKey> changed = state.changedInOrder();
        if (changed.isEmpty()) {
            return new Decision(Kind.NOTHING, "the failover changed nothing");
        }
        Plan plan = Planner.plan(runs.reload(runDir, state), registry);
        List<String> changes = new ArrayList<>();
        for (ActionKey c : changed) {
            Optional<Action> a = plan.step(c.step()).flatMap(s -> s.actions().stream()
                    .filter(x -> x.target().equals(c.target())).findFirst());
            if (a.isPresent() && !a.get().changes()) {
                continue;
            }
            if (a.isEmpty() || !a.get().revertible()) {
                return new Decision(Kind.FAILBACK, c.step() + " " + c.target() + " cannot be reverted");
            }
            changes.add(c.step() + " " + c.target());
        }
        return changes.isEmpty() ? new Decision(Kind.NOTHING, "the failover changed nothing")
                : new Decision(Kind.ROLLBACK, "every change can be reverted (" + String.join(", ", changes) + ")");
    }

    /** The step a run failed at, from its result: {@code at STEP (error)}, or empty when no step failed. */
    static String where(RunResult r) {
        return r.steps().stream().filter(s -> !s.status().isSuccessful() && s.status() != io.drctl.orchestrator.journal.Status.SKIPPED)
                .findFirst().map(s -> " at " + s.id() + s.error().map(e -> " (" + e + ")").orElse("")).orElse("");
    }

    /**
     * Whether each best-effort failure of a finished run is explained by an injected fault: its step skipped
     * something because of {@code --assume-lost}. A forced failover that lost only what was assumed lost passed.
     */
    static boolean bestEffortOnlyFromFaults(Runs runs, String runId) throws IOException {
        Path runDir = runs.store().existing(runId).orElseThrow();
        List<JournalEvent> events = Journal.read(runDir.resolve(Journal.FILE));
        java.util.Set<String> skippedIn = new java.util.HashSet<>();
        List<String> failed = new ArrayList<>();
        for (JournalEvent e : events) {
            if (e.event().equals(io.drctl.orchestrator.journal.EventType.ACTION_SKIPPED_LOST.wire())) {
                e.step().ifPresent(skippedIn::add);
            } else if (e.event().equals(io.drctl.orchestrator.journal.EventType.RUN_FINISHED.wire())
                    && e.data().get("bestEffortFailures") instanceof List<?> l) {
                failed.clear();
                l.forEach(x -> failed.add(String.valueOf(x).split(":")[0]));
            }
        }
        return !failed.isEmpty() && skippedIn.containsAll(failed);
    }

    /**
     * The targets assumed lost during a forced failover are back, untouched, as the failover left them: before the
     * failback, the failover run is resumed with them back ({@link Runs#resume(String, boolean)}), so the steps their
     * loss made fail are done now (e.g. {@code fence-old} fences the returned old DBMS). Its safety rules are
     * overridden for that resume, journaled with the reason: before its first step they would see the returned
     * target itself (e.g. a second reachable DBMS), which is what that step fences. Returns the line for the report.
     */
    static String completeAfterFaults(Ctx ctx, Runs overridden, RunResult failover, List<String> faults)
            throws IOException, InvalidInputException, io.drctl.orchestrator.journal.LockHeldException {
        ctx.out().println("drill: " + String.join(", ", faults) + " back: resuming the failover " + failover.runId()
                + " to do what their loss skipped");
        Optional<RunResult> r = overridden.resume(failover.runId(), true);
        if (r.isEmpty()) {
            return "failover completed with " + String.join(", ", faults) + " back: nothing left to do";
        }
        io.drctl.orchestrator.cli.render.RunSummary.print(ctx.out(), r.get());
        if (!r.get().status().isSuccessful()) {
            ctx.err().println("drctl: completing the failover with " + String.join(", ", faults) + " back ended "
                    + r.get().status() + where(r.get()) + "; the failback follows, its safety rules decide");
        }
        return "failover completed with " + String.join(", ", faults) + " back (resume of " + failover.runId()
                + ", its safety rules overridden: " + reason(faults) + "): " + r.get().status() + where(r.get());
    }

    /** Why the failover's rules are overridden while it is completed with the lost targets back. */
    static String reason(List<String> faults) {
        return "drill: " + String.join(", ", faults) + " assumed lost during the failover and back untouched;"
                + " completing the steps its loss skipped";
    }
}
