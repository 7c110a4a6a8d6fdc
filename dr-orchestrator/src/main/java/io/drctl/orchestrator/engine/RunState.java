package io.drctl.orchestrator.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run's state replayed from its journal: status per step and per action, the run's inputs, and
 * the completion order of changed actions (for rollback).
 */
public final class RunState {
    private final List<JournalEvent> events;
    private final Map<String, Status> steps = new LinkedHashMap<>();
    private final Map<String, Status> actions = new LinkedHashMap<>();
    private final List<String[]> changed = new ArrayList<>();
    private final Map<String, Object> start;
    private Status run = Status.PENDING;

    private RunState(List<JournalEvent> events) {
        this.events = List.copyOf(events);
        Map<String, Object> s = Map.of();
        for (JournalEvent e : events) {
            String step = e.step().orElse(null);
            String key = step + "\u0000" + e.target().orElse("");
            switch (e.event()) {
                case "run.started" -> {
                    s = e.data();
                    run = Status.RUNNING;
                }
                case "run.resumed", "rollback.started" -> run = Status.RUNNING;
                case "run.finished", "rollback.finished" -> run = Status.valueOf(e.str("status"));
                case "step.started" -> steps.put(step, Status.RUNNING);
                case "step.finished" -> steps.put(step, Status.valueOf(e.str("status")));
                case "action.started" -> actions.put(key, Status.RUNNING);
                case "action.finished" -> {
                    Status st = Status.valueOf(e.str("status"));
                    actions.put(key, st);
                    if (st == Status.SUCCEEDED) {
                        changed.add(new String[] {step, e.target().orElse("")});
                    }
                }
                case "action.reverted" -> {
                    actions.put(key, Status.REVERTED);
                    changed.removeIf(c -> c[0].equals(step) && c[1].equals(e.target().orElse("")));
                }
                default -> {
                    // other events carry detail only
                }
            }
        }
        this.start = s;
    }

    public static RunState replay(List<JournalEvent> events) {
        return new RunState(events);
    }

    public List<JournalEvent> events() {
        return events;
    }

    public Status runStatus() {
        return run;
    }

    public Map<String, Status> steps() {
        return steps;
    }

    public Status step(String id) {
        return steps.getOrDefault(id, Status.PENDING);
    }

    public Status action(String step, String target) {
        return actions.getOrDefault(step + "\u0000" + target, Status.PENDING);
    }

    /** (step, target) of actions that changed something and are not yet reverted, in completion order. */
    public List<String[]> changedInOrder() {
        return changed;
    }

    /** Data of the {@code run.started} event: runbook, params, dryRun... */
    public Map<String, Object> start() {
        return start;
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> params() {
        Object p = start.get("params");
        return p instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of();
    }

    public Optional<String> runbookName() {
        return Optional.ofNullable((String) start.get("runbook"));
    }
}
