package io.drctl.host;

import java.time.Duration;

/** Waits between polls or attempts; injected so tests advance a fake clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    /** Blocks for {@code duration}; a zero or negative duration returns at once. */
    void sleep(Duration duration) throws InterruptedException;

    /** The real thing: {@link Thread#sleep(long)}. */
    static Sleeper system() {
        return d -> Thread.sleep(Math.max(0, d.toMillis()));
    }
}
