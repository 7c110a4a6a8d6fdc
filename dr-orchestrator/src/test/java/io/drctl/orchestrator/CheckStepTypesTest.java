package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import io.drctl.orchestrator.config.load.Loaded;
import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.config.yaml.Problem;
import io.drctl.orchestrator.steps.Builtins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation of the read-only check step types (vm.status, db.replica, dns.key-check), with locations. */
class CheckStepTypesTest {
    @TempDir
    Path tmp;

    static Path example() {
        return Fixtures.repoRoot().resolve("inventory/example.yaml");
    }

    String problems(Path inventory, String runbook) throws Exception {
        Path rb = Fixtures.write(tmp, "rb.yaml", runbook);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Loaded.load(inventory, rb, Map.of(), Builtins.registry()));
        return e.problems().stream().map(Problem::render).collect(Collectors.joining("\n"));
    }

    @Test
    void registry_listsTheCheckTypes() {
        var names = Builtins.registry().names();
        assertTrue(names.containsAll(List.of("vm.status", "db.replica", "dns.key-check")), names.toString());
    }

    @Test
    void load_shippedReadinessRunbook_isValidWithSixIndependentContinuingSteps() throws Exception {
        Loaded l = Loaded.load(example(), Fixtures.repoRoot().resolve("runbooks/readiness.yaml"), Map.of(),
                Builtins.registry());
        assertEquals(6, l.steps().size());
        l.steps().forEach(s -> {
            assertTrue(s.dependsOn().isEmpty(), s.id() + " must be independent");
            assertEquals("CONTINUE", s.onFailure().name(), s.id() + " must continue on failure");
        });
    }

    /**
     * A runbook whose step {@code dormant} (from line 3) asks for the status of region2's Framework VM; a test may append
     * keys and steps.
     */
    static final String DORMANT_VM_STATUS = """
            name: bad-vm
            steps:
              - id: dormant
                type: vm.status
                hosts: "region=region2 role=framework"
            """;

    @Test
    void load_vmStatusBadExpectAndHostWithoutVm_bothReportedWithLines() throws Exception {
        String out = problems(example(), DORMANT_VM_STATUS + """
                    expect: paused
                  - id: dbms-vm
                    type: vm.status
                    hosts: "region=region2 role=dbms"
                    expect: stopped
                """);
        ValidateTest.assertLine(out, "rb.yaml", 6, "`expect` must be one of stopped, running, found 'paused'");
        // `hosts` is a common key: its problems are located at the step
        ValidateTest.assertLine(out, "rb.yaml", 7, "steps[1].hosts", "host region2/dbms has no `vm:`");
    }

    @Test
    void load_vmStatusWithoutExpect_missingFieldReported() throws Exception {
        String out = problems(example(), DORMANT_VM_STATUS);
        assertTrue(out.contains("expect"), out);
        assertTrue(out.contains("rb.yaml:3:"), out);
    }

    @Test
    void load_dbReplicaBadFields_everyProblemLocated() throws Exception {
        String out = problems(example(), """
                name: bad-db
                steps:
                  - id: lag-on-primary
                    type: db.replica
                    hosts: "region=region1 role=dbms"
                    expect: primary
                    maxLag: 30s
                  - id: negative
                    type: db.replica
                    hosts: "region=region2 role=dbms"
                    maxLagBytes: -1
                  - id: no-db
                    type: db.replica
                    hosts: "region=region2 role=framework"
                  - id: typo
                    type: db.replica
                    hosts: "region=region2 role=dbms"
                    maxlag: 30s
                  - id: bad-duration
                    type: db.replica
                    hosts: "region=region2 role=dbms"
                    maxLag: soon
                  - id: bad-expect
                    type: db.replica
                    hosts: "region=region2 role=dbms"
                    expect: standby
                """);
        ValidateTest.assertLine(out, "rb.yaml", 7, "`maxLag` bounds a replica's lag");
        ValidateTest.assertLine(out, "rb.yaml", 11, "`maxLagBytes` is -1, outside 0..2147483647");
        ValidateTest.assertLine(out, "rb.yaml", 12, "steps[2].hosts", "host region2/mfwk-p has no `db:` section");
        ValidateTest.assertLine(out, "rb.yaml", 18, "unknown key `maxlag`", "did you mean `maxLag`?");
        ValidateTest.assertLine(out, "rb.yaml", 22, "soon");
        ValidateTest.assertLine(out, "rb.yaml", 26, "`expect` must be one of replica, primary, found 'standby'");
    }

    @Test
    void load_dnsKeyCheckWithHostsAndBadSkew_reported() throws Exception {
        String out = problems(example(), """
                name: bad-key
                steps:
                  - id: key
                    type: dns.key-check
                    hosts: all
                  - id: skew
                    type: dns.key-check
                    maxSkew: 0s
                """);
        ValidateTest.assertLine(out, "rb.yaml", 5, "hosts");
        ValidateTest.assertLine(out, "rb.yaml", 8, "maxSkew must be positive");
    }

    @Test
    void load_dnsKeyCheckInventoryWithoutTsig_reportedAtStep() throws Exception {
        String inv = Files.readString(example()).replace("    keyFile: /etc/drctl/drctl-update.key", "")
                .replace("  tsig:\n", "");
        assertFalse(inv.contains("tsig:"), "fixture must drop the tsig section");
        Path invFile = Fixtures.write(tmp, "inv.yaml", inv);
        String out = problems(invFile, """
                name: no-key
                steps:
                  - id: key
                    type: dns.key-check
                """);
        ValidateTest.assertLine(out, "rb.yaml", 3, "needs a TSIG key");
    }

    @Test
    void validateCli_readinessRunbookAgainstExample_exitZero() {
        Fixtures.Cli r = Fixtures.cli("validate", example().toString(), Fixtures.repoRoot().resolve("runbooks/readiness.yaml").toString())
                .assertExit(ExitCodes.OK);
    }
}
