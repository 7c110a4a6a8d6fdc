package io.drctl.orchestrator.config.model;

import java.util.List;
import java.util.Map;

/**
 * A record drctl flips: its name relative to the zone, which host serves it in each region, and the groups it
 * belongs to. Runbooks select records by group ({@code records: [group=config-server]}), so a shipped runbook
 * fits any inventory that declares the groups, whatever the site calls its records.
 *
 * @param name     e.g. {@code cfgmaster}
 * @param byRegion region name → host name in that region
 * @param groups   e.g. {@code [config-server]}; the inventory's {@code groups:} key of the record
 */
public record DnsRecord(String name, Map<String, String> byRegion, List<String> groups) {
    /** The key of a record's map that lists its groups (so no region may be called that). */
    public static final String GROUPS = "groups";

    public DnsRecord {
        byRegion = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(byRegion));
        groups = List.copyOf(groups);
    }
}
