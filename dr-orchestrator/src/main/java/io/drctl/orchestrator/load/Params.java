package io.drctl.orchestrator.load;

import io.drctl.orchestrator.model.Runbook;
import io.drctl.orchestrator.yaml.Hints;
import io.drctl.orchestrator.yaml.Location;
import io.drctl.orchestrator.yaml.Problems;
import io.drctl.orchestrator.yaml.YNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ${name}} parameter references: checking, effective values, substitution. */
public final class Params {
    static final Pattern REF = Pattern.compile("\\$\\{([^}]*)}");

    private Params() {
    }

    static void checkRefs(YNode node, Set<String> declared, Problems problems) {
        if (node instanceof YNode.YMap m) {
            m.entries().values().forEach(v -> checkRefs(v, declared, problems));
        } else if (node instanceof YNode.YList l) {
            l.items().forEach(v -> checkRefs(v, declared, problems));
        } else if (node instanceof YNode.YScalar s && s.text() != null) {
            Matcher m = REF.matcher(s.text());
            while (m.find()) {
                String name = m.group(1);
                if (!declared.contains(name)) {
                    problems.add(s.location(), "undefined parameter `${" + name + "}`", declared.isEmpty()
                            ? "declare it under `params:`" : Hints.didYouMean(name, declared));
                }
            }
        }
    }

    /**
     * Effective values: defaults overridden by the operator's {@code -p name=value}. Unknown
     * overrides, disallowed values and parameters without value are problems.
     */
    public static Map<String, String> effective(Runbook rb, Map<String, String> overrides, Problems problems) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            if (!rb.params().containsKey(o.getKey())) {
                problems.add(Location.synthetic("command line", "-p " + o.getKey()), "runbook `" + rb.name()
                        + "` has no parameter `" + o.getKey() + "`", Hints.didYouMean(o.getKey(), rb.params().keySet()));
            }
        }
        for (Runbook.Param p : rb.params().values()) {
            String v = overrides.containsKey(p.name()) ? overrides.get(p.name()) : p.defaultValue().orElse(null);
            if (v == null) {
                problems.add(Location.synthetic("command line", "params." + p.name()), "parameter `" + p.name()
                        + "` has no default and no value", "pass -p " + p.name() + "=VALUE");
                continue;
            }
            if (!p.allowed().isEmpty() && !p.allowed().contains(v)) {
                problems.add(Location.synthetic("command line", "params." + p.name()), "parameter `" + p.name()
                        + "` = '" + v + "' is not allowed", "expected one of: " + String.join(", ", p.allowed()));
            }
            out.put(p.name(), v);
        }
        return out;
    }

    /** {@code text} with every {@code ${name}} that has a value replaced (others left as written). */
    public static String substituteText(String text, Map<String, String> values) {
        Matcher m = REF.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** {@code node} with every {@code ${name}} in scalars replaced; locations kept. */
    public static YNode substitute(YNode node, Map<String, String> values) {
        if (node instanceof YNode.YMap m) {
            Map<String, YNode> entries = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> entries.put(k, substitute(v, values)));
            return new YNode.YMap(m.location(), entries, m.keyLocations());
        }
        if (node instanceof YNode.YList l) {
            List<YNode> items = new ArrayList<>();
            l.items().forEach(i -> items.add(substitute(i, values)));
            return new YNode.YList(l.location(), items);
        }
        YNode.YScalar s = (YNode.YScalar) node;
        if (s.text() == null || !s.text().contains("${")) {
            return s;
        }
        Matcher m = REF.matcher(s.text());
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(sb);
        return new YNode.YScalar(s.location(), sb.toString(), YNode.ScalarType.STRING);
    }
}
