package io.drctl.dbms;

import java.util.List;
import java.util.Optional;

/**
 * Read-only probe of a PostgreSQL server.
 *
 * @param instance         the instance's name
 * @param role             primary or replica
 * @param serverVersionNum {@code server_version_num}, e.g. 150014
 * @param replica          replication state when {@code role} is {@link PgRole#REPLICA}
 * @param standbys         replicas attached when {@code role} is {@link PgRole#PRIMARY} (possibly none)
 */
public record PgProbe(String instance, PgRole role, int serverVersionNum, Optional<ReplicaStatus> replica,
                      List<StandbyStatus> standbys) {
    public PgProbe {
        standbys = List.copyOf(standbys);
        if (role == PgRole.REPLICA && replica.isEmpty()) {
            throw new IllegalArgumentException("a replica probe of " + instance + " needs its replication status");
        }
    }
}
