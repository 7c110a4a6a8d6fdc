package io.drctl.dbms;

import java.util.HashMap;
import java.util.Map;

/** The local control file as {@code pg_controldata} prints it (C locale): what pg_rewind needs to know. */
record ControlData(String systemId, String clusterState, boolean checksums, boolean walLogHints) {

    /** pg_rewind needs data checksums or {@code wal_log_hints=on}. */
    boolean rewindable() {
        return checksums || walLogHints;
    }

    boolean cleanlyShutDown() {
        return clusterState.equals("shut down") || clusterState.equals("shut down in recovery");
    }

    /** @throws IllegalArgumentException when a field pg_rewind's decision needs is missing */
    static ControlData parse(String out) {
        Map<String, String> v = new HashMap<>();
        for (String line : out.split("\n")) {
            int c = line.indexOf(':');
            if (c > 0) {
                v.put(line.substring(0, c).strip(), line.substring(c + 1).strip());
            }
        }
        String id = v.getOrDefault("Database system identifier", "");
        String state = v.getOrDefault("Database cluster state", "");
        String sums = v.getOrDefault("Data page checksum version", "");
        String hints = v.getOrDefault("wal_log_hints setting", "");
        if (!id.matches("\\d+") || state.isEmpty() || !sums.matches("\\d+") || hints.isEmpty()) {
            throw new IllegalArgumentException("pg_controldata output lacks system identifier, cluster state, "
                    + "checksum version or wal_log_hints");
        }
        return new ControlData(id, state, !sums.equals("0"), hints.equals("on"));
    }
}
