package io.drctl.orchestrator.steps.support;

import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.ActionContext;
import io.drctl.orchestrator.spi.Reverted;

/**
 * An action whose apply leaves nothing behind to undo (an approval given, a port found accepting): it counts as
 * revertible, so neither a rollback nor a drill's choice between rollback and failback stops at it, and its revert
 * only says why nothing was done.
 */
public interface NothingToUndo extends Action {

    /** Why there is nothing to undo: the revert's journaled detail. */
    String nothingToUndo();

    @Override
    default boolean revertible() {
        return true;
    }

    @Override
    default Reverted revert(ActionContext ctx) {
        return Reverted.done(nothingToUndo());
    }
}
