package io.drctl.orchestrator;

import io.drctl.host.CommandRunner;
import io.drctl.host.HostAccessException;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.spi.HostAccess;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A host access for tests: a host in {@code unreachable} fails to connect with its kind (as SSH would report it),
 * a host in {@code silent} does not even answer TCP (a powered-off VM); every other host gets the runner
 * {@code runners} gives it. The maps are read at each call, so a test may change them meanwhile.
 */
public final class FakeHostAccess implements HostAccess {
    private final Map<String, HostAccessException.Kind> unreachable;
    private final Set<String> silent;
    private final Function<Host, CommandRunner> runners;

    /**
     * @param unreachable host reference ({@code region/name}) → how connecting to it fails
     * @param silent      host references whose SSH port does not answer
     * @param runners     the runner of every other host
     */
    public FakeHostAccess(Map<String, HostAccessException.Kind> unreachable, Set<String> silent,
                          Function<Host, CommandRunner> runners) {
        this.unreachable = unreachable;
        this.silent = silent;
        this.runners = runners;
    }

    @Override
    public CommandRunner runner(Host host) throws HostAccessException {
        HostAccessException.Kind k = unreachable.get(host.ref());
        if (k != null) {
            throw new HostAccessException(k, host.ref(), "ssh to " + host.address() + ": " + k);
        }
        return runners.apply(host);
    }

    @Override
    public boolean answers(Host host, Duration timeout) {
        return !silent.contains(host.ref());
    }
}
