package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.model.Inventory;
import io.drctl.orchestrator.spi.HostAccess;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the engine runs.
 *
 * @param dryRun     probe only; never apply or revert (enforced in {@link Engine} in one place)
 * @param assumeYes  pre-approve every approval step ({@code --yes})
 * @param clock      time source
 * @param env        environment for secret references and local commands
 * @param hostAccess opens host access for an inventory (SSH in production)
 * @param user       {@code user} for the journal and approvals
 * @param host       this machine's name
 * @param progress   live progress sink
 * @param prompt     TTY prompt for approvals, when interactive
 * @param overrides  safety rules the operator overrides ({@code --override-rule ID --reason TEXT}): rule id to
 *                   reason; a violation of such a rule is journaled as {@code rule.overridden} and the run goes on
 */
public record EngineOptions(boolean dryRun, boolean assumeYes, Clock clock, Map<String, String> env,
                            Function<Inventory, HostAccess> hostAccess, String user, String host, Progress progress,
                            Optional<Function<String, Optional<Boolean>>> prompt, Map<String, String> overrides) {
    public EngineOptions {
        overrides = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(overrides));
        overrides.forEach((rule, reason) -> {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("override of rule '" + rule + "' needs a reason, got '" + reason + "'");
            }
        });
        Objects.requireNonNull(clock, "clock");
        env = Map.copyOf(env);
        Objects.requireNonNull(hostAccess, "hostAccess");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(prompt, "prompt");
    }

    /** Without rule overrides. */
    public EngineOptions(boolean dryRun, boolean assumeYes, Clock clock, Map<String, String> env,
                         Function<Inventory, HostAccess> hostAccess, String user, String host, Progress progress,
                         Optional<Function<String, Optional<Boolean>>> prompt) {
        this(dryRun, assumeYes, clock, env, hostAccess, user, host, progress, prompt, Map.of());
    }

    /** These options with {@code overrides} (rule id to reason) instead. */
    public EngineOptions withOverrides(Map<String, String> newOverrides) {
        return new EngineOptions(dryRun, assumeYes, clock, env, hostAccess, user, host, progress, prompt, newOverrides);
    }

    public String who() {
        return user + "@" + host;
    }
}
