package io.drctl.orchestrator.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run's time went, read from its journal: the time some step was running (the critical path of
 * step work; of it, the time spent in approval steps waiting for a person), the safety-rule evaluations
 * between steps, and drctl's own overhead (the rest: planning, journaling, scheduling).
 *
 * @param total           first to last journal event
 * @param stepWork        the union of the steps' intervals (step.started to step.finished)
 * @param approvals       of {@code stepWork}, the union of the approval steps' intervals
 * @param ruleEvaluations while no step ran: from the moment the last step ended (or the run started, or the
 *                        previous rule event) to each {@code rule.*} event
 * @param overhead        {@code total - stepWork - ruleEvaluations}
 */
public record TimeBreakdown(Duration total, Duration stepWork, Duration approvals, Duration ruleEvaluations,
                            Duration overhead) {

    public static TimeBreakdown of(List<JournalEvent> events) {
        if (events.isEmpty()) {
            return new TimeBreakdown(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        }
        Instant start = events.get(0).at();
        Instant end = events.get(events.size() - 1).at();
        Map<String, Instant> open = new HashMap<>();
        Map<String, String> type = new HashMap<>();
        List<Instant[]> steps = new ArrayList<>();
        List<Instant[]> approvalSteps = new ArrayList<>();
        Duration rules = Duration.ZERO;
        Instant idleSince = start;
        for (JournalEvent e : events) {
            String step = e.step().orElse("");
            switch (e.event()) {
                case "step.started" -> {
                    open.putIfAbsent(step, e.at());
                    type.put(step, e.str("type"));
                }
                case "step.finished" -> {
                    Instant from = open.remove(step);
                    if (from != null) {
                        Instant[] span = {from, e.at()};
                        steps.add(span);
                        if ("approval".equals(type.get(step))) {
                            approvalSteps.add(span);
                        }
                    }
                    if (open.isEmpty()) {
                        idleSince = e.at();
                    }
                }
                case "rule.checked", "rule.violated", "rule.overridden" -> {
                    if (open.isEmpty()) {
                        rules = rules.plus(Duration.between(idleSince, e.at()));
                        idleSince = e.at();
                    }
                }
                default -> {
                }
            }
        }
        Duration total = Duration.between(start, end);
        Duration work = union(steps);
        return new TimeBreakdown(total, work, union(approvalSteps), rules, total.minus(work).minus(rules));
    }

    /** "step work 7.7 s, safety-rule evaluations 4.4 s, drctl overhead 20 ms" (approvals named when there were any). */
    public String describe() {
        return "step work " + fmt(stepWork)
                + (approvals.isZero() ? "" : " (of which waiting for approval " + fmt(approvals) + ")")
                + ", safety-rule evaluations " + fmt(ruleEvaluations) + ", drctl overhead " + fmt(overhead);
    }

    private static String fmt(Duration d) {
        return io.drctl.orchestrator.config.yaml.Durations.format(d, io.drctl.orchestrator.config.yaml.Durations.Style.COMPACT);
    }

    private static Duration union(List<Instant[]> spans) {
        spans.sort(Comparator.comparing(s -> s[0]));
        Duration sum = Duration.ZERO;
        Instant from = null;
        Instant to = null;
        for (Instant[] s : spans) {
            if (to == null || s[0].isAfter(to)) {
                if (to != null) {
                    sum = sum.plus(Duration.between(from, to));
                }
                from = s[0];
                to = s[1];
            } else if (s[1].isAfter(to)) {
                to = s[1];
            }
        }
        return to == null ? sum : sum.plus(Duration.between(from, to));
    }
}
