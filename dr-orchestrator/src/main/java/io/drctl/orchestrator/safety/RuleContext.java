package io.drctl.orchestrator.safety;

import io.drctl.orchestrator.model.Inventory;
import io.drctl.orchestrator.spi.HostAccess;
import java.time.Clock;
import java.util.Map;

/** What a {@link SafetyRule} may use while evaluating: read-only access to the run's world. */
public interface RuleContext {

    /** The run's inventory. */
    Inventory inventory();

    /** Parameter values in effect. */
    Map<String, String> params();

    /** The run's host access (the same SSH sessions the steps use). Only read-only commands. */
    HostAccess hosts();

    /** Time source. */
    Clock clock();

    /** Environment for secret references ({@code keyEnv}); never journal the values. */
    Map<String, String> env();

    /**
     * Proof that {@code host} is powered off: its VM provider reports the VM stopped (a read-only status
     * call). Empty when the host has no VM, or the provider cannot be asked or says otherwise.
     */
    default java.util.Optional<String> poweredOff(io.drctl.orchestrator.model.Host host) {
        return java.util.Optional.empty();
    }
}
