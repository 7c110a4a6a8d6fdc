package io.drctl.dbms;

import java.time.Duration;

/**
 * What {@link PostgresPromoter#promote} did.
 *
 * @param instance the instance's name
 * @param outcome  promoted now, or already primary (nothing done)
 * @param before   probe before acting
 * @param after    probe after acting (role is always {@link PgRole#PRIMARY})
 * @param writeCheckXid transaction id of the write check that proved the server accepts writes
 * @param elapsed  time from the first probe to the end of the write check (injected clock)
 */
public record PromoteResult(String instance, Outcome outcome, PgProbe before, PgProbe after, long writeCheckXid,
                            Duration elapsed) {

    /** Whether a promotion was performed. */
    public enum Outcome {
        /** The server was a replica and is now a writable primary. */
        PROMOTED,
        /** The server already was a primary; nothing was sent except read-only probes and the write check. */
        ALREADY_PRIMARY
    }

    public boolean changed() {
        return outcome == Outcome.PROMOTED;
    }
}
