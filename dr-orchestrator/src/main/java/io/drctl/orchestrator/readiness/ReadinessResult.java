package io.drctl.orchestrator.readiness;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of one readiness round: from its run, or as the store gives it back ({@code ResultJson}: a missing
 * field reads as empty, never null).
 *
 * @param runId     the journaled run (empty when the round could not start a run, see {@code error})
 * @param runbook   the readiness runbook's file
 * @param inventory the inventory file
 * @param started   when the round started
 * @param finished  when it ended
 * @param checks    one result per step, in execution order
 * @param error     why the round produced no verdict on the checks (invalid input, the lock held by
 *                  another round, an I/O failure); a round with an error is not ready
 */
public record ReadinessResult(Optional<String> runId, String runbook, String inventory, Instant started, Instant finished,
                              List<CheckResult> checks, Optional<String> error) {
    public ReadinessResult {
        checks = List.copyOf(checks);
    }

    /** A round that could not run its checks. */
    public static ReadinessResult failedToRun(String runbook, String inventory, Instant started, Instant finished, String error) {
        return new ReadinessResult(Optional.empty(), runbook, inventory, started, finished, List.of(), Optional.of(error));
    }

    /** Every check passed (and there was at least one, and no error). */
    public boolean ok() {
        return error.isEmpty() && !checks.isEmpty() && checks.stream().allMatch(CheckResult::ok);
    }

    public Duration duration() {
        return Duration.between(started, finished);
    }

    public List<CheckResult> failed() {
        return checks.stream().filter(c -> !c.ok()).toList();
    }

    /** {@code READY: all 6 checks passed} or {@code NOT READY: 1 of 6 checks failed: standby-fenced}. */
    public String verdict() {
        if (error.isPresent()) {
            return "NOT READY: the readiness run did not complete: " + error.get();
        }
        if (checks.isEmpty()) {
            return "NOT READY: the readiness runbook has no checks";
        }
        List<CheckResult> f = failed();
        if (f.isEmpty()) {
            return "READY: all " + checks.size() + " checks passed";
        }
        return "NOT READY: " + f.size() + " of " + checks.size() + " checks failed: "
                + String.join(", ", f.stream().map(CheckResult::id).toList());
    }

    /** The same result with every text that could echo a secret (details, error) passed through {@code r}. */
    public ReadinessResult redacted(io.drctl.orchestrator.journal.Redactor r) {
        List<CheckResult> c = checks.stream().map(x -> x.withDetail(r.redact(x.detail()))).toList();
        return new ReadinessResult(runId, runbook, inventory, started, finished, c, error.map(r::redact));
    }

    /** A JSON-friendly view (what {@code /results} and {@code --output json} print). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", ok());
        m.put("verdict", verdict());
        m.put("runId", runId.orElse(null));
        m.put("runbook", runbook);
        m.put("inventory", inventory);
        m.put("started", started.toString());
        m.put("finished", finished.toString());
        m.put("durationMs", duration().toMillis());
        m.put("error", error.orElse(null));
        List<Object> c = new ArrayList<>();
        checks.forEach(x -> c.add(x.toMap()));
        m.put("checks", c);
        return m;
    }
}
