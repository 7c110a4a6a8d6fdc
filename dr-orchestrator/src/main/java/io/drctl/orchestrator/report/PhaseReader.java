package io.drctl.orchestrator.report;

import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.TimeBreakdown;
import io.drctl.orchestrator.report.DrillReport.Phase;
import io.drctl.orchestrator.report.DrillReport.StepLine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one run's journal into a {@link Phase}: its steps, what their verifications observed, the gaps between
 * them and what those went on, what ran and who allowed it, and when the service path was last verified. Every
 * text is redacted again.
 */
final class PhaseReader {
    /**
     * The step types whose verification is the service path a user sees: DNS answering everywhere, proxies
     * resolving, the Configuration Servers answering. The last of them to succeed is when service was restored.
     */
    static final Set<String> SERVICE_PATH = Set.of("dns.verify", "dns.flush-cache", "wait.tcp");

    private final Redactor redactor;
    private final Map<String, StepLine> steps = new LinkedHashMap<>();
    private final Map<String, Instant> stepStart = new HashMap<>();
    private final Map<String, String> stepType = new HashMap<>();
    private final Map<String, Integer> changed = new HashMap<>();
    private final Map<String, Integer> targetCount = new HashMap<>();
    private final Set<String> observing = new HashSet<>();
    /** Per action ({@code step \0 target}): the evidence of its latest attempt. */
    private final Map<String, List<EvidenceRow>> evidence = new LinkedHashMap<>();
    private final Map<String, Integer> evidenceAttempt = new HashMap<>();
    private final List<String> rpo = new ArrayList<>();
    private final List<String> approvals = new ArrayList<>();
    private final List<String> overrides = new ArrayList<>();
    private final Map<String, List<String>> overridden = new LinkedHashMap<>();
    /** What each rule saw ({@code rule \0 ok \0 detail}) and at which evaluation points. */
    private final Map<String, List<String>> ruleSeen = new LinkedHashMap<>();
    private final List<Gap> gaps = new ArrayList<>();
    private final Map<String, String> approvedBy = new HashMap<>();
    private List<String> bestEffort = List.of();
    private Map<String, Object> start = Map.of();
    private final List<String> resumedBy = new ArrayList<>();
    private String status = "UNKNOWN";
    // the idle stretch being measured: since when no step runs, after which step, rule time and count in it
    private final Set<String> open = new HashSet<>();
    private Instant idleSince;
    private String idleAfter = "run start";
    private Instant ruleClock;
    private Duration idleRules = Duration.ZERO;
    private int idleRuleCount;

    private PhaseReader(Redactor redactor) {
        this.redactor = redactor;
    }

    static Phase read(String name, String runId, List<JournalEvent> events, Redactor redactor) {
        return new PhaseReader(redactor).phase(name, runId, events);
    }

    private Phase phase(String name, String runId, List<JournalEvent> events) {
        Instant started = events.isEmpty() ? Instant.EPOCH : events.get(0).at();
        Instant finished = events.isEmpty() ? Instant.EPOCH : events.get(events.size() - 1).at();
        idleSince = started;
        ruleClock = started;
        for (JournalEvent e : events) {
            read(e);
        }
        if (!events.isEmpty() && open.isEmpty() && finished.isAfter(idleSince)) {
            gaps.add(Gap.of(idleAfter, "run end", idleSince, finished, idleRules, idleRuleCount));
        }
        List<StepLine> ordered = new ArrayList<>(steps.values());
        ordered.sort(Comparator.comparing(StepLine::started));
        Optional<StepLine> restored = ordered.stream().filter(s -> SERVICE_PATH.contains(s.type()))
                .filter(StepLine::proven).max(Comparator.comparing(StepLine::finished));
        List<EvidenceRow> rows = evidence.values().stream().flatMap(List::stream).toList();
        List<EvidenceRow> rules = new ArrayList<>();
        ruleSeen.forEach((k, when) -> {
            String[] f = k.split("\0", 3);
            rules.add(new EvidenceRow(text(f[0]), String.join(", ", when), started, "drctl", "safety rule " + text(f[0]),
                    text(f[2]), "holds", Boolean.parseBoolean(f[1])));
        });
        return new Phase(name, runId, text(start.getOrDefault("runbook", "")), status, started, finished, List.copyOf(ordered),
                bestEffort, List.copyOf(rpo), TimeBreakdown.of(events), rows, List.copyOf(gaps), provenance(),
                restored.map(StepLine::finished), restored.map(StepLine::id).orElse(""),
                List.copyOf(rules));
    }

    private void read(JournalEvent e) {
        String step = e.step().orElse("?");
        String key = step + "\0" + e.target().orElse("");
        switch (e.event()) {
            case "run.started" -> start = e.data();
            case "run.resumed" -> resumedBy.add(text(e.data().getOrDefault("user", "?")) + " (resumed " + e.at() + ")");
            case "run.finished" -> {
                status = String.valueOf(e.data().getOrDefault("status", "UNKNOWN"));
                bestEffort = e.data().get("bestEffortFailures") instanceof List<?> l ? l.stream().map(this::text).toList() : List.of();
            }
            case "action.note" -> note(step, e);
            case "action.evidence" -> evidence(step, key, e);
            case "step.started" -> {
                if (open.isEmpty()) {
                    endIdle(e.at(), step);
                }
                open.add(step);
                stepStart.putIfAbsent(step, e.at());
                stepType.put(step, e.str("type"));
                if (e.data().get("targets") instanceof Number n) {
                    targetCount.put(step, n.intValue());
                }
            }
            case "action.started" -> {
                if (Boolean.FALSE.equals(e.data().get("changes"))) {
                    observing.add(key);
                }
            }
            case "action.finished" -> {
                // "applied" counts changes only: a check that passed changed nothing
                if ("SUCCEEDED".equals(e.str("status")) && !observing.contains(key)) {
                    changed.merge(step, 1, Integer::sum);
                }
            }
            case "step.finished" -> {
                open.remove(step);
                String type = String.valueOf(stepType.getOrDefault(step, e.str("type")));
                steps.put(step, new StepLine(text(step), type, e.str("status"), stepStart.getOrDefault(step, e.at()), e.at(),
                        targetCount.getOrDefault(step, 0), changed.getOrDefault(step, 0),
                        e.str("error") == null ? "" : text(e.str("error")), Optional.ofNullable(approvedBy.get(step))));
                if (open.isEmpty()) {
                    idleSince = e.at();
                    ruleClock = e.at();
                    idleAfter = step;
                }
            }
            case "rule.checked", "rule.violated", "rule.overridden" -> rule(e);
            default -> {
                // injected faults and what they skipped: the drill's DrillOutcome reads them (fault.injected, action.skipped-lost)
            }
        }
    }

    private void endIdle(Instant at, String before) {
        if (at.isAfter(idleSince)) {
            gaps.add(Gap.of(idleAfter, before, idleSince, at, idleRules, idleRuleCount));
        }
        idleRules = Duration.ZERO;
        idleRuleCount = 0;
    }

    /** Rule id → what its latest evaluation in this run saw. */
    private final Map<String, String> ruleLastSeen = new java.util.HashMap<>();

    private void rule(JournalEvent e) {
        if (open.isEmpty()) {
            idleRules = idleRules.plus(Duration.between(ruleClock, e.at()));
            ruleClock = e.at();
            if (e.str("unchangedSince") == null && !e.event().equals("rule.overridden")) {
                idleRuleCount++; // a rule left alone (nothing it reads changed) was not evaluated
            }
        }
        if (!e.event().equals("rule.overridden")) {
            boolean ok = e.event().equals("rule.checked");
            // a rule not re-evaluated because no step since could change what it reads still holds as last seen: its
            // point joins that observation's row, marked as not re-run
            String since = e.str("unchangedSince");
            String detail = e.str("detail") != null ? e.str("detail")
                    : since != null ? ruleLastSeen.getOrDefault(e.str("rule"), "holds as " + since + " (nothing it reads changed since)")
                    : "(not journaled by this drctl)";
            if (e.str("detail") != null) {
                ruleLastSeen.put(e.str("rule"), detail);
            }
            String when = since != null ? e.str("when") + " (unchanged since " + since + ")" : e.str("when");
            ruleSeen.computeIfAbsent(e.str("rule") + "\0" + ok + "\0" + detail, k -> new ArrayList<>()).add(text(when));
        }
        if (e.event().equals("rule.overridden")) {
            // the same override at each evaluation point: one line naming every point
            overridden.computeIfAbsent(text(e.str("rule") + ": overridden by " + e.str("user") + ", reason \"" + e.str("reason")
                    + "\"; the violation: " + e.str("detail")), k -> new ArrayList<>()).add(text(e.str("when")));
        }
    }

    private void note(String step, JournalEvent e) {
        String k = e.str("key");
        if ("rpo".equals(k)) {
            rpo.add(text(step + " " + e.target().orElse("") + ": " + e.str("value")));
        } else if ("approvedBy".equals(k)) {
            approvedBy.put(step, text(e.str("value")));
            approvals.add(text(step + ": approved by " + e.str("value") + " at " + e.at()));
        } else if ("approvedVia".equals(k) && !approvals.isEmpty()) {
            approvals.set(approvals.size() - 1, approvals.get(approvals.size() - 1) + " via " + text(e.str("value")));
        } else if ("forceReason".equals(k)) {
            overrides.add(text(step + ": change threshold forced, reason \"" + e.str("value") + "\""));
        }
    }

    private void evidence(String step, String key, JournalEvent e) {
        int attempt = e.data().get("attempt") instanceof Number n ? n.intValue() : 1;
        if (attempt > evidenceAttempt.getOrDefault(key, 0)) {
            evidence.put(key, new ArrayList<>()); // a retried verification: only what the latest attempt saw stands
            evidenceAttempt.put(key, attempt);
        }
        evidence.computeIfAbsent(key, k -> new ArrayList<>()).add(new EvidenceRow(text(step), text(e.target().orElse("")), e.at(),
                text(e.str("observer")), text(e.str("subject")), text(e.str("observed")), text(e.str("expected")),
                Boolean.TRUE.equals(e.data().get("ok"))));
    }

    private RunProvenance provenance() {
        Map<?, ?> params = start.get("params") instanceof Map<?, ?> m ? m : Map.of();
        String operator = text(start.getOrDefault("user", "?")) + (resumedBy.isEmpty() ? "" : "; " + String.join("; ", resumedBy));
        List<String> all = new ArrayList<>();
        overridden.forEach((what, when) -> all.add(what.replaceFirst(": overridden by ", ": overridden " + String.join(", ", when)
                + " by ")));
        all.addAll(overrides);
        if (start.get("ruleOverrides") instanceof Map<?, ?> allowed) {
            allowed.forEach((rule, reason) -> {
                if (all.stream().noneMatch(o -> o.startsWith(rule + ": overridden"))) {
                    all.add(text(rule + ": override allowed (--override-rule), reason \"" + reason + "\"; not needed: the rule held"));
                }
            });
        }
        return new RunProvenance(text(start.getOrDefault("runbookSha256", RunProvenance.NOT_JOURNALED)),
                text(start.getOrDefault("inventorySha256", RunProvenance.NOT_JOURNALED)),
                text(start.getOrDefault("drctlVersion", RunProvenance.NOT_JOURNALED)), operator,
                params.containsKey("mode") ? text(params.get("mode")) : "(runbook has no mode)",
                Boolean.TRUE.equals(start.get("dryRun")), approvals, all);
    }

    private String text(Object o) {
        return redactor.redact(String.valueOf(o));
    }
}
