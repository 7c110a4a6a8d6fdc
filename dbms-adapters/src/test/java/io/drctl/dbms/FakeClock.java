package io.drctl.dbms;

import io.drctl.host.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when told; its {@link #sleeper()} advances it instead of sleeping. */
final class FakeClock extends Clock {
    private Instant now = Instant.parse("2024-05-01T10:00:00Z");
    int sleeps;

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    Sleeper sleeper() {
        return d -> {
            sleeps++;
            advance(d);
        };
    }
}
