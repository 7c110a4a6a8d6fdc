package io.drctl.dns;

import java.util.List;
import java.util.Optional;

/** The result of an update that did not fail. */
public sealed interface UpdateOutcome {

    /** The records already held the target: nothing was sent. */
    record AlreadySatisfied(List<String> names) implements UpdateOutcome {
        public AlreadySatisfied {
            names = List.copyOf(names);
        }
    }

    /** One UPDATE was sent and accepted. */
    record Applied(List<UpdatePlan.Change> changes, Optional<String> forceReason) implements UpdateOutcome {
        public Applied {
            changes = List.copyOf(changes);
        }
    }

    /** Whether anything was sent. */
    default boolean sent() {
        return this instanceof Applied;
    }
}
