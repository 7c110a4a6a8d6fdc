package io.drctl.orchestrator.model;

import java.util.Map;
import java.util.Objects;

/**
 * A record drctl flips: its name relative to the zone, and which host serves it in each region.
 *
 * @param name     e.g. {@code cfgmaster}
 * @param byRegion region name → host name in that region
 */
public record DnsRecord(String name, Map<String, String> byRegion) {
    public DnsRecord {
        Objects.requireNonNull(name, "name");
        byRegion = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(byRegion));
    }
}
