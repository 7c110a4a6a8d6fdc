package io.drctl.dns;

import java.time.Duration;

/** Waits between polls; injected so tests can run waits against a fake clock. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    /** Real sleeping. */
    Sleeper SYSTEM = d -> Thread.sleep(Math.max(0, d.toMillis()));
}
