package io.drctl.orchestrator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A test inventory's YAML from the parts the tests vary: its name, SSH settings (by default a key that does not
 * exist: nothing connects), name servers on 127.0.0.1 (zone {@code cc.test.}), the hosts of each region (each a
 * line of YAML, {@code app: { address: 127.0.0.1, roles: [app] }}), a region's own keys ({@code role: primary}), the
 * DNS records and further top-level YAML (ports, providers), which follow the regions.
 */
public final class InventoryYaml {
    /** SSH settings that reach no host: the key and known hosts do not exist. */
    private static final String NO_SSH = "{ user: root, identityFile: /nonexistent/key, knownHosts: /nonexistent/known_hosts }";

    private final String name;
    private String ssh = NO_SSH;
    private final List<String> dns = new ArrayList<>();
    private final Map<String, List<String>> regionKeys = new LinkedHashMap<>();
    private final Map<String, List<String>> hosts = new LinkedHashMap<>();
    private final List<String> after = new ArrayList<>();

    private InventoryYaml(String name) {
        this.name = name;
    }

    public static InventoryYaml named(String name) {
        return new InventoryYaml(name);
    }

    /** The {@code ssh:} mapping, in flow style. */
    public InventoryYaml ssh(String flowMapping) {
        ssh = flowMapping;
        return this;
    }

    /** Name servers {@code ns1}, {@code ns2}, … on 127.0.0.1 at these ports, for zone {@code cc.test.}. */
    public InventoryYaml nameServers(int... ports) {
        dns.add("zone: cc.test.");
        dns.add(IntStream.range(0, ports.length)
                .mapToObj(i -> "{ name: ns" + (i + 1) + ", address: 127.0.0.1, port: " + ports[i] + " }")
                .collect(Collectors.joining(", ", "servers: [ ", " ]")));
        return this;
    }

    /** A further key of the {@code dns:} mapping ({@code tsig: { keyEnv: DRCTL_TSIG }}, {@code ttl: 60}). */
    public InventoryYaml dns(String line) {
        dns.add(line);
        return this;
    }

    /** A key of {@code region}'s own ({@code role: primary}), before its hosts. */
    public InventoryYaml region(String region, String line) {
        regionKeys.computeIfAbsent(region, r -> new ArrayList<>()).add(line);
        hosts.computeIfAbsent(region, r -> new ArrayList<>());
        return this;
    }

    /** Hosts of {@code region}, a line of YAML each (a host's continuation lines indented relative to it). */
    public InventoryYaml hosts(String region, String... lines) {
        hosts.computeIfAbsent(region, r -> new ArrayList<>()).addAll(List.of(lines));
        return this;
    }

    /** The {@code records:} mapping after the regions, a record a line ({@code svc: { region1: app, region2: app }}). */
    public InventoryYaml records(String... lines) {
        return then("records:\n" + indent(2, List.of(lines)));
    }

    /** Top-level YAML after the regions ({@code ports: { dbms: 5432 }}, a {@code providers:} block). */
    public InventoryYaml then(String yaml) {
        after.add(yaml);
        return this;
    }

    public String yaml() {
        StringBuilder b = new StringBuilder("name: " + name + "\nssh: " + ssh + "\n");
        if (!dns.isEmpty()) {
            b.append("dns:\n").append(indent(2, dns));
        }
        b.append("regions:\n");
        hosts.forEach((region, lines) -> b.append("  ").append(region).append(":\n")
                .append(indent(4, regionKeys.getOrDefault(region, List.of())))
                .append("    hosts:\n").append(indent(6, lines)));
        return b.append(indent(0, after)).toString();
    }

    private static String indent(int spaces, List<String> yaml) {
        return yaml.stream().map(y -> y.stripIndent().indent(spaces)).collect(Collectors.joining());
    }
}
