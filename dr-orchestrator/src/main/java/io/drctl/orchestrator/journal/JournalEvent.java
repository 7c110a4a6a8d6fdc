package io.drctl.orchestrator.journal;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a run's journal.
 *
 * @param seq    1-based sequence number within the run (continues across resumes)
 * @param at     when it was written
 * @param event  event name, e.g. {@code action.applying}
 * @param step   step id, for step and action events
 * @param target action target, for action events
 * @param data   further fields (never secrets)
 */
public record JournalEvent(long seq, Instant at, String event, Optional<String> step, Optional<String> target,
                           Map<String, Object> data) {
    public JournalEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(target, "target");
        data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
    }

    public String str(String key) {
        Object v = data.get(key);
        return v == null ? null : v.toString();
    }

    /** {@code event step target}, compact, for tests asserting sequences. */
    public String brief() {
        return event + step.map(s -> " " + s).orElse("") + target.map(t -> " " + t).orElse("");
    }
}
