package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.HostAccess;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a run uses from its surroundings; tests inject their own.
 *
 * @param clock      time source
 * @param env        environment for secret references and local commands
 * @param hostAccess opens host access for an inventory (SSH in production)
 * @param user       {@code user} for the journal and approvals
 * @param host       this machine's name
 * @param progress   live progress sink
 * @param prompt     TTY prompt for approvals and confirmations, when interactive
 */
public record RunServices(Clock clock, Map<String, String> env, Function<Inventory, HostAccess> hostAccess, String user,
                          String host, Progress progress, Optional<Function<String, Optional<Boolean>>> prompt) {
    public RunServices {
        Objects.requireNonNull(clock, "clock");
        env = Map.copyOf(env);
        Objects.requireNonNull(hostAccess, "hostAccess");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(prompt, "prompt");
    }
}
