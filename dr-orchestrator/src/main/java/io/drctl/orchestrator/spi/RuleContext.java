package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.model.Inventory;
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

    /**
     * The targets assumed lost ({@code --assume-lost}): never contact them; {@link LostTargets#refuse} records
     * what was skipped. {@link #hosts()} already refuses their SSH sessions.
     */
    default LostTargets lost() {
        return LostTargets.NONE;
    }

    /** Environment for secret references ({@code keyEnv}); never journal the values. */
    Map<String, String> env();
}
