package io.drctl.orchestrator.engine;

import io.drctl.testing.UtcTestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test clock: starts at a fixed instant, runs {@code factor} times faster than real time, and can
 * be moved forward by hand ({@link #advance}). {@code factor} 0 is a clock that moves only by hand.
 */
public final class ScaledClock extends UtcTestClock {
    private final Instant base;
    private final long startNanos = System.nanoTime();
    private final long factor;
    private final AtomicLong extraNanos = new AtomicLong();

    public ScaledClock(Instant base, long factor) {
        this.base = base;
        this.factor = factor;
    }

    public void advance(Duration d) {
        extraNanos.addAndGet(d.toNanos());
    }

    @Override
    public Instant instant() {
        return base.plusNanos((System.nanoTime() - startNanos) * factor + extraNanos.get());
    }
}
