package io.drctl.orchestrator.model;

import java.util.Map;
import java.util.Objects;

/**
 * One region (site).
 *
 * @param name    region name, e.g. {@code region1}
 * @param subnets named source ranges (CIDR), e.g. {@code framework: 10.77.1.8/29}
 * @param hosts   hosts by name, in file order
 */
public record Region(String name, Map<String, String> subnets, Map<String, Host> hosts) {
    public Region {
        Objects.requireNonNull(name, "name");
        subnets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(subnets));
        hosts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(hosts));
    }
}
