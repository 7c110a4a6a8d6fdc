package io.drctl.dbms;

import io.drctl.host.Labelled;
import java.util.List;
import java.util.Optional;

/**
 * The database systems drctl can promote and probe. The labels are the one definition of the closed set:
 * the inventory's {@code db.kind}, its JSON Schema and the step types use them ({@link #label()}, e.g.
 * {@code postgresql}).
 */
public enum DbmsKind implements Labelled {
    /** PostgreSQL streaming replication ({@link PostgresPromoter}, {@link PgProbe}, {@link PostgresRejoiner}). */
    POSTGRESQL,
    /**
     * Any DBMS driven by command templates run on its host ({@link CommandDbms}, {@link CommandDbmsTemplates}):
     * SQL Server Always On, Oracle Data Guard, PostgreSQL through psql (see {@code dbms-adapters/COMMAND-DBMS.md}).
     */
    COMMAND;

    public static List<String> labels() {
        return Labelled.labels(DbmsKind.class);
    }

    public static Optional<DbmsKind> find(String label) {
        return Labelled.find(DbmsKind.class, label);
    }
}
