package io.drctl.orchestrator.config.load;

import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Runbook;
import io.drctl.orchestrator.config.model.Step;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.config.yaml.YNode;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.RuleSpec;
import io.drctl.orchestrator.spi.SafetyRule;
import io.drctl.orchestrator.spi.SafetyRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a runbook strictly. Common step keys are bound here; type-specific keys are kept (located)
 * and checked against the step type's declared fields by {@link Resolver}. Also checks ids,
 * {@code dependsOn} references and cycles, and undefined {@code ${params}}. Safety {@code rules:}
 * are read the same way and resolved by {@link #resolveRules}.
 */
public final class RunbookLoader {
    /** Keys every step may have, whatever its type. */
    public static final List<String> COMMON_STEP_KEYS = List.of("id", "type", "description", "hosts", "dependsOn",
            "timeout", "retry", "onFailure", "parallelism", "whenForced");
    private static final Document<Runbook> DOCUMENT = new Document<>("the runbook", RunbookLoader::bind);

    private RunbookLoader() {
    }

    public static Optional<Runbook> load(Path file, Problems problems) {
        return DOCUMENT.load(file, problems);
    }

    private static Runbook bind(Fields f, Problems problems) {
        String name = f.requiredString("name").orElse("runbook");
        Optional<String> description = f.string("description");
        Map<String, Runbook.Param> params = new LinkedHashMap<>();
        Map<String, Location> differsFromAt = new HashMap<>();
        f.fields("params").ifPresent(pf -> {
            for (String key : pf.map().entries().keySet()) {
                if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    problems.add(pf.map().keyLocation(key), "parameter name '" + key + "' is not an identifier");
                }
                YNode v = pf.map().get(key);
                pf.allow(key);
                if (v instanceof YNode.YMap) {
                    Fields.of(v, "parameter", problems).ifPresent(p -> {
                        Optional<String> def = p.string("default");
                        List<String> allowed = p.stringList("allowed");
                        Optional<String> desc = p.string("description");
                        Runbook.ParamType type = p.string("type").flatMap(t -> {
                            Optional<Runbook.ParamType> found = Runbook.ParamType.find(t);
                            if (found.isEmpty()) {
                                problems.add(p.at("type"), "unknown parameter type `" + Fields.shorten(t) + "`",
                                        Hints.didYouMean(t, Runbook.ParamType.labels()));
                            }
                            return found;
                        }).orElse(Runbook.ParamType.STRING);
                        Optional<String> differsFrom = p.string("differsFrom");
                        p.done();
                        def.ifPresent(d -> {
                            if (!allowed.isEmpty() && !allowed.contains(d)) {
                                problems.add(p.at("default"), "default '" + Fields.shorten(d) + "' of `" + key + "` is not allowed",
                                        "expected one of: " + String.join(", ", allowed));
                            }
                        });
                        params.put(key, new Runbook.Param(key, def, allowed, desc, type, differsFrom, p.at("default")));
                        differsFromAt.put(key, p.at("differsFrom"));
                    });
                } else if (v instanceof YNode.YScalar s) {
                    params.put(key, new Runbook.Param(key, Optional.ofNullable(s.text()), List.of(), Optional.empty(),
                            Runbook.ParamType.STRING, Optional.empty(), s.location()));
                } else {
                    problems.add(v.location(), "parameter `" + key + "` must be a value or a mapping, found " + v.kind());
                }
            }
        });
        List<Step> steps = new ArrayList<>();
        Optional<YNode> sn = f.node("steps");
        if (sn.isEmpty()) {
            problems.add(f.location().child("steps"), "missing required key `steps`");
        } else if (sn.get() instanceof YNode.YList list) {
            for (YNode item : list.items()) {
                Fields.of(item, "a step", problems).flatMap(sf -> step(sf, problems)).ifPresent(steps::add);
            }
        } else {
            problems.add(sn.get().location(), "`steps` must be a list, found " + sn.get().kind());
        }
        List<Runbook.Rule> rules = new ArrayList<>();
        f.node("rules").ifPresent(rn -> {
            if (rn instanceof YNode.YList list) {
                for (YNode item : list.items()) {
                    Fields.of(item, "a rule", problems).flatMap(rf -> rule(rf, problems)).ifPresent(rules::add);
                }
            } else if (!(rn instanceof YNode.YScalar sc && sc.isNull())) {
                problems.add(rn.location(), "`rules` must be a list, found " + rn.kind());
            }
        });
        f.done();
        for (Runbook.Param p : params.values()) {
            p.differsFrom().ifPresent(other -> {
                if (!params.containsKey(other) || other.equals(p.name())) {
                    problems.add(differsFromAt.get(p.name()), "`differsFrom` of `" + p.name() + "` names no other parameter `"
                            + Fields.shorten(other) + "`", Hints.didYouMean(other, params.keySet()));
                }
            });
        }
        Runbook rb = new Runbook(name, description, params, steps, rules);
        checkGraph(rb, problems);
        checkRuleIds(rb, problems);
        checkParamRefs(rb, problems);
        return rb;
    }

    /** Keys every safety rule may have, whatever its type. */
    public static final List<String> COMMON_RULE_KEYS = List.of("id", "type", "description");

    private static Optional<Runbook.Rule> rule(Fields r, Problems problems) {
        Optional<String> id = id(r, "rule", problems);
        Optional<String> type = r.requiredString("type");
        Optional<String> description = r.string("description");
        Map<String, YNode> fields = typeFields(r, COMMON_RULE_KEYS); // checked against the rule type's by resolveRules
        r.done();
        if (id.isEmpty() || type.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Runbook.Rule(id.get(), type.get(), description, fields, r.location(), r.map()));
    }

    /** Duplicate rule ids. */
    static void checkRuleIds(Runbook rb, Problems problems) {
        Map<String, Runbook.Rule> byId = new LinkedHashMap<>();
        for (Runbook.Rule r : rb.rules()) {
            Runbook.Rule prev = byId.putIfAbsent(r.id(), r);
            if (prev != null) {
                problems.add(r.at("id"), "duplicate rule id `" + r.id() + "` (first at line " + prev.location().line() + ")");
            }
        }
    }

    /**
     * Resolves the runbook's safety rules like steps: substitutes {@code ${params}}, checks every
     * key against the rule type's fields (unknown keys with "did you mean" hints), converts the
     * field kinds, then runs the type's own validation. Problems are located at file:line:column.
     */
    public static List<RuleSpec> resolveRules(Runbook rb, Inventory inv, Map<String, String> params, SafetyRules registry,
                                              Problems problems) {
        List<RuleSpec> out = new ArrayList<>();
        for (Runbook.Rule r : rb.rules()) {
            Optional<SafetyRule> type = registry.find(r.type());
            if (type.isEmpty()) {
                problems.add(r.at("type"), "rule `" + r.id() + "`: unknown rule type `" + r.type() + "`",
                        Hints.didYouMean(r.type(), registry.names()));
                continue;
            }
            SafetyRule t = type.get();
            int before = problems.size();
            Map<String, FieldSpec> specs = new LinkedHashMap<>();
            t.fields().forEach(fs -> specs.put(fs.name(), fs));
            Resolver.checkKeys(r.fields(), specs, COMMON_RULE_KEYS, "rule type `" + t.name() + "`", r::keyAt, problems);
            Resolver.Typed typed = Resolver.typed("rule `" + r.id() + "`", t.name(), r.fields(), r.location(), specs, rb,
                    params, inv, problems);
            if (problems.size() > before || typed.unresolved().isPresent()) {
                continue; // an unresolved value's parameter problem is reported already: skip this rule
            }
            RuleSpec spec = new RuleSpec(r.id(), r.type(), r.description().map(d -> Params.substituteText(d, params)),
                    typed.fields(r.location()), r.location());
            t.validate(spec, Resolver.validation(inv, params, spec.fields(), "rule `" + r.id() + "`: ", problems));
            if (problems.size() == before) {
                out.add(spec);
            }
        }
        return out;
    }

    private static Optional<Step> step(Fields s, Problems problems) {
        Optional<String> id = id(s, "step", problems);
        Optional<String> type = s.requiredString("type");
        Optional<String> description = s.string("description");
        Optional<YNode> hosts = s.node("hosts");
        List<String> dependsOn = s.stringList("dependsOn");
        Optional<Duration> timeout = s.duration("timeout");
        Step.RetryPolicy retry = retry(s, problems).orElse(Step.RetryPolicy.NONE);
        Step.OnFailure onFailure = onFailure(s, problems).orElse(Step.OnFailure.ABORT);
        Optional<Step.Forced> whenForced = s.fields("whenForced").map(w -> {
            Step.Forced f = new Step.Forced(onFailure(w, problems), w.duration("timeout"), retry(w, problems));
            w.done();
            return f;
        });
        int parallelism = s.integer("parallelism").orElse(8);
        if (parallelism < 1 || parallelism > 1024) {
            problems.add(s.at("parallelism"), "parallelism must be 1..1024, got " + parallelism);
            parallelism = 1;
        }
        Map<String, YNode> fields = typeFields(s, COMMON_STEP_KEYS); // checked against the step type's by the Resolver
        s.done();
        if (id.isEmpty() || type.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Step(id.get(), type.get(), description, hosts, dependsOn, timeout, retry, onFailure,
                parallelism, fields, s.location(), s.map(), whenForced));
    }

    /** The required {@code id} of a step or rule ({@code what}), reported when it is not a safe name. */
    private static Optional<String> id(Fields f, String what, Problems problems) {
        Optional<String> id = f.requiredString("id");
        id.filter(i -> !Values.isName(i)).ifPresent(i -> problems.add(f.at("id"),
                what + " id '" + i + "' is not a safe name", "letters, digits, '_', '.', '-'"));
        return id;
    }

    /** The keys of a step or rule other than the {@code common} ones: allowed, left to its type to check. */
    private static Map<String, YNode> typeFields(Fields f, List<String> common) {
        Map<String, YNode> fields = new LinkedHashMap<>();
        for (Map.Entry<String, YNode> e : f.map().entries().entrySet()) {
            if (!common.contains(e.getKey())) {
                fields.put(e.getKey(), e.getValue());
                f.allow(e.getKey());
            }
        }
        return fields;
    }

    private static Optional<Step.RetryPolicy> retry(Fields s, Problems problems) {
        return s.fields("retry").map(r -> {
            int attempts = r.integer("attempts").orElse(1);
            Duration backoff = r.duration("backoff").orElse(Duration.ofSeconds(1));
            Duration max = r.duration("maxBackoff").orElse(Duration.ofMinutes(1));
            r.done();
            if (attempts < 1 || attempts > 100) {
                problems.add(r.at("attempts"), "retry attempts must be 1..100, got " + attempts);
                attempts = 1;
            }
            return new Step.RetryPolicy(attempts, backoff, max);
        });
    }

    private static Optional<Step.OnFailure> onFailure(Fields s, Problems problems) {
        return s.string("onFailure").flatMap(v -> {
            try {
                return Optional.of(Step.OnFailure.valueOf(v.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                problems.add(s.at("onFailure"), "onFailure must be abort or continue, got '" + v + "'",
                        Hints.didYouMean(v, List.of("abort", "continue")));
                return Optional.empty();
            }
        });
    }

    /** Duplicate ids, unknown dependsOn ids, and cycles (each reported once, with its path). */
    static void checkGraph(Runbook rb, Problems problems) {
        Map<String, Step> byId = new LinkedHashMap<>();
        for (Step st : rb.steps()) {
            Step prev = byId.putIfAbsent(st.id(), st);
            if (prev != null) {
                problems.add(st.at("id"), "duplicate step id `" + st.id() + "` (first at line "
                        + prev.location().line() + ")");
            }
        }
        for (Step st : rb.steps()) {
            for (String dep : st.dependsOn()) {
                if (!byId.containsKey(dep)) {
                    problems.add(st.at("dependsOn"), "step `" + st.id() + "` depends on unknown step `"
                            + dep + "`", Hints.didYouMean(dep, byId.keySet()));
                } else if (dep.equals(st.id())) {
                    problems.add(st.at("dependsOn"), "step `" + st.id() + "` depends on itself");
                }
            }
        }
        // cycle detection: DFS with colours; report each cycle once (by its smallest member set)
        Map<String, Integer> colour = new HashMap<>();
        Set<Set<String>> reported = new java.util.HashSet<>();
        for (Step st : rb.steps()) {
            dfs(st.id(), byId, colour, new ArrayList<>(), reported, problems);
        }
    }

    private static void dfs(String id, Map<String, Step> byId, Map<String, Integer> colour, List<String> path,
                            Set<Set<String>> reported, Problems problems) {
        Integer c = colour.get(id);
        if (c != null && c == 2) {
            return;
        }
        if (c != null && c == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
            if (cycle.size() > 1 && reported.add(Set.copyOf(cycle))) {
                cycle.add(id);
                Step first = byId.get(cycle.get(0));
                problems.add(first.at("dependsOn"), "dependsOn cycle: " + String.join(" -> ", cycle),
                        "remove one of these dependencies");
            }
            return;
        }
        Step st = byId.get(id);
        if (st == null) {
            return;
        }
        colour.put(id, 1);
        path.add(id);
        for (String dep : st.dependsOn()) {
            if (!dep.equals(id)) {
                dfs(dep, byId, colour, path, reported, problems);
            }
        }
        path.remove(path.size() - 1);
        colour.put(id, 2);
    }

    /** Every {@code ${name}} in hosts and type-specific fields must be a declared parameter. */
    static void checkParamRefs(Runbook rb, Problems problems) {
        for (Step st : rb.steps()) {
            st.hosts().ifPresent(h -> Params.checkRefs(h, rb.params().keySet(), problems));
            st.fields().values().forEach(v -> Params.checkRefs(v, rb.params().keySet(), problems));
        }
        for (Runbook.Rule r : rb.rules()) {
            r.fields().values().forEach(v -> Params.checkRefs(v, rb.params().keySet(), problems));
        }
    }
}
