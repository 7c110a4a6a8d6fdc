package io.drctl.orchestrator.spi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A deadline plus a cancel flag, shared by every attempt of one action. Long-running verbs call
 * {@link #check()} between operations, {@link #pause} instead of {@code Thread.sleep}, and bound
 * every blocking call by {@link #remaining}.
 */
public final class Cancellation {
    private final Clock clock;
    private final Optional<Instant> deadline;
    private final String what;
    private volatile boolean cancelled;
    private final Object lock = new Object();

    public Cancellation(Clock clock, Optional<Instant> deadline, String what) {
        this.clock = clock;
        this.deadline = deadline;
        this.what = what;
    }

    /** No deadline. */
    public static Cancellation none(Clock clock) {
        return new Cancellation(clock, Optional.empty(), "");
    }

    public Optional<Instant> deadline() {
        return deadline;
    }

    public void cancel() {
        cancelled = true;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    public boolean isCancelled() {
        return cancelled || Thread.currentThread().isInterrupted()
                || deadline.map(d -> !clock.instant().isBefore(d)).orElse(false);
    }

    /** Time left until the deadline, capped at {@code cap}; {@code cap} when there is no deadline. */
    public Duration remaining(Duration cap) {
        if (deadline.isEmpty()) {
            return cap;
        }
        Duration left = Duration.between(clock.instant(), deadline.get());
        if (left.isNegative()) {
            return Duration.ZERO;
        }
        return left.compareTo(cap) < 0 ? left : cap;
    }

    /** Throws when cancelled or past the deadline. */
    public void check() throws CancelledException {
        if (cancelled) {
            throw new CancelledException(what + ": cancelled", false);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new CancelledException(what + ": interrupted", false);
        }
        if (deadline.isPresent() && !clock.instant().isBefore(deadline.get())) {
            throw new CancelledException(what + ": timed out at " + deadline.get(), true);
        }
    }

    /**
     * Waits {@code d} of the clock's time (shortened to the deadline), waking early on cancel; then
     * {@link #check()}. Waits in short slices and re-reads the clock, so an injected clock is honoured.
     */
    public void pause(Duration d) throws CancelledException {
        check();
        Instant until = clock.instant().plus(remaining(d));
        while (!cancelled && clock.instant().isBefore(until)) {
            long ms = Math.min(SLICE_MS, Math.max(1, Duration.between(clock.instant(), until).toMillis()));
            synchronized (lock) {
                if (cancelled) {
                    break;
                }
                try {
                    lock.wait(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        check();
    }

    private static final long SLICE_MS = 50;
}
