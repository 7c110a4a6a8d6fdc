package io.drctl.orchestrator.spi;

import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.config.model.Host;

/**
 * Command access to inventory hosts for the duration of a run. The production implementation
 * opens one SSH session per host ({@code io.drctl.host.ssh.SshSessions}) with the inventory's SSH
 * settings and strict host-key checking; tests may map hosts to local or network-namespace runners.
 */
public interface HostAccess extends AutoCloseable {

    /** A runner for {@code host}; sessions are opened lazily and reused. Do not close it: the run does. */
    CommandRunner runner(Host host) throws HostAccessException;

    /**
     * A cheap reachability hint: false when {@code host} visibly cannot be reached within
     * {@code timeout} (e.g. its SSH port does not answer TCP), so callers may skip it without
     * waiting out a full connect timeout. True when reachable or when this access cannot tell.
     */
    default boolean answers(Host host, java.time.Duration timeout) {
        return true;
    }

    /**
     * Opens, in the background, the sessions a run is about to need, so that its first command to each host
     * does not wait for the handshake. Only hosts that answer at once are contacted; nothing is reported:
     * the command that needs a host reports whatever keeps it from being reached. Does nothing by default.
     */
    default void warm(java.util.Collection<Host> hosts) {
    }

    @Override
    default void close() {
    }
}
