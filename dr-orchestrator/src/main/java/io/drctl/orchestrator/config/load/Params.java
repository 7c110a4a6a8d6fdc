package io.drctl.orchestrator.config.load;

import io.drctl.host.Shell;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.model.Region;
import io.drctl.orchestrator.config.model.Runbook;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.config.yaml.YNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * A region parameter's value {@code @primary} or {@code @dr} names the inventory's region of that role
     * ({@link Inventory#regionOf}), so a shipped runbook fits whatever a site calls its regions.
     */
    public static final String REGION_ROLE = "@";

    /**
     * The built-in parameter every runbook has: {@code planned} (the default, not listed) or {@code forced}
     * ({@code --mode}); {@link Loaded} applies the steps' {@code whenForced:} in forced mode.
     */
    public static final String MODE = "mode";
    public static final String PLANNED = "planned";
    public static final String FORCED = "forced";

    /** Longest parameter value accepted. */
    static final int MAX_VALUE_LENGTH = 4096;

    /**
     * Effective values: defaults overridden by the operator's {@code -p name=value}. Unknown
     * overrides, disallowed values, values of the wrong {@link Runbook.ParamType}, equal values of
     * parameters declared {@code differsFrom} each other, and parameters without value are problems.
     */
    public static Map<String, String> effective(Runbook rb, Inventory inv, Map<String, String> overrides, Problems problems) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Location> where = new LinkedHashMap<>();
        String mode = null;
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            if (o.getKey().equals(MODE) && !rb.params().containsKey(MODE)) {
                if (!List.of(PLANNED, FORCED).contains(o.getValue())) {
                    problems.add(Location.synthetic("command line", "--mode"), "mode '" + Fields.shorten(o.getValue())
                            + "' is neither planned nor forced", "planned: the old region cooperates; forced: it is gone");
                } else {
                    mode = o.getValue();
                }
                continue;
            }
            if (!rb.params().containsKey(o.getKey())) {
                problems.add(Location.synthetic("command line", "-p " + o.getKey()), "runbook `" + rb.name()
                        + "` has no parameter `" + o.getKey() + "`", Hints.didYouMean(o.getKey(), rb.params().keySet()));
            }
        }
        for (Runbook.Param p : rb.params().values()) {
            boolean given = overrides.containsKey(p.name());
            String v = given ? overrides.get(p.name()) : p.defaultValue().orElse(null);
            Location at = given ? Location.synthetic("command line", "-p " + p.name()) : p.location();
            if (v == null) {
                problems.add(at, "parameter `" + p.name() + "` has no default and no value", "pass -p " + p.name() + "=VALUE");
                continue;
            }
            if (p.type() == Runbook.ParamType.REGION && v.startsWith(REGION_ROLE)) {
                Optional<String> region = inv.regionOf(v.substring(REGION_ROLE.length()));
                if (region.isEmpty()) {
                    problems.add(at, "parameter `" + p.name() + "` = '" + Fields.shorten(v) + "' names no region of the inventory",
                            Region.ROLES.contains(v.substring(REGION_ROLE.length()))
                                    ? "give a region `role: " + v.substring(REGION_ROLE.length()) + "`, or pass -p " + p.name() + "=REGION"
                                    : "write @primary, @dr or a region name (" + String.join(", ", inv.regions().keySet()) + ")");
                    continue;
                }
                v = region.get();
            }
            Optional<String> bad = check(p, v, inv);
            if (bad.isPresent()) {
                problems.add(at, "parameter `" + p.name() + "`" + bad.get(), hint(p, inv));
                continue;
            }
            out.put(p.name(), v);
            where.put(p.name(), at);
        }
        if (mode != null) {
            out.put(MODE, mode); // journaled with the params, so resume and rollback keep the mode
        }
        for (Runbook.Param p : rb.params().values()) {
            p.differsFrom().filter(out::containsKey).ifPresent(other -> {
                String v = out.get(p.name());
                if (v != null && v.equals(out.get(other))) {
                    problems.add(where.get(p.name()), "parameters `" + other + "` and `" + p.name() + "` are both '"
                            + Fields.shorten(v) + "'; they must differ", "regions: " + String.join(", ", inv.regions().keySet()));
                }
            });
        }
        return out;
    }

    /** What is wrong with {@code v} as a value of {@code p} (" = 'x' is not a region of the inventory"), or empty. */
    static Optional<String> check(Runbook.Param p, String v, Inventory inv) {
        String shown = " = '" + Fields.shorten(v.replaceAll("\\p{Cntrl}", "?")) + "'";
        if (v.length() > MAX_VALUE_LENGTH) {
            return Optional.of(" is " + v.length() + " characters long, more than " + MAX_VALUE_LENGTH);
        }
        if (v.chars().anyMatch(Character::isISOControl)) {
            return Optional.of(shown + " contains a control character (newline, tab, NUL ...)");
        }
        if (!p.allowed().isEmpty() && !p.allowed().contains(v)) {
            return Optional.of(shown + " is not allowed");
        }
        return switch (p.type()) {
            case STRING, COMMAND -> Optional.empty();
            case INT -> v.matches("-?\\d{1,18}") ? Optional.empty() : Optional.of(shown + " is not a whole number");
            case BOOL -> v.equals("true") || v.equals("false") ? Optional.empty() : Optional.of(shown + " is not true or false");
            case REGION -> inv.regions().containsKey(v) ? Optional.empty()
                    : Optional.of(shown + " is not a region of the inventory");
            case HOST -> inv.host(v).isPresent() ? Optional.empty()
                    : Optional.of(shown + " is not a host of the inventory (region/name, or a unique name)");
        };
    }

    private static String hint(Runbook.Param p, Inventory inv) {
        if (!p.allowed().isEmpty()) {
            return "expected one of: " + String.join(", ", p.allowed());
        }
        return switch (p.type()) {
            case REGION -> "regions: " + String.join(", ", inv.regions().keySet());
            case HOST -> "e.g. " + inv.hosts().stream().findFirst().map(h -> h.ref()).orElse("region1/dbms");
            case INT -> "e.g. 3";
            case BOOL -> "true or false";
            default -> "one line of text";
        };
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
        return replace(node, values);
    }

    /**
     * {@code node} for a shell command: every {@code ${name}} replaced by the value POSIX single-quoted (one
     * literal word the shell never interprets), except parameters of type {@link Runbook.ParamType#COMMAND},
     * pasted as written.
     */
    public static YNode substituteForShell(YNode node, Map<String, String> values, Map<String, Runbook.Param> declared) {
        Map<String, String> quoted = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            Runbook.Param p = declared.get(k);
            quoted.put(k, p != null && p.type() == Runbook.ParamType.COMMAND ? v : Shell.quote(v));
        });
        return replace(node, quoted);
    }

    /**
     * Problems for parameters referenced in a host selector whose value could change the selector's
     * structure (spaces, commas, '=' would add terms or alternatives): such values must be plain names.
     */
    public static void checkSelectorValues(YNode node, Map<String, String> values, Problems problems) {
        if (node instanceof YNode.YList l) {
            l.items().forEach(i -> checkSelectorValues(i, values, problems));
        } else if (node instanceof YNode.YScalar s && s.text() != null) {
            Matcher m = REF.matcher(s.text());
            while (m.find()) {
                String v = values.get(m.group(1));
                if (v != null && !isSelectorWord(v)) {
                    problems.add(s.location(), "parameter `" + m.group(1) + "` = '" + Fields.shorten(v)
                            + "' cannot be used in a host selector", "a single name: letters, digits, '_', '.', '-' (declare it `type: region`)");
                }
            }
        }
    }

    /**
     * Whether {@code node} still holds a {@code ${name}} after substitution: a parameter that is undefined, has no
     * value, or whose value was refused. Each of those is reported already, so the field is not checked further.
     */
    public static boolean unresolved(YNode node) {
        if (node instanceof YNode.YMap m) {
            return m.entries().values().stream().anyMatch(Params::unresolved);
        }
        if (node instanceof YNode.YList l) {
            return l.items().stream().anyMatch(Params::unresolved);
        }
        return node instanceof YNode.YScalar s && s.text() != null && REF.matcher(s.text()).find();
    }

    /** A name, or {@code region/name}: what a selector value may be. */
    static boolean isSelectorWord(String v) {
        int slash = v.indexOf('/');
        return slash < 0 ? Values.isName(v) : Values.isName(v.substring(0, slash)) && Values.isName(v.substring(slash + 1));
    }

    private static YNode replace(YNode node, Map<String, String> values) {
        if (node instanceof YNode.YMap m) {
            Map<String, YNode> entries = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> entries.put(k, replace(v, values)));
            return new YNode.YMap(m.location(), entries, m.keyLocations());
        }
        if (node instanceof YNode.YList l) {
            List<YNode> items = new ArrayList<>();
            l.items().forEach(i -> items.add(replace(i, values)));
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
