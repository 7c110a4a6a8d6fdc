package io.drctl.orchestrator.config.model;

import java.util.Map;

/**
 * One region (site).
 *
 * @param name    region name, e.g. {@code region1}
 * @param subnets named source ranges (CIDR), e.g. {@code framework: 10.77.1.8/29}
 * @param hosts   hosts by name, in file order
 * @param role    {@code primary} (serves in normal operation) or {@code dr} (takes over), when the inventory says so
 */
public record Region(String name, Map<String, String> subnets, Map<String, Host> hosts, java.util.Optional<String> role) {
    /** The roles a region may declare; runbooks' region parameters default to {@code "@primary"} / {@code "@dr"}. */
    public static final java.util.List<String> ROLES = java.util.List.of("primary", "dr");

    public Region {
        subnets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(subnets));
        hosts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(hosts));
    }
}
