package io.drctl.orchestrator.steps.db;

import io.drctl.dbms.PostgresInstance;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.model.Inventory;
import io.drctl.orchestrator.spi.FieldKind;
import io.drctl.orchestrator.spi.FieldSpec;
import java.nio.file.Path;
import java.util.Optional;

/** How DB step types reach a host's PostgreSQL from the inventory's {@code db:} facts. */
public final class DbAccess {
    private DbAccess() {
    }

    /** Where PostgreSQL puts its socket when the host's {@code db.socketDir} does not say (Debian, RHEL). */
    public static final String DEFAULT_SOCKET_DIR = "/var/run/postgresql";

    /**
     * {@code host}'s PostgreSQL as seen on the host itself (over SSH). Its facts come from the host's
     * {@code db:} in the inventory: socket directory ({@code db.socketDir}, else {@value #DEFAULT_SOCKET_DIR}),
     * port ({@code db.port} or the inventory's {@code dbms} port), OS user, binary directory
     * ({@code db.binDir}, else Debian's for the version) and data directory. {@code socketDirOverride} is a
     * step's explicit {@code socketDir:}, which wins.
     */
    public static PostgresInstance postgres(Host host, Inventory inv, Optional<String> socketDirOverride) {
        Host.DbSpec db = host.db().orElseThrow();
        int port = db.port().orElseGet(() -> inv.ports().getOrDefault("dbms", 5432));
        String socketDir = socketDirOverride.or(db::socketDir).orElse(DEFAULT_SOCKET_DIR);
        Optional<Path> binDir = db.binDir().map(Path::of)
                .or(() -> db.version().map(ver -> Path.of("/usr/lib/postgresql/" + ver + "/bin")));
        return new PostgresInstance(host.ref(), socketDir, port, Optional.of(db.osUser().orElse("postgres")),
                "postgres", "postgres", binDir, db.dataDir().map(Path::of));
    }

    /** Whether {@code h} declares a DBMS drctl drives; when not, the problem names what cannot be done ({@code verb}: "promoted"). */
    static boolean knownDbms(io.drctl.orchestrator.config.model.Host h, io.drctl.orchestrator.spi.StepValidation v, String verb) {
        if (h.db().isEmpty()) {
            v.problem("hosts", "host " + h.ref() + " has no `db:` section", "add db: { kind: postgresql, ... }");
            return false;
        }
        if (io.drctl.dbms.DbmsKind.find(h.db().get().kind()).isEmpty()) {
            v.problem("hosts", "host " + h.ref() + ": db.kind `" + h.db().get().kind() + "` cannot be " + verb,
                    "supported: " + String.join(", ", io.drctl.dbms.DbmsKind.labels()));
            return false;
        }
        return true;
    }

    /** A step's {@code socketDir}: overrides the host's {@code db.socketDir}; checked by {@link #validateSocketDir}. */
    public static final FieldSpec SOCKET_DIR_FIELD = FieldSpec.optional("socketDir", FieldKind.STRING,
            "overrides the host's db.socketDir (the inventory is where host facts belong)");

    /** {@code socketDir}, when given, must be a path {@link PostgresInstance} accepts. */
    public static void validateSocketDir(io.drctl.orchestrator.spi.StepSpec step, io.drctl.orchestrator.spi.StepValidation v) {
        step.fields().optString("socketDir").ifPresent(d -> {
            if (!PostgresInstance.isSafePath(d)) {
                v.problem("socketDir", "socketDir '" + io.drctl.orchestrator.config.yaml.Fields.shorten(d)
                        + "' is not a safe absolute path", "letters, digits and _ . @ + - / only, e.g. /var/run/postgresql");
            }
        });
    }
}
