package io.drctl.orchestrator.plan;

import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.Expansion;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepType;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Expands validated steps into actions and orders them. Contacts nothing. */
public final class Planner {
    private Planner() {
    }

    public static Plan plan(Loaded loaded, StepTypeRegistry registry) {
        Map<String, Plan.PlannedStep> byId = new LinkedHashMap<>();
        Expansion x = Expansion.of(loaded.inventory(), loaded.params());
        for (StepSpec spec : loaded.steps()) {
            StepType type = registry.find(spec.type()).orElseThrow();
            List<Action> actions = type.expand(spec, x);
            Set<String> targets = new HashSet<>();
            for (Action a : actions) {
                if (!targets.add(a.target())) {
                    throw new IllegalStateException("step type " + type.name() + " produced two actions for target "
                            + a.target() + " in step " + spec.id() + " (targets must be unique)");
                }
            }
            byId.put(spec.id(), new Plan.PlannedStep(spec, type, actions));
        }
        return new Plan(loaded, order(byId), registry.rules());
    }

    /** Kahn's algorithm, ties broken by file order. The loader already rejected cycles. */
    static List<Plan.PlannedStep> order(Map<String, Plan.PlannedStep> byId) {
        List<Plan.PlannedStep> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        while (out.size() < byId.size()) {
            boolean progressed = false;
            for (Plan.PlannedStep s : byId.values()) {
                if (!done.contains(s.id()) && done.containsAll(s.spec().dependsOn())) {
                    out.add(s);
                    done.add(s.id());
                    progressed = true;
                    break;
                }
            }
            if (!progressed) {
                throw new IllegalStateException("dependsOn cycle among " + byId.keySet());
            }
        }
        return out;
    }
}
