package io.drctl.orchestrator.journal;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The closed set of journal events. The wire name ({@code action.applying}) is what the journal
 * file holds; code uses the constants. An event name the reader does not know (a newer drctl) is
 * kept as detail and ignored by replay.
 */
public enum EventType {
    RUN_STARTED("run.started"),
    RUN_RESUMED("run.resumed"),
    RUN_FINISHED("run.finished"),
    JOURNAL_REPAIRED("journal.repaired"),
    STEP_STARTED("step.started"),
    STEP_ALREADY_DONE("step.already-done"),
    STEP_FINISHED("step.finished"),
    ACTION_STARTED("action.started"),
    ACTION_ALREADY_DONE("action.already-done"),
    /** An earlier attempt was applying when drctl stopped: its command's fate is unknown. */
    ACTION_FATE_UNKNOWN("action.fate-unknown"),
    ACTION_PROBED("action.probed"),
    ACTION_WOULD_APPLY("action.would-apply"),
    ACTION_APPLYING("action.applying"),
    ACTION_APPLIED("action.applied"),
    ACTION_VERIFIED("action.verified"),
    ACTION_ATTEMPT_FAILED("action.attempt-failed"),
    ACTION_RETRYING("action.retrying"),
    ACTION_NOTE("action.note"),
    /** A figure an action observed ({@code spi.Figure}: name, labels, value). */
    ACTION_OBSERVED("action.observed"),
    /** What a verification observed: observer, subject (what was looked at), observed, expected, ok, attempt (the drill report's evidence rows). */
    ACTION_EVIDENCE("action.evidence"),
    ACTION_FINISHED("action.finished"),
    ROLLBACK_STARTED("rollback.started"),
    ROLLBACK_FINISHED("rollback.finished"),
    ACTION_WOULD_REVERT("action.would-revert"),
    ACTION_REVERTING("action.reverting"),
    ACTION_REVERTED("action.reverted"),
    ACTION_NOT_REVERTIBLE("action.not-revertible"),
    ACTION_REVERT_FAILED("action.revert-failed"),
    RULE_CHECKED("rule.checked"),
    RULE_VIOLATED("rule.violated"),
    RULE_OVERRIDDEN("rule.overridden"),
    /** A readiness daemon recorded a change of readiness and what became of its webhook message ({@code <state-dir>/readiness/changes/}). */
    READINESS_CHANGED("readiness.changed"),
    /** The run treats targets as lost ({@code --assume-lost}): journaled after {@code run.started}/{@code run.resumed}. */
    FAULT_INJECTED("fault.injected"),
    /** Something an action (or a rule) would have sent to a lost target was not sent: once per action, what and target. */
    ACTION_SKIPPED_LOST("action.skipped-lost");

    private static final Map<String, EventType> BY_WIRE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(EventType::wire, Function.identity()));

    private final String wire;

    EventType(String wire) {
        this.wire = wire;
    }

    /** The name written to the journal. */
    public String wire() {
        return wire;
    }

    public static Optional<EventType> fromWire(String name) {
        return Optional.ofNullable(BY_WIRE.get(name));
    }

    @Override
    public String toString() {
        return wire;
    }
}
