package io.drctl.orchestrator.config.load;

import io.drctl.dbms.CommandDbmsTemplates;
import io.drctl.dbms.DbmsKind;
import io.drctl.dbms.PostgresInstance;
import io.drctl.host.Values;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Hints;
import io.drctl.orchestrator.config.yaml.Problems;
import java.util.List;
import java.util.Optional;

/** Reads a host's {@code db:} facts: the DBMS kind, version, directories, users, port and, for {@code kind: command}, its templates. */
final class DbFactsLoader {
    // the closed set is defined once, by the adapters that implement it
    static final List<String> DB_KINDS = DbmsKind.labels();

    private DbFactsLoader() {
    }

    static Optional<Host.DbSpec> db(Fields d, Problems problems) {
        Optional<String> kind = d.requiredString("kind");
        kind.filter(k -> !DB_KINDS.contains(k)).ifPresent(k -> problems.add(d.at("kind"),
                "unknown db kind `" + Fields.shorten(k) + "`", Hints.didYouMean(k, DB_KINDS)));
        Optional<String> version = Checks.string(d, "version", PostgresInstance::isMajorVersion,
                v -> "db version '" + Fields.shorten(v) + "' is not a major version number", "e.g. 15 or 9.6");
        Optional<String> dataDir = Checks.safePath(d, "dataDir", "/var/lib/postgresql/15/main");
        Optional<String> socketDir = Checks.safePath(d, "socketDir", "/var/run/postgresql");
        Optional<String> binDir = Checks.safePath(d, "binDir", "/usr/lib/postgresql/15/bin");
        Optional<String> osUser = Checks.string(d, "osUser", u -> u.matches("[A-Za-z_][A-Za-z0-9_.-]*") && Values.isName(u),
                u -> "osUser '" + Fields.shorten(u) + "' is not a valid user name", (String) null);
        Optional<String> replicationUser = Checks.string(d, "replicationUser", Values::isName,
                u -> "replicationUser '" + Fields.shorten(u) + "' is not a valid role name", "letters, digits, '_', '.', '-'");
        Optional<Integer> port = Checks.port(d, "port", "db port");
        Optional<CommandDbmsTemplates> templates = kind.filter(DbmsKind.COMMAND.label()::equals)
                .flatMap(k -> commandTemplates(d, problems));
        d.done();
        return kind.map(k -> new Host.DbSpec(k, version, dataDir, osUser, port, socketDir, binDir, replicationUser, templates));
    }

    /** {@code kind: command}: the templates that promote and probe the DBMS ({@code dbms-adapters/COMMAND-DBMS.md}). */
    private static Optional<CommandDbmsTemplates> commandTemplates(Fields d, Problems problems) {
        Optional<String> promote = d.requiredString("promote");
        Optional<String> role = d.requiredString("role");
        Optional<String> primary = d.requiredString("primary");
        Optional<String> replica = d.requiredString("replica");
        Optional<String> lag = d.string("lag");
        Optional<String> lagPattern = d.string("lagPattern");
        Optional<String> writeCheck = d.string("writeCheck");
        if (promote.isEmpty() || role.isEmpty() || primary.isEmpty() || replica.isEmpty()) {
            return Optional.empty();
        }
        try {
            CommandDbmsTemplates t = CommandDbmsTemplates.of(promote.get(), role.get(), primary.get(), replica.get());
            if (lag.isPresent() || lagPattern.isPresent()) {
                t = t.withLag(lag.orElse(""), lagPattern.orElse(""));
            }
            if (writeCheck.isPresent()) {
                t = t.withWriteCheck(writeCheck.get());
            }
            return Optional.of(t);
        } catch (IllegalArgumentException e) {
            problems.add(d.location(), "db (kind: command): " + e.getMessage(), "see dbms-adapters/COMMAND-DBMS.md for working templates");
            return Optional.empty();
        }
    }
}
