package io.drctl.orchestrator.config.load;

import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Runbook;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.RuleSpec;
import io.drctl.orchestrator.spi.SafetyRules;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepTypeRegistry;
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
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params)); // declaration order: plans and journals read stably
        steps = List.copyOf(steps);
        rules = List.copyOf(rules);
    }

    /** Without safety rules. */
    public Loaded(Inventory inventory, Runbook runbook, Map<String, String> params, List<StepSpec> steps) {
        this(inventory, runbook, params, steps, List.of());
    }

    /**
     * Loads and validates, then expands every step offline (what {@code plan --offline} does); throws with
     * every problem found in both files.
     */
    public static Loaded load(Path inventoryFile, Path runbookFile, Map<String, String> overrides,
                              StepTypeRegistry registry) throws InvalidInputException {
        Problems problems = new Problems();
        Optional<Inventory> inv = InventoryLoader.load(inventoryFile, problems);
        Optional<Runbook> rb = RunbookLoader.load(runbookFile, problems);
        if (inv.isEmpty() || rb.isEmpty()) {
            problems.throwIfAny();
        }
        Map<String, String> params = Params.effective(rb.get(), inv.get(), overrides, problems);
        if (Params.FORCED.equals(params.get(Params.MODE))) {
            rb = Optional.of(rb.get().forced());
        }
        List<StepSpec> steps = Resolver.resolve(rb.get(), inv.get(), params, registry, problems);
        List<RuleSpec> rules = RunbookLoader.resolveRules(rb.get(), inv.get(), params, registry.rules(), problems);
        if (problems.isEmpty()) {
            expandAll(inv.get(), params, steps, registry, problems);
        }
        problems.throwIfAny();
        return new Loaded(inv.get(), rb.get(), params, steps, rules);
    }

    /**
     * Validates an inventory and any number of runbooks (with their default parameters), collecting every
     * problem, and builds each runbook's plan offline so that whatever would fail at plan or run time fails here.
     */
    public static Problems check(Path inventoryFile, List<Path> runbookFiles, StepTypeRegistry registry) {
        Problems problems = new Problems();
        Optional<Inventory> inv = InventoryLoader.load(inventoryFile, problems);
        // an inventory with problems is kept best-effort for the runbooks' own checks, but never expanded
        boolean inventoryValid = problems.isEmpty();
        for (Path file : runbookFiles) {
            Optional<Runbook> rb = RunbookLoader.load(file, problems);
            if (inv.isPresent() && rb.isPresent()) {
                int before = problems.size();
                Map<String, String> params = Params.effective(rb.get(), inv.get(), Map.of(), problems);
                List<StepSpec> steps = Resolver.resolve(rb.get(), inv.get(), params, registry, problems);
                RunbookLoader.resolveRules(rb.get(), inv.get(), params, registry.rules(), problems);
                if (inventoryValid && problems.size() == before) {
                    expandAll(inv.get(), params, steps, registry, problems);
                }
            }
        }
        return problems;
    }

    /** What {@link #expandAll} reports when a step type throws while planning: a bug in drctl, never in the input. */
    public static final String EXPANSION_FAILED = "drctl cannot plan this step";

    /**
     * Expands every validated step as the planner will. Validation is meant to have caught every input a step
     * type cannot expand; should one still throw, the user gets a located problem (exit 2), not an internal error.
     */
    static void expandAll(Inventory inv, Map<String, String> params, List<StepSpec> steps, StepTypeRegistry registry,
                          Problems problems) {
        Expansion x = Expansion.of(inv, params);
        for (StepSpec step : steps) {
            try {
                java.util.Set<String> targets = new java.util.HashSet<>();
                for (var action : registry.find(step.type()).orElseThrow().expand(step, x)) {
                    if (!targets.add(action.target())) {
                        throw new IllegalStateException("two actions for target " + action.target());
                    }
                }
            } catch (RuntimeException e) {
                problems.add(step.location(), EXPANSION_FAILED + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
                        "please report this with the runbook and inventory");
            }
        }
    }
}
