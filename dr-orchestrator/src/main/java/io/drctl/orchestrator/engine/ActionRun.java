package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.journal.ActionKey;
import io.drctl.orchestrator.journal.EventType;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.journal.Status;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Figure;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The journal of one action: nothing is written for it after its {@code action.finished}. */
final class ActionRun {
    final ActionKey key;
    final Action action;
    private final Journal journal;
    private final Redactor redactor;
    private boolean finished;
    private Status status;
    private final Map<String, Double> observed = new HashMap<>();

    ActionRun(ActionKey key, Action action, Journal journal, Redactor redactor) {
        this.key = key;
        this.action = action;
        this.journal = journal;
        this.redactor = redactor;
    }

    synchronized boolean log(EventType event, Map<String, ?> data) {
        if (finished) {
            return false;
        }
        journal.append(event, key.step(), key.target(), data);
        return true;
    }

    /**
     * Journals {@code action.observed}, unless the action's latest journaled reading of the figure has the same value
     * (a check's verify repeats its probe: the same reading twice is one line).
     */
    synchronized void observed(Figure f) {
        Double before = observed.put(f.key(), f.value());
        if (before == null || before != f.value()) {
            log(EventType.ACTION_OBSERVED, f.toMap());
        }
    }

    /** Journals {@code action.finished} once; returns the status that stands. */
    synchronized Status finish(Status st, String error, Map<String, String> errors) {
        if (finished) {
            return status;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", st.name());
        if (error != null) {
            String e = redactor.redact(error);
            data.put("error", e);
            errors.putIfAbsent(key.target(), e);
        }
        journal.append(EventType.ACTION_FINISHED, key.step(), key.target(), data);
        finished = true;
        status = st;
        return st;
    }
}
