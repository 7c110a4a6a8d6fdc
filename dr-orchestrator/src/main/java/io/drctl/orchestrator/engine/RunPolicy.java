package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.spi.LostTargets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the operator asked of this run: journaled, and the same on resume unless the operator says
 * otherwise.
 *
 * @param dryRun    probe only; never apply or revert a changing action (enforced in {@link Engine} in one place)
 * @param assumeYes pre-approve every approval step and every "apply again?" question ({@code --yes})
 * @param overrides safety rules the operator overrides ({@code --override-rule ID --reason TEXT}): rule id to
 *                  reason; a violation of such a rule is journaled as {@code rule.overridden} and the run goes on
 * @param lost      the targets assumed lost ({@code --assume-lost}): the run never contacts them (journaled as
 *                  {@code fault.injected}; each refusal as {@code action.skipped-lost})
 */
public record RunPolicy(boolean dryRun, boolean assumeYes, Map<String, String> overrides, LostTargets lost) {
    public RunPolicy {
        java.util.Objects.requireNonNull(lost, "lost");
        overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        overrides.forEach((rule, reason) -> {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("override of rule '" + rule + "' needs a reason, got '" + reason + "'");
            }
        });
    }

    public RunPolicy(boolean dryRun, boolean assumeYes, Map<String, String> overrides) {
        this(dryRun, assumeYes, overrides, LostTargets.NONE);
    }

    public static RunPolicy of(boolean dryRun, boolean assumeYes) {
        return new RunPolicy(dryRun, assumeYes, Map.of());
    }

    public RunPolicy withDryRun(boolean newDryRun) {
        return new RunPolicy(newDryRun, assumeYes, overrides, lost);
    }

    public RunPolicy withOverrides(Map<String, String> newOverrides) {
        return new RunPolicy(dryRun, assumeYes, newOverrides, lost);
    }

    /** This policy with the targets assumed lost. */
    public RunPolicy withLost(LostTargets newLost) {
        return new RunPolicy(dryRun, assumeYes, overrides, newLost);
    }
}
