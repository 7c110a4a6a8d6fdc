package io.drctl.vm;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A guest passed all its readiness checks.
 *
 * @param guest    the guest's name, e.g. {@code region2/mfwk-p}
 * @param checks   what was checked ({@link ReadinessCheck#describe()})
 * @param elapsed  time from the start of the wait to success (by the injected clock)
 * @param attempts rounds of checks run
 */
public record GuestReady(String guest, List<String> checks, Duration elapsed, int attempts) {
    public GuestReady {
        Objects.requireNonNull(guest, "guest");
        checks = List.copyOf(checks);
        Objects.requireNonNull(elapsed, "elapsed");
    }
}
