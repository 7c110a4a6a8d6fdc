package io.drctl.vm;

import io.drctl.host.Polling;
import io.drctl.host.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits after a power-on until a guest is usable: polls {@link ReadinessCheck}s (SSH banner, named TCP ports, a
 * command) until all pass in the same round, bounded by a timeout measured on the injected {@link Clock}.
 */
public final class GuestWait {

    private static final Logger log = LoggerFactory.getLogger(GuestWait.class);

    private final Polling polling;

    /**
     * @param clock        measures the timeout and the elapsed time
     * @param sleeper      waits between rounds
     * @param pollInterval wait between rounds (capped by the time left)
     */
    public GuestWait(Clock clock, Sleeper sleeper, Duration pollInterval) {
        if (Objects.requireNonNull(pollInterval, "pollInterval").isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
        }
        this.polling = new Polling(clock, sleeper, pollInterval);
    }

    /** System clock, real sleeps, 2 s between rounds. */
    public static GuestWait system() {
        return new GuestWait(Clock.systemUTC(), Sleeper.system(), Duration.ofSeconds(2));
    }

    /**
     * Polls until every check passes in one round.
     *
     * @param guest   name for messages, e.g. {@code region2/mfwk-p (10.77.2.10)}
     * @param checks  at least one check
     * @param timeout overall bound; at least one round always runs
     * @return how long it took
     * @throws VmException {@link VmException.Kind#GUEST_NOT_READY} naming every check's last outcome and the
     *                     elapsed time; {@link VmException.Kind#INTERRUPTED} if interrupted
     */
    public GuestReady await(String guest, List<ReadinessCheck> checks, Duration timeout) throws VmException {
        Objects.requireNonNull(guest, "guest");
        if (checks.isEmpty()) {
            throw new IllegalArgumentException("no readiness checks for guest " + guest);
        }
        Polling.Rounds rounds = polling.start(timeout);
        while (true) {
            int attempt = rounds.next();
            List<CheckOutcome> report = checkOnce(checks);
            boolean allReady = report.stream().allMatch(CheckOutcome::ready);
            Duration elapsed = rounds.elapsed();
            if (allReady) {
                log.info("guest {} ready after {} ms ({} rounds)", guest, elapsed.toMillis(), attempt);
                return new GuestReady(guest, checks.stream().map(ReadinessCheck::describe).toList(), elapsed, attempt);
            }
            if (rounds.over(elapsed)) {
                throw new VmException(VmException.Kind.GUEST_NOT_READY, guest, "guest " + guest + " not ready after "
                        + seconds(elapsed) + " (timeout " + seconds(timeout) + ", " + attempt + " rounds): "
                        + String.join("; ", report.stream().map(CheckOutcome::toString).toList()));
            }
            log.debug("guest {} not ready yet: {}", guest, report);
            try {
                rounds.pause(elapsed);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException(VmException.Kind.INTERRUPTED, guest, "waiting for guest " + guest
                        + " interrupted after " + seconds(elapsed), e);
            }
        }
    }

    /**
     * Runs every check once without waiting: the read-only readiness probe (e.g. for {@code plan} and
     * {@code readiness} reports).
     *
     * @return one outcome per check, in order
     */
    public static List<CheckOutcome> checkOnce(List<ReadinessCheck> checks) {
        List<CheckOutcome> out = new ArrayList<>();
        for (ReadinessCheck c : checks) {
            out.add(new CheckOutcome(c.describe(), c.check()));
        }
        return out;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format("%.1f s", d.toMillis() / 1000.0);
    }
}
