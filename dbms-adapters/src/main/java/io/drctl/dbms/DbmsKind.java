package io.drctl.dbms;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The database systems drctl can promote and probe. The labels are the one definition of the closed set:
 * the inventory's {@code db.kind}, its JSON Schema and the step types use them.
 */
public enum DbmsKind {
    /** PostgreSQL streaming replication ({@link PostgresPromoter}, {@link PgProbe}, {@link PostgresRejoiner}). */
    POSTGRESQL("postgresql"),
    /**
     * Any DBMS driven by command templates run on its host ({@link CommandDbms}, {@link CommandDbmsTemplates}):
     * SQL Server Always On, Oracle Data Guard, PostgreSQL through psql (see {@code dbms-adapters/COMMAND-DBMS.md}).
     */
    COMMAND("command");

    private final String label;

    DbmsKind(String label) {
        this.label = label;
    }

    /** The inventory word, e.g. {@code postgresql}. */
    public String label() {
        return label;
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(DbmsKind::label).toList();
    }

    public static Optional<DbmsKind> find(String label) {
        return Arrays.stream(values()).filter(k -> k.label.equals(label)).findFirst();
    }
}
