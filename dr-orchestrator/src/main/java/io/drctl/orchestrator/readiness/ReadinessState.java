package io.drctl.orchestrator.readiness;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The daemon's shared state: the last round's result, when a round last passed, and the round counters; safe across threads. */
public final class ReadinessState {
    private final AtomicReference<ReadinessResult> last = new AtomicReference<>();
    private final AtomicReference<Instant> lastPassed = new AtomicReference<>();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong notReady = new AtomicLong();

    /** Records a finished round. */
    public void record(ReadinessResult r) {
        last.set(r);
        if (r.ok()) {
            lastPassed.accumulateAndGet(r.finished(), (a, b) -> a == null || b.isAfter(a) ? b : a);
        }
        runs.incrementAndGet();
        if (!r.ok()) {
            notReady.incrementAndGet();
        }
    }

    public Optional<ReadinessResult> last() {
        return Optional.ofNullable(last.get());
    }

    /** When the latest round that passed (every check) finished; empty until one has. */
    public Optional<Instant> lastPassed() {
        return Optional.ofNullable(lastPassed.get());
    }

    /** Rounds finished since start. */
    public long runsTotal() {
        return runs.get();
    }

    /** Rounds finished since start that were not ready. */
    public long notReadyTotal() {
        return notReady.get();
    }
}
