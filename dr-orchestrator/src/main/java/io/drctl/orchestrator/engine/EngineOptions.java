package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.HostAccess;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the engine runs: the operator's {@link RunPolicy} and the run's {@link RunServices}. The
 * accessors below read through to them.
 */
public record EngineOptions(RunPolicy policy, RunServices services) {
    public EngineOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(services, "services");
    }

    /** These options with another policy (resume keeps the run's own dry-run flag). */
    public EngineOptions with(RunPolicy newPolicy) {
        return new EngineOptions(newPolicy, services);
    }

    /** These options printing through {@code newProgress}. */
    public EngineOptions withProgress(Progress newProgress) {
        RunServices s = services;
        return new EngineOptions(policy, new RunServices(s.clock(), s.env(), s.hostAccess(), s.user(), s.host(), newProgress,
                s.prompt()));
    }

    /** These options with {@code overrides} (rule id to reason) instead. */
    public EngineOptions withOverrides(Map<String, String> newOverrides) {
        return with(policy.withOverrides(newOverrides));
    }

    /** These options with the targets assumed lost. */
    public EngineOptions withLost(io.drctl.orchestrator.spi.LostTargets lost) {
        return with(policy.withLost(lost));
    }

    public io.drctl.orchestrator.spi.LostTargets lost() {
        return policy.lost();
    }

    public boolean dryRun() {
        return policy.dryRun();
    }

    public boolean assumeYes() {
        return policy.assumeYes();
    }

    public Map<String, String> overrides() {
        return policy.overrides();
    }

    public Clock clock() {
        return services.clock();
    }

    public Map<String, String> env() {
        return services.env();
    }

    public Function<Inventory, HostAccess> hostAccess() {
        return services.hostAccess();
    }

    public String user() {
        return services.user();
    }

    public String host() {
        return services.host();
    }

    public Progress progress() {
        return services.progress();
    }

    public Optional<Function<String, Optional<Boolean>>> prompt() {
        return services.prompt();
    }

    public String who() {
        return user() + "@" + host();
    }
}
