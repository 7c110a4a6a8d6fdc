package io.drctl.orchestrator.steps;

import io.drctl.orchestrator.spi.Cancellation;
import io.drctl.testing.UtcTestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told: {@link #advance} (what the step harness's {@code ActionContext.pause} does),
 * and inside {@link Cancellation#pause}, which some step types call directly: there every read of the clock moves it
 * on by {@link #PAUSE_STEP}, so the pause's own loop sees its end at once and nothing waits for real.
 */
public final class FakeClock extends UtcTestClock {
    /** How far one read of the clock from inside {@link Cancellation#pause} moves it. */
    public static final Duration PAUSE_STEP = Duration.ofSeconds(1);

    private final AtomicReference<Instant> now;

    public FakeClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** Starts at the real time (TSIG signatures are checked against it), truncated to the second. */
    public static FakeClock atRealTime() {
        return new FakeClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
    }

    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
        if (insideCancellationPause()) {
            return now.updateAndGet(t -> t.plus(PAUSE_STEP));
        }
        return now.get();
    }

    private static boolean insideCancellationPause() {
        return StackWalker.getInstance().walk(frames -> frames.limit(8).anyMatch(f ->
                f.getClassName().equals(Cancellation.class.getName()) && f.getMethodName().equals("pause")));
    }
}
