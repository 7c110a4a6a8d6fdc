package io.drctl.dbms;

import java.util.Objects;
import java.util.Optional;

/**
 * Read-only probe of a server through {@link CommandDbms}.
 *
 * @param instance the instance's name
 * @param role     primary, replica, or unknown (neither pattern matched)
 * @param lag      the lag when the server is a replica and a {@code lag} template is configured
 * @param detail   the role command's output (first non-blank line, at most 200 characters)
 */
public record CommandDbmsProbe(String instance, DbmsRole role, Optional<ReplicaLag> lag, String detail) {
    public CommandDbmsProbe {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(detail, "detail");
    }
}
