package io.drctl.testing;

import io.drctl.host.Sleeper;
import java.time.Duration;
import java.time.Instant;

/**
 * A UTC clock that moves only when told; its {@link #sleeper()} advances it instead of sleeping and counts the
 * sleeps. Safe to read and advance from several threads.
 */
public final class FakeClock extends UtcTestClock {
    private Instant now;
    private int sleeps;

    /** Starts at 2026-01-01T00:00:00Z. */
    public FakeClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public FakeClock(Instant start) {
        this.now = start;
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    /** A sleeper that does not sleep but moves this clock forward, counted in {@link #sleeps()}. */
    public Sleeper sleeper() {
        return d -> {
            synchronized (this) {
                sleeps++;
                advance(d);
            }
        };
    }

    /** How often the {@link #sleeper()} was called. */
    public synchronized int sleeps() {
        return sleeps;
    }
}
