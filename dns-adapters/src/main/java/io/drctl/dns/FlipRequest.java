package io.drctl.dns;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A set of A-record flips in one zone, sent as ONE update.
 *
 * @param flips     the records to move (distinct names)
 * @param ttl       the TTL to write; empty = keep each record's current TTL (read from the primary)
 * @param threshold the change limits
 */
public record FlipRequest(List<RecordFlip> flips, Optional<Duration> ttl, ChangeThreshold threshold) {
    public FlipRequest {
        flips = List.copyOf(flips);
        if (flips.isEmpty()) {
            throw new IllegalArgumentException("a flip request needs at least one record");
        }
        Set<String> seen = new HashSet<>();
        for (RecordFlip f : flips) {
            if (!seen.add(f.name())) {
                throw new IllegalArgumentException("record listed twice in one flip: " + f.name());
            }
        }
        if (ttl.isPresent() && (ttl.get().isNegative() || ttl.get().toSeconds() > 2147483647L)) {
            throw new IllegalArgumentException("TTL out of range: " + ttl.get());
        }
    }

    /** Flips with TTL kept, declared count = the number of flips, no zone-share limit. */
    public static FlipRequest of(List<RecordFlip> flips) {
        return new FlipRequest(flips, Optional.empty(), ChangeThreshold.declared(flips.size()));
    }

    public FlipRequest withTtl(Duration ttl) {
        return new FlipRequest(flips, Optional.of(ttl), threshold);
    }

    public FlipRequest withThreshold(ChangeThreshold t) {
        return new FlipRequest(flips, ttl, t);
    }

    /** The flip back: every record from its target to its expected old value. */
    public FlipRequest reversed() {
        return new FlipRequest(flips.stream().map(RecordFlip::reversed).toList(), ttl, threshold);
    }
}
