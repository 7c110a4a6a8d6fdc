package io.drctl.host;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The pace of a poll loop: rounds {@code interval} apart until a timeout, measured with an injected {@link Clock}
 * and waited with an injected {@link Sleeper}. The number of rounds is bounded too ({@code timeout / interval + 2}),
 * so a clock that does not advance cannot make a loop spin forever.
 */
public final class Polling {
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration interval;

    /**
     * @param clock    measures each wait's timeout
     * @param sleeper  waits between rounds
     * @param interval time between rounds
     */
    public Polling(Clock clock, Sleeper sleeper, Duration interval) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    /** Starts one wait of at most {@code timeout}: its clock runs from now. */
    public Rounds start(Duration timeout) {
        return new Rounds(timeout);
    }

    /** The rounds of one wait. */
    public final class Rounds {
        private final Duration timeout;
        private final Instant start;
        private final long maxRounds;
        private int count;

        private Rounds(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            this.start = clock.instant();
            this.maxRounds = timeout.toMillis() / Math.max(1, interval.toMillis()) + 2;
        }

        /** Begins the next round; returns its number, counting from 1. */
        public int next() {
            return ++count;
        }

        /** The rounds begun so far. */
        public int count() {
            return count;
        }

        /** Time since the wait started. */
        public Duration elapsed() {
            return Duration.between(start, clock.instant());
        }

        /** Whether no further round may start, {@code elapsed} (from {@link #elapsed()}) into the wait. */
        public boolean over(Duration elapsed) {
            return elapsed.compareTo(timeout) >= 0 || count >= maxRounds;
        }

        /** Sleeps until the next round: the interval, or what is left of the timeout when that is less. */
        public void pause(Duration elapsed) throws InterruptedException {
            Duration left = timeout.minus(elapsed);
            sleeper.sleep(left.compareTo(interval) < 0 ? left : interval);
        }
    }
}
