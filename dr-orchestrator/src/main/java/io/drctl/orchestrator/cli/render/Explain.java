package io.drctl.orchestrator.cli.render;

import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.config.yaml.Problem;
import io.drctl.orchestrator.engine.RuleEvaluator.Violation;
import io.drctl.orchestrator.engine.RunResult;
import io.drctl.orchestrator.journal.Status;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What drctl prints on stderr when it did not simply succeed: invalid input, a refusal, a failed run,
 * and the command that goes on from there. Every such text is written here and nowhere else.
 */
public final class Explain {
    private Explain() {
    }

    /** Every problem of invalid input, one located line each. */
    public static void invalidInput(PrintStream err, InvalidInputException e) {
        err.println("drctl: invalid input, " + e.problems().size() + " problem(s):");
        for (Problem p : e.problems()) {
            err.println("  " + p.render());
        }
    }

    /** Nothing was done because of {@code why} (e.g. another run holds the state-directory lock). */
    public static void refused(PrintStream err, String why) {
        err.println("drctl: refused: " + why);
    }

    /**
     * After a run or resume: how to go on when it did not simply succeed.
     *
     * @param refusals the violated rules when the run was {@link Status#REFUSED}
     */
    public static void runEnd(PrintStream err, RunResult r, Path stateDir, List<Violation> refusals) {
        if (r.status() == Status.REFUSED) {
            refusal(err, refusals, stateDir, r.runId());
        } else if (r.status() == Status.COMPLETED_WITH_FAILURES) {
            resume(err, "drctl: run completed with best-effort failures; to retry them, fix the cause, then:", stateDir, r.runId());
        } else if (!r.status().isSuccessful()) {
            resume(err, "drctl: run failed; fix the cause, then resume with:", stateDir, r.runId());
        }
    }

    /**
     * A drill phase ({@code failover}, {@code failback}) that did not succeed.
     *
     * @param drillStops whether the drill ends here (said so when it does)
     * @param refusals   the violated rules when the phase's run was {@link Status#REFUSED}
     */
    public static void drillPhase(PrintStream err, String phase, RunResult r, boolean drillStops, Path stateDir,
                                  List<Violation> refusals) {
        if (r.status() == Status.REFUSED) {
            err.println("drctl: " + phase + " refused by a safety rule" + (drillStops ? "; the drill stops here." : "."));
            refusal(err, refusals, stateDir, r.runId());
        } else {
            String what = r.status() == Status.COMPLETED_WITH_FAILURES ? "completed with best-effort failures (listed above)"
                    : "failed";
            resume(err, "drctl: " + phase + " " + what + (drillStops ? "; the drill stops here. Fix" : ". Fix")
                    + " the cause, then resume with:", stateDir, r.runId());
        }
    }

    /** A run refused by safety rules: each violated rule, what was seen, and how to resume or override. */
    public static void refusal(PrintStream err, List<Violation> vs, Path stateDir, String runId) {
        for (Violation v : vs) {
            err.println("drctl: refused by safety rule `" + v.rule() + "` (" + v.type() + "): " + v.detail());
        }
        err.println("drctl: no further step was started (steps in flight finished); the run is journaled.");
        err.println("  fix the cause, then:  " + resumeCommand(stateDir, runId));
        String ids = vs.stream().map(v -> "--override-rule " + v.rule()).collect(Collectors.joining(" "));
        err.println("  or, only if you know it is safe (journaled with your name and reason):");
        err.println("    " + resumeCommand(stateDir, runId) + " " + ids + " --reason \"WHY IT IS SAFE\"");
    }

    /** A rollback that failed: it is run again as it was. */
    public static void rollbackFailed(PrintStream err, Path stateDir, String runId) {
        err.println("drctl: rollback failed; fix the cause and run it again:");
        err.println("  ./drctl rollback " + runId + " --state-dir " + stateDir);
    }

    private static void resume(PrintStream err, String headline, Path stateDir, String runId) {
        err.println(headline);
        err.println("  " + resumeCommand(stateDir, runId));
    }

    private static String resumeCommand(Path stateDir, String runId) {
        return "./drctl resume " + runId + " --state-dir " + stateDir;
    }
}
