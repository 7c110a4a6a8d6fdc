package io.drctl.orchestrator.forecast;

import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.TimeBreakdown;
import io.drctl.orchestrator.plan.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The expected RTO of a plan before it runs, from what earlier runs in the state dir measured: each step's
 * duration as the median (and p90) of the latest {@value #RECENT} measurements of the same step of the same runbook
 * with the same number of targets, else of steps of its type with that target count, else of its type (only steps
 * that changed something count); the safety-rule evaluations as
 * the latest runs of the same runbook spent on them (else one evaluation point's median time times the plan's
 * evaluation points); laid out on the plan's DAG (independent steps run together), so the total is the critical
 * path. A step type no earlier run measured counts as zero and is named.
 *
 * @param steps     each planned step with its expected start and duration, in plan order
 * @param ruleMedian the expected safety-rule evaluations (median)
 * @param ruleP90   the same at p90
 * @param median    the expected RTO: critical path of medians plus the rule time
 * @param p90       the same with p90s
 * @param runsRead  how many earlier runs' journals were read
 * @param unknown   step types no earlier run measured
 */
public record Forecast(List<Line> steps, Duration ruleMedian, Duration ruleP90, Duration median, Duration p90, int runsRead,
                       List<String> unknown) {

    /** One planned step: its expected start on the critical path, its median and p90 duration, from how many samples. */
    public record Line(String id, String type, int targets, Duration start, Duration median, Duration p90, int samples,
                       boolean critical) {
    }

    /** A measured step of an earlier run. */
    record Sample(String runbook, String step, String type, int targets, Duration duration) {
    }

    /** How many of the latest measurements count: the system changes (and drctl gets faster); old runs fade out. */
    static final int RECENT = 10;

    /** How many of the latest runs' journals are read. */
    static final int RUNS_READ = 100;

    public static Forecast of(Plan plan, Path runsDir) throws IOException {
        List<Sample> samples = new ArrayList<>();
        List<Duration> perEvaluation = new ArrayList<>();
        List<Duration> sameRunbookRules = new ArrayList<>();
        String runbook = plan.loaded().runbook().name();
        int runs = 0;
        if (Files.isDirectory(runsDir)) {
            List<Path> all;
            try (Stream<Path> dirs = Files.list(runsDir)) {
                all = dirs.sorted().toList();
            }
            // run ids begin with their start time: the latest runs only, oldest first (a long history costs no reads)
            for (Path d : all.subList(Math.max(0, all.size() - RUNS_READ), all.size())) {
                Path journal = d.resolve(Journal.FILE);
                if (!Files.isRegularFile(journal)) {
                    continue;
                }
                List<JournalEvent> events;
                try {
                    events = Journal.read(journal);
                } catch (IOException | RuntimeException e) {
                    continue; // a torn or corrupt journal says nothing reliable about durations
                }
                if (events.stream().anyMatch(e -> e.event().equals("run.started") && Boolean.TRUE.equals(e.data().get("dryRun")))) {
                    continue; // a dry run changes nothing: its durations are not a run's
                }
                runs++;
                TimeBreakdown time = TimeBreakdown.of(events);
                read(events, time, samples, perEvaluation);
                if (events.stream().anyMatch(e -> e.event().equals("run.started") && runbook.equals(e.data().get("runbook")))
                        && events.stream().anyMatch(e -> e.event().equals("run.finished"))) {
                    sameRunbookRules.add(time.ruleEvaluations());
                }
            }
        }
        Map<String, Line> lines = new LinkedHashMap<>();
        Map<String, Duration[]> finish = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Plan.PlannedStep s : plan.steps()) {
            String type = s.spec().type();
            int targets = s.actions().size();
            // the same step of the same runbook first, else its type with the same target count, else its type
            List<Duration> any = latest(samples.stream().filter(x -> x.runbook().equals(runbook) && x.step().equals(s.id())
                    && x.targets() == targets).map(Sample::duration).toList());
            if (any.isEmpty()) {
                any = latest(samples.stream().filter(x -> x.type().equals(type) && x.targets() == targets).map(Sample::duration).toList());
            }
            if (any.isEmpty()) {
                any = latest(samples.stream().filter(x -> x.type().equals(type)).map(Sample::duration).toList());
            }
            if (any.isEmpty() && !unknown.contains(type)) {
                unknown.add(type);
            }
            Duration[] start = {Duration.ZERO, Duration.ZERO};
            for (String dep : s.spec().dependsOn()) {
                Duration[] f = finish.getOrDefault(dep, start);
                start = new Duration[] {max(start[0], f[0]), max(start[1], f[1])};
            }
            Duration med = quantile(any, 0.5);
            Duration p90 = quantile(any, 0.9);
            finish.put(s.id(), new Duration[] {start[0].plus(med), start[1].plus(p90)});
            lines.put(s.id(), new Line(s.id(), type, targets, start[0], med, p90, any.size(), false));
        }
        Duration endMedian = finish.values().stream().map(f -> f[0]).reduce(Duration.ZERO, Forecast::max);
        Duration endP90 = finish.values().stream().map(f -> f[1]).reduce(Duration.ZERO, Forecast::max);
        // evaluation points: before the first step and after each step that ends at a quiet moment (bounded by the step count)
        int points = plan.loaded().rules().isEmpty() ? 0 : levels(plan) + 1;
        List<Duration> sameRunbook = latest(sameRunbookRules);
        Duration ruleMedian = plan.loaded().rules().isEmpty() ? Duration.ZERO : sameRunbook.isEmpty()
                ? quantile(latest(perEvaluation), 0.5).multipliedBy(points) : quantile(sameRunbook, 0.5);
        Duration ruleP90 = plan.loaded().rules().isEmpty() ? Duration.ZERO : sameRunbook.isEmpty()
                ? quantile(latest(perEvaluation), 0.9).multipliedBy(points) : quantile(sameRunbook, 0.9);
        // the critical path: the steps ending last, then, back from each, the prerequisite its start waited for
        java.util.Set<String> critical = new java.util.HashSet<>();
        java.util.Deque<String> todo = new java.util.ArrayDeque<>();
        lines.values().stream().filter(l -> !endMedian.isZero() && finish.get(l.id())[0].equals(endMedian))
                .forEach(l -> todo.add(l.id()));
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (critical.add(id)) {
                Line l = lines.get(id);
                plan.step(id).orElseThrow().spec().dependsOn().stream()
                        .filter(dep -> finish.containsKey(dep) && finish.get(dep)[0].equals(l.start()))
                        .forEach(todo::add);
            }
        }
        List<Line> out = new ArrayList<>();
        for (Line l : lines.values()) {
            out.add(new Line(l.id(), l.type(), l.targets(), l.start(), l.median(), l.p90(), l.samples(), critical.contains(l.id())));
        }
        return new Forecast(out, ruleMedian, ruleP90, endMedian.plus(ruleMedian), endP90.plus(ruleP90), runs, unknown);
    }

    private static void read(List<JournalEvent> events, TimeBreakdown t, List<Sample> samples, List<Duration> perEvaluation) {
        Map<String, JournalEvent> started = new HashMap<>();
        Map<String, Integer> changed = new HashMap<>();
        String runbook = events.stream().filter(e -> e.event().equals("run.started")).map(e -> e.str("runbook"))
                .filter(java.util.Objects::nonNull).findFirst().orElse("");
        for (JournalEvent e : events) {
            String step = e.step().orElse("");
            switch (e.event()) {
                case "step.started" -> started.put(step, e);
                case "action.finished" -> {
                    if ("SUCCEEDED".equals(e.str("status"))) {
                        changed.merge(step, 1, Integer::sum);
                    }
                }
                case "step.finished" -> {
                    JournalEvent s = started.get(step);
                    // what a step costs when it does its work: SATISFIED steps (nothing to do) would make a forecast optimistic
                    if (s != null && "SUCCEEDED".equals(e.str("status")) && changed.getOrDefault(step, 0) > 0
                            && s.data().get("targets") instanceof Number n) {
                        samples.add(new Sample(runbook, step, s.str("type"), n.intValue(), Duration.between(s.at(), e.at())));
                    }
                }
                default -> {
                }
            }
        }
        long points = events.stream().filter(e -> e.event().startsWith("rule.")).map(JournalEvent::at).distinct().count();
        long rules = events.stream().filter(e -> e.event().equals("rule.checked") || e.event().equals("rule.violated"))
                .map(e -> e.str("rule")).distinct().count();
        if (points > 0 && rules > 0) {
            // an evaluation point journals one event per rule
            perEvaluation.add(t.ruleEvaluations().dividedBy(Math.max(1, points / rules)));
        }
    }

    /** The number of DAG levels: steps that run one after the other. */
    private static int levels(Plan plan) {
        Map<String, Integer> level = new HashMap<>();
        int max = 0;
        for (Plan.PlannedStep s : plan.steps()) {
            int l = 1 + s.spec().dependsOn().stream().mapToInt(d -> level.getOrDefault(d, 0)).max().orElse(0);
            level.put(s.id(), l);
            max = Math.max(max, l);
        }
        return max;
    }

    private static <T> List<T> latest(List<T> chronological) {
        return chronological.subList(Math.max(0, chronological.size() - RECENT), chronological.size());
    }

    static Duration quantile(List<Duration> values, double q) {
        if (values.isEmpty()) {
            return Duration.ZERO;
        }
        List<Duration> sorted = values.stream().sorted().toList();
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The forecast as a table, with the objective when the inventory sets one. */
    public String table(Optional<Duration> objective) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-24s %-16s %7s %9s %9s %9s %7s%n", "STEP", "TYPE", "TARGETS", "START", "MEDIAN", "P90", "SAMPLES"));
        for (Line l : steps) {
            b.append(String.format("%-24s %-16s %7d %9s %9s %9s %7s%s%n", l.id(), l.type(), l.targets(), fmt(l.start()),
                    fmt(l.median()), fmt(l.p90()), l.samples() == 0 ? "none" : String.valueOf(l.samples()),
                    l.critical() ? "  critical path" : ""));
        }
        b.append(String.format("%-24s %-16s %7s %9s %9s %9s%n", "safety-rule evaluations", "", "", "", fmt(ruleMedian), fmt(ruleP90)));
        b.append("forecast RTO: ").append(fmt(median)).append(" (p90 ").append(fmt(p90)).append(")")
                .append(objective.map(o -> " against an objective of " + fmt(o)
                        + (p90.compareTo(o) <= 0 ? ": within it" : median.compareTo(o) <= 0 ? ": within it at the median, not at p90" : ": OVER it"))
                        .orElse(" (the inventory sets no objective)"))
                .append("; from ").append(runsRead).append(" earlier run(s) in the state dir");
        if (!unknown.isEmpty()) {
            b.append(System.lineSeparator()).append("no earlier run measured: ").append(String.join(", ", unknown))
                    .append(" (counted as 0 s; a drill measures them)");
        }
        return b.toString();
    }

    private static String fmt(Duration d) {
        return Durations.format(d, Durations.Style.COMPACT);
    }
}
