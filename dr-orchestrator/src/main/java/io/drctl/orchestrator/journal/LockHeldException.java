package io.drctl.orchestrator.journal;

/** Another run or resume holds the state directory's lock (CLI exit code 4). */
public class LockHeldException extends Exception {
    private final String holder;

    public LockHeldException(String stateDir, String holder) {
        super("another drctl run holds the lock on " + stateDir + ": " + holder
                + " — wait for it to finish, or check that process before anything else");
        this.holder = holder;
    }

    /** {@code pid=…, host=…, user=…, run=…, since=…}. */
    public String holder() {
        return holder;
    }
}
