package io.drctl.orchestrator.report;

import java.time.Instant;

/**
 * One observation a step's verification journaled ({@code action.evidence}), as the report shows it under the
 * step's timeline bar.
 *
 * @param step     the step
 * @param action   the action's target (a host, a record list)
 * @param at       when it was journaled
 * @param observer where it was observed from: {@code drctl} or a host ref
 * @param target   what was looked at
 * @param observed what was seen
 * @param expected what the step wanted to see
 * @param ok       whether the two agree
 */
public record EvidenceRow(String step, String action, Instant at, String observer, String target, String observed,
                          String expected, boolean ok) {
    /** {@code as expected} or {@code NOT as expected}. */
    public String verdict() {
        return ok ? "as expected" : "NOT as expected";
    }
}
