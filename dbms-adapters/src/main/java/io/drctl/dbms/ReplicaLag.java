package io.drctl.dbms;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A replica's lag as its {@code lag} command reports it ({@link CommandDbms}). What the numbers measure is the
 * template's: e.g. bytes received but not replayed, or the age of the last replayed transaction.
 *
 * @param bytes the {@code bytes} group; empty when the pattern has none or it matched nothing (e.g. SQL NULL)
 * @param delay the {@code seconds} group; empty likewise; never negative (clock skew is clamped to zero)
 */
public record ReplicaLag(Optional<Long> bytes, Optional<Duration> delay) {
    public ReplicaLag {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(delay, "delay");
    }

    @Override
    public String toString() {
        return bytes.map(b -> b + " bytes").orElse("bytes unknown") + ", "
                + delay.map(d -> d.toMillis() / 1000.0 + " s").orElse("delay unknown");
    }
}
