package io.drctl.orchestrator.readiness;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The daemon's shared state: the last round's result, when a round last passed, and the round counters; safe across
 * threads. A daemon in a cluster also has a {@link Cluster}: while its store is up, the last round and the counters are
 * the cluster's (whichever daemon ran the round); while it is down, this daemon's own.
 */
public final class ReadinessState {
    private final AtomicReference<ReadinessResult> last = new AtomicReference<>();
    private final AtomicReference<Instant> lastPassed = new AtomicReference<>();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong notReady = new AtomicLong();
    private volatile Cluster cluster;

    /** What a daemon in a cluster knows of its store; implemented by the cluster's supervisor. */
    public interface Cluster {
        /** The store can be used (this daemon is in the cluster). */
        boolean storeUp();

        /** One line for {@code /healthz}: {@code clustered as instance d1} or {@code unreachable since ...: why}. */
        String storeDetail();

        /** {@code clustered} or {@code standalone}. */
        String mode();

        /** The cluster's newest round (inner empty: none yet); outer empty when the store cannot answer. */
        Optional<Optional<ReadinessResult>> last();

        /** The cluster's rounds since this daemon started, {@code [all, not ready]}; empty when the store cannot answer. */
        Optional<long[]> counts();
    }

    /** Serves the cluster's rounds from now on. */
    public void join(Cluster c) {
        cluster = c;
    }

    public Optional<Cluster> cluster() {
        return Optional.ofNullable(cluster);
    }

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

    /** The last round: the cluster's while its store is up, else this daemon's. */
    public Optional<ReadinessResult> last() {
        Cluster c = cluster;
        if (c != null && c.storeUp()) {
            Optional<Optional<ReadinessResult>> shared = c.last();
            if (shared.isPresent()) {
                return shared.get();
            }
        }
        return Optional.ofNullable(last.get());
    }

    /**
     * When the latest round that passed (every check) finished; empty until one has. In a cluster: the later of this
     * daemon's own and the cluster's newest round when that one passed.
     */
    public Optional<Instant> lastPassed() {
        return lastPassed(last());
    }

    /** {@link #lastPassed()}, given the {@link #last()} round the caller already read (one store query, not two). */
    public Optional<Instant> lastPassed(Optional<ReadinessResult> newest) {
        Instant mine = lastPassed.get();
        Optional<Instant> shared = newest.filter(ReadinessResult::ok).map(ReadinessResult::finished);
        if (shared.isPresent() && (mine == null || shared.get().isAfter(mine))) {
            return shared;
        }
        return Optional.ofNullable(mine);
    }

    /** Rounds finished since start (the cluster's while its store is up). */
    public long runsTotal() {
        return counts()[0];
    }

    /** Rounds finished since start that were not ready (the cluster's while its store is up). */
    public long notReadyTotal() {
        return counts()[1];
    }

    /** {@code [runsTotal, notReadyTotal]} read together (one store query while clustered). */
    public long[] counts() {
        Cluster c = cluster;
        if (c != null && c.storeUp()) {
            Optional<long[]> shared = c.counts();
            if (shared.isPresent()) {
                return shared.get();
            }
        }
        return new long[] {runs.get(), notReady.get()};
    }
}
