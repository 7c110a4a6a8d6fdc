package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.model.Host;
import java.util.Objects;

/** A read-only check of one host ({@code vm.status}, {@code db.replica}): its target is the host. See {@link CheckAction}. */
public abstract class HostCheck extends CheckAction {
    protected final Host host;

    protected HostCheck(Host host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    /** The host's reference; final, so that the subject a failed verification names is the host checked. */
    @Override
    public final String target() {
        return host.ref();
    }
}
