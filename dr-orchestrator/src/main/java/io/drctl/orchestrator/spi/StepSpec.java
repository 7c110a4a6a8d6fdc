package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Step;
import io.drctl.orchestrator.config.yaml.Location;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A step resolved against an inventory and parameters: targets known, fields typed. Built by the resolver alone
 * ({@code config/load/Resolver}) from a loaded step, whose components are never null.
 *
 * @param id          step id
 * @param type        step type name
 * @param description optional human description
 * @param hosts       resolved {@code hosts:} targets, in inventory order (empty when none)
 * @param fields      type-specific fields, substituted and typed
 * @param dependsOn   ids of prerequisite steps
 * @param timeout     step timeout, if any
 * @param retry       retry policy
 * @param onFailure   failure policy
 * @param parallelism max targets at once
 * @param location    where the step is written
 */
public record StepSpec(String id, String type, Optional<String> description, List<io.drctl.orchestrator.config.model.Host> hosts,
                       StepFields fields, List<String> dependsOn, Optional<Duration> timeout, Step.RetryPolicy retry,
                       Step.OnFailure onFailure, int parallelism, Location location) {
    public StepSpec {
        hosts = List.copyOf(hosts);
        dependsOn = List.copyOf(dependsOn);
    }

    public List<Host> targets() {
        return hosts;
    }
}
