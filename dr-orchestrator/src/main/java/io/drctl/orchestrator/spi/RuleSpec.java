package io.drctl.orchestrator.spi;

import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.spi.StepFields;
import java.util.Objects;
import java.util.Optional;

/**
 * A runbook safety rule resolved against an inventory and parameters: fields typed exactly like
 * step fields ({@link StepFields}, see {@code FieldKind}).
 *
 * @param id          unique rule id (what {@code --override-rule} names)
 * @param type        rule type name (see {@link SafetyRules})
 * @param description optional human description
 * @param fields      type-specific fields, substituted and typed
 * @param location    where the rule is written
 */
public record RuleSpec(String id, String type, Optional<String> description, StepFields fields, Location location) {
    public RuleSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(location, "location");
    }
}
