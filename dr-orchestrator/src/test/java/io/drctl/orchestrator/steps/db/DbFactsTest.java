package io.drctl.orchestrator.steps.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.dbms.PostgresInstance;
import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.model.Host;
import io.drctl.orchestrator.steps.Builtins;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host facts live in the inventory: PostgreSQL connection facts on the host's {@code db:} (a step's
 * {@code socketDir:} only overrides), the resolver cache's pid file on the host.
 */
class DbFactsTest {
    @TempDir
    Path tmp;

    static final String INVENTORY = Fixtures.LOOPBACK_INVENTORY.replace(
            "dbms: { address: 127.0.0.2, roles: [dbms] }",
            "dbms: { address: 127.0.0.2, roles: [dbms], db: { kind: postgresql, version: 15, osUser: pg,"
                    + " socketDir: SOCKET, binDir: /opt/pg/bin } }");

    Host dbmsHost(String socketDir) throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", INVENTORY.replace("SOCKET", socketDir));
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: t
                steps:
                  - { id: check, type: db.replica, hosts: "region=region1 role=dbms", expect: primary }
                """);
        Loaded loaded = Loaded.load(inv, rb, Map.of(), Builtins.registry());
        return loaded.inventory().regions().get("region1").hosts().get("dbms");
    }

    @Test
    void hostFacts_socketAndBinDir_comeFromTheInventory_stepOverrides() throws Exception {
        Host h = dbmsHost("/srv/pg/sock");
        Path inv = tmp.resolve("inv.yaml");
        Loaded loaded = Loaded.load(inv, tmp.resolve("rb.yaml"), Map.of(), Builtins.registry());
        PostgresInstance fromHost = DbAccess.postgres(h, loaded.inventory(), Optional.empty());
        assertEquals("/srv/pg/sock", fromHost.host(), "the socket directory the host declares");
        assertEquals(Optional.of(Path.of("/opt/pg/bin")), fromHost.binDir());
        assertEquals(Optional.of("pg"), fromHost.osUser());
        PostgresInstance overridden = DbAccess.postgres(h, loaded.inventory(), Optional.of("/tmp/other"));
        assertEquals("/tmp/other", overridden.host(), "an explicit step field wins");
    }

    @Test
    void unsafeSocketDir_isALocatedError() throws Exception {
        Path inv = Fixtures.write(tmp, "inv.yaml", INVENTORY.replace("SOCKET", "\"/run/pg$(touch x)\""));
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: t
                steps:
                  - { id: check, type: db.replica, hosts: "region=region1 role=dbms", expect: primary }
                """);
        Fixtures.Cli r = Fixtures.cli("validate", inv.toString(), rb.toString()).assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.all().contains("inv.yaml:") && r.all().contains("socketDir") && r.all().contains("not a safe absolute path"),
                r.all());
    }

    @Test
    void resolverPidFile_onlyForDnsmasq_andASafePath() throws Exception {
        String inv = Fixtures.LOOPBACK_INVENTORY.replace("app: { address: 127.0.0.3, roles: [app] }",
                "app: { address: 127.0.0.3, roles: [app], resolver: nscd, resolverPidFile: /run/x.pid }");
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: t
                steps:
                  - { id: s, type: exec, command: "true" }
                """);
        Fixtures.Cli r = Fixtures.cli("validate", Fixtures.write(tmp, "inv.yaml", inv).toString(), rb.toString())
                .assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.all().contains("resolverPidFile is read only for `resolver: dnsmasq`"), r.all());
        Fixtures.Cli ok = Fixtures.cli("validate", Fixtures.write(tmp, "inv2.yaml", inv.replace("nscd", "dnsmasq")).toString(),
                rb.toString()).assertExit(ExitCodes.OK);
    }
}
