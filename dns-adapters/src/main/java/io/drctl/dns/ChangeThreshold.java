package io.drctl.dns;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Limits on how much one update may change (as octoDNS does): at most {@code declaredRecords} names, and
 * at most {@code maxZoneShare} of the zone's A RRsets, unless forced with a reason.
 *
 * @param declaredRecords how many records the runbook declares for this step
 * @param maxZoneShare    the largest allowed fraction (0 &lt; share &le; 1) of the zone's A RRsets in one update
 * @param zoneARecords    the number of A RRsets in the zone, if known; otherwise counted by a signed AXFR
 * @param forceReason     a reason to go over the limits (journaled by the caller); empty = not forced
 */
public record ChangeThreshold(int declaredRecords, double maxZoneShare, OptionalInt zoneARecords, Optional<String> forceReason) {
    public ChangeThreshold {
        if (declaredRecords < 1) {
            throw new IllegalArgumentException("declaredRecords must be at least 1: " + declaredRecords);
        }
        if (!(maxZoneShare > 0 && maxZoneShare <= 1)) {
            throw new IllegalArgumentException("maxZoneShare must be in (0, 1]: " + maxZoneShare);
        }
        if (zoneARecords.isPresent() && zoneARecords.getAsInt() < 1) {
            throw new IllegalArgumentException("zoneARecords must be at least 1: " + zoneARecords.getAsInt());
        }
        if (forceReason.isPresent() && forceReason.get().isBlank()) {
            throw new IllegalArgumentException("forcing a change over the threshold needs a non-blank reason");
        }
    }

    /** Declared count and share; the zone is counted by AXFR when needed. */
    public static ChangeThreshold of(int declaredRecords, double maxZoneShare) {
        return new ChangeThreshold(declaredRecords, maxZoneShare, OptionalInt.empty(), Optional.empty());
    }

    /** No share limit, only the declared count. */
    public static ChangeThreshold declared(int declaredRecords) {
        return new ChangeThreshold(declaredRecords, 1.0, OptionalInt.empty(), Optional.empty());
    }

    public ChangeThreshold withZoneCount(int count) {
        return new ChangeThreshold(declaredRecords, maxZoneShare, OptionalInt.of(count), forceReason);
    }

    public ChangeThreshold forced(String reason) {
        return new ChangeThreshold(declaredRecords, maxZoneShare, zoneARecords, Optional.of(reason));
    }
}
