package io.drctl.orchestrator.engine;

import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.HostAccess;
import io.drctl.orchestrator.spi.LostTargets;
import java.time.Duration;
import java.util.Optional;

/**
 * The one SSH choke point of {@code --assume-lost}: a lost host's session is refused before the
 * underlying access is asked (no socket is opened), with the failure kind of an unreachable host, and
 * its SSH port "does not answer". Every other host goes through unchanged. Closing is the run's job
 * (it closes the access it opened), so this view closes nothing.
 */
final class LostHostAccess implements HostAccess {
    private final HostAccess delegate;
    private final LostTargets lost;

    private LostHostAccess(HostAccess delegate, LostTargets lost) {
        this.delegate = delegate;
        this.lost = lost;
    }

    /** {@code delegate} refusing the hosts of {@code lost}; {@code delegate} itself when nothing is lost. */
    static HostAccess of(HostAccess delegate, LostTargets lost) {
        return lost.hosts().isEmpty() ? delegate : new LostHostAccess(delegate, lost);
    }

    @Override
    public CommandRunner runner(Host host) throws HostAccessException {
        Optional<String> fault = lost.host(host);
        if (fault.isPresent()) {
            throw new HostAccessException(HostAccessException.Kind.UNREACHABLE, host.ref(),
                    lost.refuse(fault.get(), "ssh", host.ref()));
        }
        return delegate.runner(host);
    }

    @Override
    public boolean answers(Host host, Duration timeout) {
        Optional<String> fault = lost.host(host);
        if (fault.isPresent()) {
            lost.refuse(fault.get(), "ssh port probe", host.ref());
            return false;
        }
        return delegate.answers(host, timeout);
    }

    /** Warms the hosts not assumed lost, by name or address (a lost host is never contacted, not even to warm it). */
    @Override
    public void warm(java.util.Collection<Host> hosts) {
        delegate.warm(hosts.stream().filter(h -> lost.host(h).isEmpty() && lost.address(h.address()).isEmpty()).toList());
    }

    @Override
    public void close() {
        // the run closes the access it opened
    }
}
