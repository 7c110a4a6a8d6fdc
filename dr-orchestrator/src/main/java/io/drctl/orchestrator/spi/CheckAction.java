package io.drctl.orchestrator.spi;

/**
 * What the read-only check step types share: a check's probe is the check itself (SATISFIED when it
 * passes, NEEDED with what was seen otherwise); apply changes nothing; verify repeats the check, so a
 * failing check ends as a failed verification naming expected vs seen.
 */
public abstract class CheckAction implements Action {

    /** What a failed verification names (the host, the server): the action's target unless the check says otherwise. */
    protected String subject() {
        return target();
    }

    @Override
    public final boolean changes() {
        return false;
    }

    /** Nothing is changed, ever. */
    @Override
    public final Applied apply(ActionContext ctx) {
        return Applied.of("read-only check: nothing changed");
    }

    /** The repeated probe: ok with what was seen, or failed naming expected vs seen. */
    @Override
    public final Verified verify(ActionContext ctx) throws Exception {
        return Verified.byProbe(probe(ctx), subject());
    }
}
