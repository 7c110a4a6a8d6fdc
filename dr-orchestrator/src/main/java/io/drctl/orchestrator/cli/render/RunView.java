package io.drctl.orchestrator.cli.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.RunState;
import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.journal.TimeBreakdown;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code drctl status} and {@code drctl history}: a run's description, as text or JSON. */
public final class RunView {
    private RunView() {
    }

    /** What status (with {@code steps}) and history (without) print of a run, in this order. */
    public static Map<String, Object> describe(String id, RunState state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", id);
        m.put("runbook", state.runbookName().orElse("?"));
        m.put("status", state.runStatus().name());
        m.put("started", state.events().isEmpty() ? null : state.events().get(0).at().toString());
        m.put("updated", state.events().isEmpty() ? null : state.events().get(state.events().size() - 1).at().toString());
        m.put("user", state.start().get("user"));
        m.put("dryRun", state.start().get("dryRun"));
        m.put("params", state.params());
        state.events().stream().filter(e -> e.event().equals("run.finished")).reduce((a, b) -> b)
                .map(e -> e.data().get("bestEffortFailures")).ifPresent(f -> m.put("bestEffortFailures", f));
        List<String> rpo = rpo(state);
        if (!rpo.isEmpty()) {
            m.put("rpo", rpo);
        }
        Map<String, String> steps = new LinkedHashMap<>();
        state.steps().forEach((k, v) -> steps.put(k, v.name()));
        m.put("steps", steps);
        return m;
    }

    /** Each promotion's recovery point, as measured just before it: {@code "step target: RPO ..."}. */
    public static List<String> rpo(RunState state) {
        return state.events().stream()
                .filter(e -> e.event().equals("action.note") && "rpo".equals(e.data().get("key")))
                .map(e -> e.step().orElse("?") + " " + e.target().orElse("") + ": " + e.data().get("value"))
                .toList();
    }

    /**
     * One run's status per step.
     *
     * @param journal    the run's journal file, and how many events it holds
     * @param redactor   the run's secrets: journals are redacted when written; this also covers runs journaled
     *                   before a secret was known
     */
    public static void printStatus(PrintStream out, boolean json, String id, RunState state, Path journal, int events,
                                   Redactor redactor) throws JsonProcessingException {
        Map<String, Object> m = describe(id, state);
        TimeBreakdown time = TimeBreakdown.of(state.events());
        Map<String, Object> ms = new LinkedHashMap<>();
        ms.put("totalMs", time.total().toMillis());
        ms.put("stepWorkMs", time.stepWork().toMillis());
        ms.put("approvalsMs", time.approvals().toMillis());
        ms.put("ruleEvaluationsMs", time.ruleEvaluations().toMillis());
        // the rest, in whole milliseconds, so the parts add up to the total whatever each part's rounding
        ms.put("overheadMs", time.total().toMillis() - time.stepWork().toMillis() - time.ruleEvaluations().toMillis());
        m.put("time", ms);
        if (json) {
            out.println(redactor.redact(Json.write(redactor.redactDeep(m))));
            return;
        }
        StringBuilder text = new StringBuilder();
        text.append("run " + id + ": " + m.get("status") + "  runbook " + m.get("runbook") + "  started "
                + m.get("started") + " by " + m.get("user")).append(System.lineSeparator());
        for (Map.Entry<String, Status> e : state.steps().entrySet()) {
            text.append(String.format("  %-24s %s%n", e.getKey(), e.getValue()));
        }
        rpo(state).forEach(r -> text.append("  recovery point: ").append(r).append(System.lineSeparator()));
        text.append("  time: ").append(time.describe()).append(System.lineSeparator());
        text.append("  journal: " + journal + " (" + events + " events)");
        out.println(redactor.redact(text.toString()));
    }

    /** Runs newest first, one line (or JSON object) each, as {@link #describe} without steps. */
    public static void printHistory(PrintStream out, boolean json, List<Map<String, Object>> runs, Path stateDir)
            throws JsonProcessingException {
        if (json) {
            out.println(Json.write(runs));
        } else if (runs.isEmpty()) {
            out.println("no runs in " + stateDir);
        } else {
            out.printf("%-48s %-20s %-12s %s%n", "RUN", "RUNBOOK", "STATUS", "STARTED");
            for (Map<String, Object> m : runs) {
                out.printf("%-48s %-20s %-12s %s%n", m.get("runId"), m.get("runbook"), m.get("status"), m.get("started"));
            }
        }
    }
}
