package io.drctl.orchestrator.config.load;

import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.DnsRecord;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Runbook;
import io.drctl.orchestrator.config.model.Step;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.config.yaml.Secrets;
import io.drctl.orchestrator.config.yaml.YNode;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import io.drctl.orchestrator.spi.PortRef;
import io.drctl.orchestrator.spi.StepFields;
import io.drctl.orchestrator.spi.StepSpec;
import io.drctl.orchestrator.spi.StepType;
import io.drctl.orchestrator.spi.StepTypeRegistry;
import io.drctl.orchestrator.spi.StepValidation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Resolves runbook steps against an inventory and parameter values: substitutes {@code ${params}},
 * checks every type-specific key against the step type's {@link FieldSpec}s (unknown keys with
 * hints), converts field kinds, resolves selectors, and runs the type's own validation.
 */
public final class Resolver {
    /** A {@link FieldKind#RECORDS} item {@code group=NAME} selects every record of the inventory in that group. */
    public static final String GROUP_PREFIX = "group=";

    private Resolver() {
    }

    public static List<StepSpec> resolve(Runbook rb, Inventory inv, Map<String, String> params,
                                         StepTypeRegistry registry, Problems problems) {
        List<StepSpec> out = new ArrayList<>();
        for (Step st : rb.steps()) {
            resolve(rb, st, inv, params, registry, problems).ifPresent(out::add);
        }
        return out;
    }

    static Optional<StepSpec> resolve(Runbook rb, Step st, Inventory inv, Map<String, String> params,
                                      StepTypeRegistry registry, Problems problems) {
        Optional<StepType> type = registry.find(st.type());
        if (type.isEmpty()) {
            problems.add(st.at("type"), "step `" + st.id() + "`: unknown step type `" + st.type() + "`",
                    Hints.didYouMean(st.type(), registry.names()));
            return Optional.empty();
        }
        StepType t = type.get();
        int before = problems.size();
        Map<String, FieldSpec> specs = new LinkedHashMap<>();
        t.fields().forEach(fs -> specs.put(fs.name(), fs));
        List<String> common = new ArrayList<>(RunbookLoader.COMMON_STEP_KEYS);
        if (t.targets() == StepType.Targets.NONE) {
            common.remove("hosts");
        }
        checkKeys(st.fields(), specs, common, "step type `" + t.name() + "`", st::keyAt, problems);
        List<Host> hosts = List.of();
        if (st.hosts().isPresent() && t.targets() == StepType.Targets.NONE) {
            problems.add(st.hosts().get().location(), "step type `" + t.name() + "` takes no `hosts`");
        } else if (st.hosts().isPresent()) {
            int selectorProblems = problems.size();
            Params.checkSelectorValues(st.hosts().get(), params, problems);
            YNode selector = Params.substitute(st.hosts().get(), params);
            if (problems.size() == selectorProblems && !Params.unresolved(selector)) {
                hosts = selectorHosts(selector, inv, problems);
            }
        } else if (t.targets() == StepType.Targets.HOSTS) {
            problems.add(st.location().child("hosts"), "step `" + st.id() + "` of type `" + t.name() + "` needs `hosts`",
                    "e.g. hosts: \"region=${to} role=dbms\"");
        }
        Typed typed = typed("step `" + st.id() + "`", t.name(), st.fields(), st.location(), specs, rb, params, inv,
                problems);
        Optional<String> description = st.description().map(d -> Params.substituteText(d, params));
        StepSpec spec = new StepSpec(st.id(), st.type(), description, hosts,
                typed.fields(st.location()), st.dependsOn(), st.timeout(), st.retry(),
                st.onFailure(), st.parallelism(), st.location());
        if (problems.size() == before && typed.unresolved().isPresent()) {
            // no parameter problem explains it: a value itself holds a ${...} (a parameter's default naming another)
            String field = typed.unresolved().get();
            problems.add(typed.locations().getOrDefault(field, st.location()), "`" + field + "` still holds a ${...} reference after"
                    + " the parameters were substituted", "a parameter's value cannot refer to another parameter; write the value out");
        }
        if (problems.size() > before || typed.unresolved().isPresent()) {
            return Optional.empty();
        }
        t.validate(spec, validation(inv, params, spec.fields(), "step `" + st.id() + "`: ", problems));
        return problems.size() > before ? Optional.empty() : Optional.of(spec);
    }

    /**
     * Reports every key of a step or rule that is neither one of the {@code common} keys nor a field of its type
     * ({@code type}: e.g. {@code step type `exec`}), with a did-you-mean among those.
     */
    static void checkKeys(Map<String, YNode> fields, Map<String, FieldSpec> specs, List<String> common, String type,
                          Function<String, Location> keyAt, Problems problems) {
        List<String> allowed = new ArrayList<>(common);
        allowed.addAll(specs.keySet());
        for (String key : fields.keySet()) {
            if (!specs.containsKey(key) && !Secrets.isSecretKey(key)) {
                problems.add(keyAt.apply(key), "unknown key `" + key + "` for " + type, Hints.didYouMean(key, allowed));
            }
        }
    }

    /**
     * What {@link #typed} made of the fields of a step or rule.
     *
     * @param values     each field's converted value
     * @param locations  where each field's value is written
     * @param unresolved the first field whose value still holds a {@code ${...}} after substitution (left out of
     *                   {@code values}; its parameter's problem is reported with the parameter, if it has one)
     */
    record Typed(Map<String, Object> values, Map<String, Location> locations, Optional<String> unresolved) {
        StepFields fields(Location at) {
            return new StepFields(values, locations, at);
        }
    }

    /**
     * The fields of a step or rule ({@code owner}: e.g. {@code step `flip`}, of type {@code type}) against its
     * type's {@code specs}: a missing required one is reported, the others substituted as their kind needs and
     * converted.
     */
    static Typed typed(String owner, String type, Map<String, YNode> fields, Location at, Map<String, FieldSpec> specs,
                       Runbook rb, Map<String, String> params, Inventory inv, Problems problems) {
        Map<String, Object> values = new HashMap<>();
        Map<String, Location> locations = new HashMap<>();
        Optional<String> unresolved = Optional.empty();
        for (FieldSpec fs : specs.values()) {
            YNode raw = fields.get(fs.name());
            if (raw == null || (raw instanceof YNode.YScalar s && s.isNull())) {
                if (fs.required()) {
                    problems.add(at.child(fs.name()), owner + " of type `" + type + "` needs `" + fs.name() + "`",
                            fs.description());
                }
                continue;
            }
            YNode node = substituted(fs, raw, params, rb.params(), problems);
            locations.put(fs.name(), node.location());
            if (Params.unresolved(node) && fs.kind() != FieldKind.COMMAND) {
                unresolved = unresolved.or(() -> Optional.of(fs.name()));
                continue;
            }
            convert(fs, node, inv, problems).ifPresent(v -> values.put(fs.name(), v));
        }
        return new Typed(values, locations, unresolved);
    }

    /**
     * {@code raw} with {@code ${params}} substituted as the field's kind needs: POSIX-quoted in commands,
     * plain names only in selectors, as written elsewhere.
     */
    static YNode substituted(FieldSpec fs, YNode raw, Map<String, String> params, Map<String, Runbook.Param> declared,
                             Problems problems) {
        return switch (fs.kind()) {
            case COMMAND -> Params.substituteForShell(raw, params, declared);
            case SELECTOR -> {
                Params.checkSelectorValues(raw, params, problems);
                yield Params.substitute(raw, params);
            }
            default -> Params.substitute(raw, params);
        };
    }

    static List<Host> selectorHosts(YNode node, Inventory inv, Problems problems) {
        List<String> selectors = new ArrayList<>();
        if (node instanceof YNode.YList l) {
            for (YNode item : l.items()) {
                if (item instanceof YNode.YScalar s && !s.isNull()) {
                    selectors.add(s.text());
                } else {
                    problems.add(item.location(), "a host selector must be a string, found " + item.kind());
                }
            }
        } else if (node instanceof YNode.YScalar s && !s.isNull()) {
            selectors.add(s.text());
        } else {
            problems.add(node.location(), "a host selector must be a string or a list of strings, found " + node.kind());
        }
        return Selector.selectAll(selectors, inv, node.location(), problems);
    }

    static Optional<Object> convert(FieldSpec fs, YNode node, Inventory inv, Problems problems) {
        String name = fs.name();
        Location at = node.location();
        Optional<String> text = node instanceof YNode.YScalar s && !s.isNull() ? Optional.of(s.text()) : Optional.empty();
        switch (fs.kind()) {
            case STRING, REGION, SOURCE, COMMAND -> {
                if (text.isEmpty()) {
                    problems.add(at, "`" + name + "` must be a single value, found " + node.kind());
                    return Optional.empty();
                }
                if (fs.kind() == FieldKind.REGION && !inv.regions().containsKey(text.get())) {
                    problems.add(at, "`" + name + "`: unknown region `" + text.get() + "`",
                            Hints.didYouMean(text.get(), inv.regions().keySet()));
                    return Optional.empty();
                }
                if (fs.kind() == FieldKind.SOURCE && !Values.isCidr(text.get())
                        && inv.regions().values().stream().noneMatch(r -> r.subnets().containsKey(text.get()))) {
                    problems.add(at, "`" + name + "`: '" + text.get() + "' is neither a CIDR nor a named subnet",
                            "e.g. framework or 10.77.1.8/29");
                    return Optional.empty();
                }
                return Optional.of(text.get());
            }
            case STRING_LIST -> {
                List<String> out = new ArrayList<>();
                for (YNode item : node instanceof YNode.YList l ? l.items() : List.of(node)) {
                    if (item instanceof YNode.YScalar s && !s.isNull()) {
                        out.add(s.text());
                    } else {
                        problems.add(item.location(), "`" + name + "` items must be values, found " + item.kind());
                    }
                }
                return Optional.of(List.copyOf(out));
            }
            case RECORDS -> {
                Set<DnsRecord> out = new LinkedHashSet<>(); // in order, once each: a List.contains here was O(records²)
                for (YNode item : node instanceof YNode.YList l ? l.items() : List.of(node)) {
                    if (item instanceof YNode.YScalar s && !s.isNull() && s.text().startsWith(GROUP_PREFIX)) {
                        String group = s.text().substring(GROUP_PREFIX.length());
                        List<DnsRecord> members = inv.recordGroup(group);
                        if (members.isEmpty()) {
                            Set<String> known = inv.recordGroups();
                            problems.add(item.location(), "`" + name + "`: record group `" + Fields.shorten(group)
                                    + "` selects no record of the inventory", known.isEmpty()
                                    ? "declare it on the records, e.g. records: { cfgmaster: { groups: [" + Fields.shorten(group) + "], region1: mfwk-p, ... } }"
                                    : Hints.closest(group, known).map(c -> "did you mean `group=" + c + "`?")
                                            .orElse("groups the inventory declares: " + String.join(", ", known)));
                        }
                        out.addAll(members);
                    } else if (item instanceof YNode.YScalar s && !s.isNull()) {
                        DnsRecord r = inv.records().get(s.text());
                        if (r == null) {
                            problems.add(item.location(), "`" + name + "`: unknown record `" + s.text() + "`",
                                    Hints.didYouMean(s.text(), inv.records().keySet()));
                        } else {
                            out.add(r);
                        }
                    } else {
                        problems.add(item.location(), "`" + name + "` items must be record names or group=NAME, found " + item.kind());
                    }
                }
                return Optional.of(List.copyOf(out));
            }
            case INTEGER -> {
                int n;
                try {
                    n = Integer.parseInt(text.orElseThrow(NumberFormatException::new).strip());
                } catch (NumberFormatException e) {
                    boolean digits = text.isPresent() && text.get().strip().matches("-?\\d+");
                    problems.add(at, "`" + name + "` must be an integer" + fs.bounds().map(b -> " in " + b.render()).orElse("")
                            + ", found " + Fields.describe(node) + (digits ? " (too large)" : ""));
                    return Optional.empty();
                }
                if (fs.bounds().isPresent() && !fs.bounds().get().contains(n)) {
                    problems.add(at, "`" + name + "` is " + n + ", outside " + fs.bounds().get().render(), fs.description());
                    return Optional.empty();
                }
                return Optional.of(n);
            }
            case NUMBER -> {
                double d;
                try {
                    String t = text.orElseThrow(NumberFormatException::new).strip();
                    if (!t.matches("-?\\d{1,15}(\\.\\d{1,15})?")) {
                        throw new NumberFormatException();
                    }
                    d = Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    problems.add(at, "`" + name + "` must be a number like 0.5, found " + Fields.describe(node));
                    return Optional.empty();
                }
                if (fs.bounds().isPresent() && !fs.bounds().get().contains(d)) {
                    problems.add(at, "`" + name + "` is " + text.get().strip() + ", outside " + fs.bounds().get().render(),
                            fs.description());
                    return Optional.empty();
                }
                return Optional.of(d);
            }
            case ENUM -> {
                if (text.isPresent() && fs.values().contains(text.get())) {
                    return Optional.of(text.get());
                }
                problems.add(at, "`" + name + "` must be one of " + String.join(", ", fs.values()) + ", found " + Fields.describe(node),
                        text.map(t -> Hints.didYouMean(t, fs.values())).orElse("expected one of: " + String.join(", ", fs.values())));
                return Optional.empty();
            }
            case BOOLEAN -> {
                if (text.isPresent() && (text.get().equals("true") || text.get().equals("false"))) {
                    return Optional.of(Boolean.parseBoolean(text.get()));
                }
                problems.add(at, "`" + name + "` must be true or false, found " + Fields.describe(node));
                return Optional.empty();
            }
            case DURATION -> {
                return Fields.duration(name, node, problems).map(x -> x);
            }
            case PORT -> {
                if (text.isEmpty()) {
                    problems.add(at, "`" + name + "` must be a port number or name, found " + node.kind());
                    return Optional.empty();
                }
                String v = text.get();
                if (v.matches("\\d+")) {
                    int p = v.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(v);
                    if (p < 1 || p > 65535) {
                        problems.add(at, "`" + name + "`: " + Fields.shorten(v) + " is not a TCP port", "expected 1..65535");
                        return Optional.empty();
                    }
                    return Optional.of(new PortRef(p, Optional.empty()));
                }
                Integer p = inv.ports().get(v);
                if (p == null) {
                    problems.add(at, "`" + name + "`: unknown port name `" + v + "`", Hints.didYouMean(v, inv.ports().keySet()));
                    return Optional.empty();
                }
                return Optional.of(new PortRef(p, Optional.of(v)));
            }
            case SELECTOR -> {
                int before = problems.size();
                List<Host> hosts = selectorHosts(node, inv, problems);
                return problems.size() > before ? Optional.empty() : Optional.of(hosts);
            }
            case STRING_MAP -> {
                if (!(node instanceof YNode.YMap m)) {
                    problems.add(at, "`" + name + "` must be a mapping, found " + node.kind());
                    return Optional.empty();
                }
                Map<String, String> out = new LinkedHashMap<>();
                m.entries().forEach((k, v) -> {
                    if (v instanceof YNode.YScalar s && !s.isNull()) {
                        out.put(k, s.text());
                    } else {
                        problems.add(v.location(), "`" + name + "." + k + "` must be a value, found " + v.kind());
                    }
                });
                return Optional.of(out);
            }
            default -> throw new IllegalStateException("unhandled field kind " + fs.kind());
        }
    }

    /** A problem sink for a step's or a rule's own validation: located at the field, prefixed with what it is. */
    static StepValidation validation(Inventory inv, Map<String, String> params, StepFields fields, String prefix,
                                     Problems problems) {
        return new StepValidation() {
            @Override
            public Inventory inventory() {
                return inv;
            }

            @Override
            public Map<String, String> params() {
                return params;
            }

            @Override
            public void problem(String field, String message) {
                problems.add(fields.location(field), prefix + message);
            }

            @Override
            public void problem(String field, String message, String hint) {
                problems.add(fields.location(field), prefix + message, hint);
            }
        };
    }
}
