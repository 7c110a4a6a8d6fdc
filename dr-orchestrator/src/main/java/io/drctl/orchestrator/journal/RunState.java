package io.drctl.orchestrator.journal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A run's state replayed from its journal: status per step and per action, the run's inputs, the
 * completion order of actions that changed something (for rollback), and the actions whose last
 * attempt was cut off while applying (their command's fate is unknown).
 *
 * <p>After a rollback, reverted actions are {@link Status#REVERTED} and their steps too, so a resume
 * re-probes and re-applies them; the run's status is the rollback's.
 */
public final class RunState {
    private final List<JournalEvent> events;
    private final Map<String, Status> steps = new LinkedHashMap<>();
    private final Map<ActionKey, Status> actions = new LinkedHashMap<>();
    private final List<ActionKey> changed = new ArrayList<>();
    private final Set<ActionKey> applying = new LinkedHashSet<>();
    private final Set<ActionKey> observing = new LinkedHashSet<>();
    private final List<Long> pids = new ArrayList<>();
    private final Map<String, Object> start;
    private final boolean hasStart;
    private Status run = Status.PENDING;

    private RunState(List<JournalEvent> events) {
        this.events = List.copyOf(events);
        Map<String, Object> s = Map.of();
        boolean started = false;
        for (JournalEvent e : events) {
            Optional<EventType> type = EventType.fromWire(e.event());
            if (type.isEmpty()) {
                continue; // written by a newer drctl: detail only
            }
            String step = e.step().orElse(null);
            ActionKey key = step == null ? null : new ActionKey(step, e.target().orElse(""));
            switch (type.get()) {
                case RUN_STARTED -> {
                    s = e.data();
                    started = true;
                    run = Status.RUNNING;
                    pid(e);
                }
                case RUN_RESUMED -> {
                    run = Status.RUNNING;
                    pid(e);
                }
                case ROLLBACK_STARTED -> run = Status.RUNNING;
                case RUN_FINISHED, ROLLBACK_FINISHED -> run = Status.valueOf(e.str("status"));
                case STEP_STARTED -> steps.put(step, Status.RUNNING);
                case STEP_FINISHED -> steps.put(step, Status.valueOf(e.str("status")));
                case ACTION_STARTED -> {
                    actions.put(key, Status.RUNNING);
                    if (Boolean.FALSE.equals(e.data().get("changes"))) {
                        observing.add(key);
                    }
                }
                case ACTION_APPLYING -> applying.add(key);
                case ACTION_APPLIED, ACTION_ATTEMPT_FAILED -> applying.remove(key);
                case ACTION_FINISHED -> {
                    applying.remove(key);
                    Status st = Status.valueOf(e.str("status"));
                    actions.put(key, st);
                    if (st == Status.SUCCEEDED && !observing.contains(key)) {
                        changed.add(key);
                    }
                }
                case ACTION_REVERTED -> {
                    actions.put(key, Status.REVERTED);
                    steps.put(step, Status.REVERTED);
                    changed.remove(key);
                }
                default -> {
                    // other events carry detail only
                }
            }
        }
        this.start = s;
        this.hasStart = started;
    }

    private void pid(JournalEvent e) {
        if (e.data().get("pid") instanceof Number n) {
            pids.add(n.longValue());
        }
    }

    public static RunState replay(List<JournalEvent> events) {
        return new RunState(events);
    }

    public List<JournalEvent> events() {
        return events;
    }

    /** Whether the journal holds its {@code run.started} line (the run's inputs). */
    public boolean hasStart() {
        return hasStart;
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

    public Status action(ActionKey key) {
        return actions.getOrDefault(key, Status.PENDING);
    }

    /** Actions that changed something and are not yet reverted, in completion order. */
    public List<ActionKey> changedInOrder() {
        return changed;
    }

    /**
     * Actions whose last attempt journaled {@code action.applying} and nothing after it: drctl stopped
     * while the change was being made, so whether it happened (or is still happening) is unknown.
     */
    public Set<ActionKey> fateUnknown() {
        return applying;
    }

    /** The process ids of the drctl processes that ran this run (start and resumes), oldest first. */
    public List<Long> pids() {
        return pids;
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
