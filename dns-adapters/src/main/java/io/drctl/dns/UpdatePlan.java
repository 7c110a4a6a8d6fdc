package io.drctl.dns;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an update will send, computed from the primary's current records: the changes still needed
 * (each with the RRset it must find — the prerequisite — and the TTL it will write).
 *
 * @param zone        the zone
 * @param current     the primary's records as read when planning
 * @param changes     the records to change; empty = already satisfied, nothing will be sent
 * @param forceReason set when the change threshold was passed by force
 */
public record UpdatePlan(DnsZone zone, List<RecordState> current, List<Change> changes, Optional<String> forceReason) {
    public UpdatePlan {
        current = List.copyOf(current);
        changes = List.copyOf(changes);
    }

    /**
     * One record's change.
     *
     * @param flip        the record with {@code from} = the whole RRset the prerequisite requires
     * @param ttl         the TTL to write
     */
    public record Change(RecordFlip flip, Duration ttl) {
        @Override
        public String toString() {
            return flip + " ttl " + ttl.toSeconds();
        }
    }

    /** True when every record already holds its target: applying sends nothing. */
    public boolean satisfied() {
        return changes.isEmpty();
    }

    /** A diff, one line per change. */
    public String describe() {
        if (changes.isEmpty()) {
            return "zone " + zone.name() + ": already satisfied, nothing to send";
        }
        return "zone " + zone.name() + " at " + zone.primary() + ":\n"
                + changes.stream().map(c -> "  " + c).collect(Collectors.joining("\n"));
    }
}
