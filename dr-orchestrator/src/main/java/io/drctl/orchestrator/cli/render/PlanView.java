package io.drctl.orchestrator.cli.render;

import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.yaml.Durations;
import io.drctl.orchestrator.engine.PlanProbe;
import io.drctl.orchestrator.journal.Redactor;
import io.drctl.orchestrator.plan.Plan;
import io.drctl.orchestrator.spi.Action;
import io.drctl.orchestrator.spi.RuleSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code drctl plan}'s output, as text or JSON: the steps in execution order, each action's target
 * and (redacted) description, its probe outcome when probed, and the runbook's safety rules.
 *
 * @param loaded   the loaded inventory and runbook
 * @param plan     the planned steps
 * @param probes   probe outcomes by {@code step/target}; empty when offline
 * @param redactor the inventory's secrets
 * @param offline  whether targets were not probed
 */
public record PlanView(Loaded loaded, Plan plan, Map<String, PlanProbe.Outcome> probes, Redactor redactor, boolean offline) {

    public void printText(PrintStream out) {
        out.println("Plan: " + loaded.runbook().name() + " on " + loaded.inventory().name()
                + (loaded.params().isEmpty() ? "" : "  params: " + loaded.params())
                + (offline ? "  (offline: not probed)" : ""));
        int n = 1;
        for (Plan.PlannedStep s : plan.steps()) {
            out.printf("%2d. %s [%s]%s%s%n", n++, s.id(), s.type().name(),
                    s.spec().dependsOn().isEmpty() ? "" : " after " + String.join(", ", s.spec().dependsOn()),
                    s.spec().timeout().map(t -> " timeout " + Durations.format(t)).orElse(""));
            s.spec().description().ifPresent(d -> out.println("      # " + d));
            for (Action a : s.actions()) {
                out.println("      " + a.target() + ": " + redactor.redact(a.description()));
                PlanProbe.Outcome o = probes.get(s.id() + "/" + a.target());
                if (o != null) {
                    o.probe().ifPresent(p -> out.println("        " + switch (p.state()) {
                        case SATISFIED -> "= already satisfied: " + p.current();
                        case NEEDED -> "~ " + p.current() + "  ->  " + p.desired();
                        case UNKNOWN -> "? " + p.current();
                    }));
                    o.error().ifPresent(e -> out.println("        ! probe failed: " + e));
                }
            }
        }
        if (!loaded.rules().isEmpty()) {
            out.println("Safety rules (checked before the first step and between steps; a violation stops the run):");
            for (RuleSpec rule : loaded.rules()) {
                out.println("    " + rule.id() + " [" + rule.type() + "]" + rule.description().map(d -> "  # " + d).orElse(""));
            }
        }
    }

    /** The same content as one JSON document (fields in a fixed order; absent optionals left out). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runbook", loaded.runbook().name());
        m.put("inventory", loaded.inventory().name());
        m.put("params", loaded.params());
        m.put("offline", offline);
        List<Object> steps = new ArrayList<>();
        for (Plan.PlannedStep s : plan.steps()) {
            steps.add(step(s));
        }
        m.put("steps", steps);
        List<Object> rules = new ArrayList<>();
        for (RuleSpec rule : loaded.rules()) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("id", rule.id());
            rm.put("type", rule.type());
            rule.description().ifPresent(d -> rm.put("description", d));
            rules.add(rm);
        }
        m.put("rules", rules);
        return m;
    }

    private Map<String, Object> step(Plan.PlannedStep s) {
        Map<String, Object> sm = new LinkedHashMap<>();
        sm.put("id", s.id());
        sm.put("type", s.type().name());
        s.spec().description().ifPresent(d -> sm.put("description", d));
        sm.put("dependsOn", s.spec().dependsOn());
        s.spec().timeout().ifPresent(t -> sm.put("timeoutSeconds", t.toSeconds()));
        sm.put("onFailure", s.spec().onFailure().name().toLowerCase(Locale.ROOT));
        List<Object> actions = new ArrayList<>();
        for (Action a : s.actions()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("target", a.target());
            am.put("description", redactor.redact(a.description()));
            am.put("revertible", a.revertible());
            PlanProbe.Outcome o = probes.get(s.id() + "/" + a.target());
            if (o != null) {
                o.probe().ifPresent(p -> am.put("probe", Map.of("state", p.state().name(), "current", p.current(),
                        "desired", p.desired())));
                o.error().ifPresent(e -> am.put("probeError", e));
            }
            actions.add(am);
        }
        sm.put("actions", actions);
        return sm;
    }
}
