package io.drctl.orchestrator.load;

import io.drctl.orchestrator.model.Inventory;
import io.drctl.orchestrator.model.Runbook;
import io.drctl.orchestrator.safety.RuleSpec;
import io.drctl.orchestrator.safety.SafetyRules;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import io.drctl.orchestrator.yaml.InvalidInputException;
import io.drctl.orchestrator.yaml.Problems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated inventory + runbook + parameter values, with every step resolved.
 *
 * @param inventory the inventory
 * @param runbook   the runbook as written
 * @param params    effective parameter values
 * @param steps     resolved steps in file order
 * @param rules     resolved safety rules in file order
 */
public record Loaded(Inventory inventory, Runbook runbook, Map<String, String> params, List<StepSpec> steps,
                     List<RuleSpec> rules) {
    public Loaded {
        Objects.requireNonNull(inventory, "inventory");
        Objects.requireNonNull(runbook, "runbook");
        params = Map.copyOf(params);
        steps = List.copyOf(steps);
        rules = List.copyOf(rules);
    }

    /** Without safety rules. */
    public Loaded(Inventory inventory, Runbook runbook, Map<String, String> params, List<StepSpec> steps) {
        this(inventory, runbook, params, steps, List.of());
    }

    /** Loads and validates; throws with every problem found in both files. */
    public static Loaded load(Path inventoryFile, Path runbookFile, Map<String, String> overrides,
                              StepTypeRegistry registry) throws InvalidInputException {
        Problems problems = new Problems();
        Optional<Inventory> inv = InventoryLoader.load(inventoryFile, problems);
        Optional<Runbook> rb = RunbookLoader.load(runbookFile, problems);
        if (inv.isEmpty() || rb.isEmpty()) {
            problems.throwIfAny();
        }
        Map<String, String> params = Params.effective(rb.get(), overrides, problems);
        List<StepSpec> steps = Resolver.resolve(rb.get(), inv.get(), params, registry, problems);
        List<RuleSpec> rules = RunbookLoader.resolveRules(rb.get(), inv.get(), params, SafetyRules.registry(), problems);
        problems.throwIfAny();
        return new Loaded(inv.get(), rb.get(), params, steps, rules);
    }

    /** Validates an inventory and any number of runbooks (with their default parameters), collecting every problem. */
    public static Problems check(Path inventoryFile, List<Path> runbookFiles, StepTypeRegistry registry) {
        Problems problems = new Problems();
        Optional<Inventory> inv = InventoryLoader.load(inventoryFile, problems);
        for (Path file : runbookFiles) {
            Optional<Runbook> rb = RunbookLoader.load(file, problems);
            if (inv.isPresent() && rb.isPresent()) {
                Map<String, String> params = Params.effective(rb.get(), Map.of(), problems);
                Resolver.resolve(rb.get(), inv.get(), params, registry, problems);
                RunbookLoader.resolveRules(rb.get(), inv.get(), params, SafetyRules.registry(), problems);
            }
        }
        return problems;
    }
}
