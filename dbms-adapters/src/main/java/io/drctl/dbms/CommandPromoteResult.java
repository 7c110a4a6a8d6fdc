package io.drctl.dbms;

import java.time.Duration;

/**
 * What {@link CommandDbms#promote} did.
 *
 * @param instance     the instance's name
 * @param outcome      promoted now, or already primary (the promote command was not run, or it failed while
 *                     the server became primary anyway)
 * @param before       probe before acting
 * @param after        probe after acting (role {@link DbmsRole#PRIMARY})
 * @param writeChecked true when the {@code writeCheck} command ran and exited 0; false when none is configured
 * @param elapsed      time from the first probe to the end (injected clock)
 */
public record CommandPromoteResult(String instance, PromoteResult.Outcome outcome, CommandDbmsProbe before,
                                   CommandDbmsProbe after, boolean writeChecked, Duration elapsed) {
    public boolean changed() {
        return outcome == PromoteResult.Outcome.PROMOTED;
    }
}
