package io.drctl.orchestrator.steps.support;

import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.Action;

/** An action on one host ({@code db.promote}, {@code vm.start}, ...): its target is the host's reference, e.g. {@code region2/dbms}. */
public interface HostAction extends Action {

    /** The host this action works on. */
    Host host();

    @Override
    default String target() {
        return host().ref();
    }

    /**
     * An action that runs commands on its host over SSH: its host's session is opened before it is needed
     * (see {@link Action#sessions()}).
     */
    interface OverSsh extends HostAction {
        @Override
        default java.util.List<Host> sessions() {
            return java.util.List.of(host());
        }
    }
}
