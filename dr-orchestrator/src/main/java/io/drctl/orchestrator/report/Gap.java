package io.drctl.orchestrator.report;

import io.drctl.orchestrator.config.yaml.Durations;
import java.time.Duration;
import java.time.Instant;

/**
 * A stretch of a run during which no step ran, and what it went on, read from the journal: safety-rule
 * evaluations (from the moment the run went idle to each {@code rule.*} event) and, the rest, drctl's own
 * overhead (planning, journaling, scheduling).
 *
 * @param after    the step that ended before it ({@code run start} for the first)
 * @param before   the step that started after it ({@code run end} for the last)
 * @param from     when it began
 * @param to       when it ended
 * @param rules    of it, safety-rule evaluations
 * @param rulesRun how many rule evaluations were journaled in it
 * @param overhead of it, the rest
 * @param label    what the timeline says: {@code 1.2 s: safety rules 1.1 s (2 evaluations), drctl overhead 0.1 s}
 */
public record Gap(String after, String before, Instant from, Instant to, Duration rules, int rulesRun, Duration overhead,
                  String label) {

    static Gap of(String after, String before, Instant from, Instant to, Duration rules, int rulesRun) {
        Duration total = Duration.between(from, to);
        Duration rest = total.minus(rules).isNegative() ? Duration.ZERO : total.minus(rules);
        String label = fmt(total) + ": "
                + (rulesRun == 0 ? "" : "safety rules " + fmt(rules) + " (" + rulesRun + " evaluation"
                + (rulesRun == 1 ? "" : "s") + "), ")
                + "drctl overhead " + fmt(rest);
        return new Gap(after, before, from, to, rules, rulesRun, rest, label);
    }

    private static String fmt(Duration d) {
        return Durations.format(d, Durations.Style.COMPACT); // gaps are short: milliseconds
    }

    public Duration duration() {
        return Duration.between(from, to);
    }
}
