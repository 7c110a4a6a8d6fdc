package io.drctl.orchestrator.config.load;

import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Host selectors: whitespace-separated {@code key=value} terms that must all match, each value a
 * comma-separated alternative list. Keys: {@code region}, {@code role}, {@code host} ({@code name}
 * or {@code region/name}). {@code all} selects every host. A YAML list of selectors is their union.
 *
 * <p>Examples: {@code "region=region2 role=dbms"}, {@code "role=framework,cs-proxy"},
 * {@code "host=region1/dbms"}.
 */
public final class Selector {
    static final List<String> KEYS = List.of("region", "role", "host");

    private Selector() {
    }

    /** Hosts matching {@code selector}, in inventory order; problems for bad terms or no match. */
    public static List<Host> select(String selector, Inventory inv, Location at, Problems problems) {
        String s = selector.strip();
        if (s.isEmpty()) {
            problems.add(at, "empty host selector", "e.g. \"region=region2 role=dbms\"");
            return List.of();
        }
        List<Host> candidates = new ArrayList<>(inv.hosts());
        if (!s.equals("all")) {
            for (String term : s.split("\\s+")) {
                int eq = term.indexOf('=');
                if (eq <= 0) {
                    problems.add(at, "selector term '" + term + "' is not key=value", "keys: region, role, host; e.g. role=dbms");
                    return List.of();
                }
                String key = term.substring(0, eq);
                List<String> values = List.of(term.substring(eq + 1).split(","));
                if (!KEYS.contains(key)) {
                    problems.add(at, "unknown selector key `" + key + "` in '" + selector + "'", Hints.didYouMean(key, KEYS));
                    return List.of();
                }
                for (String v : values) {
                    if (!known(key, v, inv)) {
                        problems.add(at, "selector '" + selector + "': no host has " + key + " `" + v + "`",
                                Hints.didYouMean(v, universe(key, inv)));
                        return List.of();
                    }
                }
                candidates.removeIf(h -> values.stream().noneMatch(v -> matches(key, v, h)));
            }
        }
        if (candidates.isEmpty()) {
            problems.add(at, "selector '" + selector + "' matches no host", "check region/role/host against the inventory");
        }
        return candidates;
    }

    /** Union of several selectors, without duplicates, in inventory order. */
    public static List<Host> selectAll(List<String> selectors, Inventory inv, Location at, Problems problems) {
        Set<Host> out = new LinkedHashSet<>();
        for (String s : selectors) {
            out.addAll(select(s, inv, at, problems));
        }
        return inv.hosts().stream().filter(out::contains).toList();
    }

    private static boolean matches(String key, String v, Host h) {
        return switch (key) {
            case "region" -> h.region().equals(v);
            case "role" -> h.hasRole(v);
            default -> v.contains("/") ? h.ref().equals(v) : h.name().equals(v);
        };
    }

    private static boolean known(String key, String v, Inventory inv) {
        return inv.hosts().stream().anyMatch(h -> matches(key, v, h)) || (key.equals("region") && inv.regions().containsKey(v));
    }

    private static Set<String> universe(String key, Inventory inv) {
        Set<String> out = new TreeSet<>();
        for (Host h : inv.hosts()) {
            switch (key) {
                case "region" -> out.add(h.region());
                case "role" -> out.addAll(h.roles());
                default -> {
                    out.add(h.name());
                    out.add(h.ref());
                }
            }
        }
        return out;
    }
}
