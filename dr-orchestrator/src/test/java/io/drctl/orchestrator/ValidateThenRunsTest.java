package io.drctl.orchestrator;

import static io.drctl.orchestrator.ValidateTest.assertLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The repros of "whatever validate accepts runs": each input that used to pass validation and then fail at
 * plan or run time with an internal error (exit 1), echo a secret, or run an injected command, now fails
 * validation with a located problem (exit 2), or runs harmlessly; no file is ever created.
 */
class ValidateThenRunsTest extends ExampleInventoryCase {
    String example() throws IOException {
        return Files.readString(EXAMPLE);
    }

    /** validate and plan --offline both exit 2 naming the problem at {@code file:line}; neither prints a stack trace. */
    void assertInvalid(Path inv, Path rb, String file, int line, String... fragments) {
        Fixtures.Cli v = validate(inv, rb).assertExit(ExitCodes.INVALID_INPUT);
        assertLine(v.err(), file, line, fragments);
        Fixtures.Cli p = Fixtures.cli("plan", "--offline", inv.toString(), rb.toString())
                .assertExit(ExitCodes.INVALID_INPUT);
        assertLine(p.err(), file, line, fragments);
        for (Fixtures.Cli c : new Fixtures.Cli[] {v, p}) {
            assertFalse(c.all().contains("internal error") || c.all().contains("\tat "), c.all());
        }
    }

    Path inventoryWith(String from, String to) throws IOException {
        String text = example();
        assertTrue(text.contains(from), from);
        return Fixtures.write(tmp, "inv.yaml", text.replace(from, to));
    }

    // ------------------------------------------------------------------ parameter injection

    Path markerRunbook(String unlessExtra) throws IOException {
        return writeRunbook("""
                name: RB
                params:
                  marker: { default: /tmp/none }
                steps:
                  - id: mark
                    type: exec
                    command: "printf '%%s' ${marker} > %1$s/quoted; printf '%%s' \\"$DRCTL_PARAM_MARKER\\" > %1$s/env"
                    unless: "test -f ${marker} || test -f %1$s/quoted%2$s"
                """.formatted(tmp, unlessExtra));
    }

    @Test
    void run_paramWithShellMetacharacters_reachesTheCommandAsOneLiteralWord() throws Exception {
        String value = tmp + "/m; touch " + tmp + "/INJECTED";
        Path rb = markerRunbook("");
        Fixtures.Cli r = Fixtures.cli("run", "--state-dir", tmp.resolve("state").toString(), EXAMPLE.toString(), rb.toString(),
                "-p", "marker=" + value).assertExit(ExitCodes.OK);
        assertFalse(Files.exists(tmp.resolve("INJECTED")), "the `; touch` in the value ran");
        assertEquals(value, Files.readString(tmp.resolve("quoted")), "${marker} pasted as one single-quoted word");
        assertEquals(value, Files.readString(tmp.resolve("env")), "also readable as $DRCTL_PARAM_MARKER");
    }

    @Test
    void dryRun_paramWithShellMetacharacters_createsNoFile() throws Exception {
        String value = tmp + "/m; touch " + tmp + "/INJECTED";
        Path rb = markerRunbook("");
        Fixtures.Cli r = Fixtures.cli("run", "--dry-run", "--state-dir", tmp.resolve("state").toString(), EXAMPLE.toString(),
                rb.toString(), "-p", "marker=" + value).assertExit(ExitCodes.OK);
        assertFalse(Files.exists(tmp.resolve("INJECTED")), "a dry run executed the injected command");
        assertFalse(Files.exists(tmp.resolve("quoted")), "a dry run ran `command`");
    }

    @Test
    void plan_unlessNotDeclaredReadOnly_isNotRunAndThePlanSaysWhy() throws Exception {
        Path rb = markerRunbook("; touch " + tmp + "/PROBED");
        Fixtures.Cli r = Fixtures.cli("plan", EXAMPLE.toString(), rb.toString()).assertExit(ExitCodes.OK);
        assertFalse(Files.exists(tmp.resolve("PROBED")), "plan ran an `unless` not declared read-only");
        assertTrue(r.out().contains("`unless` not run in a dry run: it is not declared read-only (unlessReadOnly: true)"), r.out());
    }

    @Test
    void validate_unlessReadOnlyWithoutUnless_locatedProblem() throws Exception {
        Path rb = writeSteps("""
                  - id: mark
                    type: exec
                    command: "true"
                    unlessReadOnly: true
                """);
        assertInvalid(EXAMPLE, rb, "rb.yaml", 6, "`unlessReadOnly` without `unless`");
    }

    // ------------------------------------------------------------------ selectors from params

    @Test
    void plan_regionParamNamingTwoRegions_refusedBeforeAnythingIsSelected() {
        Fixtures.Cli r = Fixtures.cli("plan", "--offline", EXAMPLE.toString(), runbook("partial-failover-dbms.yaml").toString(),
                "-p", "from=region1,region2").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("parameter `from` = 'region1,region2' is not a region of the inventory (regions: region1, region2)"),
                r.err());
        assertFalse(r.out().contains("fence"), r.out());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("  ")).count(), "no follow-on selector problems: " + r.err());
    }

    @Test
    void plan_fromAndToTheSameRegion_refused() {
        Fixtures.Cli r = Fixtures.cli("plan", "--offline", EXAMPLE.toString(), runbook("full-failover.yaml").toString(),
                "-p", "from=region2", "-p", "to=region2").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(r.err().contains("parameters `from` and `to` are both 'region2'; they must differ"), r.err());
    }

    @Test
    void validate_untypedParamWithSelectorSyntaxInHosts_locatedProblem() throws Exception {
        Path rb = writeRunbook("""
                name: RB
                params:
                  where: { default: "region1 role=dbms,framework" }
                steps:
                  - id: s
                    type: ssh
                    hosts: "region=${where} role=dbms"
                    command: "true"
                """);
        assertInvalid(EXAMPLE, rb, "rb.yaml", 7, "parameter `where` = 'region1 role=dbms,framework' cannot be used in a host selector");
    }

    @Test
    void validate_paramTypes_checkedWithLocatedDefaults() throws Exception {
        Path rb = writeRunbook("""
                name: RB
                params:
                  n: { type: int, default: "3x" }
                  target: { type: host, default: region9/dbms }
                  flag: { type: boolean }
                steps:
                  - id: s
                    type: exec
                    command: "echo ${n} ${target} ${flag}"
                """);
        Fixtures.Cli v = validate(EXAMPLE, rb).assertExit(ExitCodes.INVALID_INPUT);
        assertLine(v.err(), "rb.yaml", 3, "parameter `n` = '3x' is not a whole number");
        assertLine(v.err(), "rb.yaml", 4, "parameter `target` = 'region9/dbms' is not a host of the inventory");
        assertLine(v.err(), "rb.yaml", 5, "unknown parameter type `boolean`", "expected one of: string, int, bool, region, host, command");
    }

    // ------------------------------------------------------------------ YAML indirections

    @Test
    void validate_yamlAlias_refusedWithLocationNotUsedAsAnAddress() throws Exception {
        Path inv = inventoryWith("""
                      mfwk-b: { address: 192.0.2.11,""", """
                      mfwk-b: { address: &a1 192.0.2.11,""");
        String text = Files.readString(inv).replace("app-p:  { address: 192.0.2.20,", "app-p:  { address: *a1,");
        Files.writeString(inv, text);
        Fixtures.Cli v = validate(inv, runbook("preflight.yaml")).assertExit(ExitCodes.INVALID_INPUT);
        assertLine(v.err(), "inv.yaml", ValidateTest.lineOf(text, "&a1"), "YAML anchor `&a1` is not allowed");
        assertLine(v.err(), "inv.yaml", ValidateTest.lineOf(text, "*a1"), "YAML alias `*a1` is not allowed");
        Fixtures.Cli p = Fixtures.cli("plan", "--offline", inv.toString(), runbook("preflight.yaml").toString())
                .assertExit(ExitCodes.INVALID_INPUT);
        assertFalse(p.out().contains("a1"), p.out());
    }

    /** A problem expected at {@code line} of rb.yaml, its message containing every fragment. */
    record At(int line, String... fragments) {
    }

    static Stream<Arguments> refusedSteps() {
        return Stream.of(
                Arguments.of("YAML merge key and tag", """
                          - id: a
                            type: exec
                            command: !!str "true"
                          - id: b
                            <<: { type: exec, command: "true" }
                        """, List.of(new At(5, "YAML tag `!!str` is not allowed"),
                        new At(7, "YAML merge key `<<` is not allowed"))),
                Arguments.of("huge durations, with the bound", """
                          - id: a
                            type: exec
                            command: "true"
                            timeout: 99999999999999999999s
                          - id: b
                            type: wait.tcp
                            hosts: "region=region1 role=dbms"
                            port: dbms
                            within: 9223372036854775807m
                        """, List.of(new At(6, "`timeout` is '99999999999999999999s', more than the maximum 30d"),
                        new At(11, "`within` is '9223372036854775807m', more than the maximum 30d"))),
                Arguments.of("numbers out of bounds", """
                          - { id: a, type: exec, command: "true", expectExit: 256 }
                          - { id: b, type: dns.update, records: [cfgmaster], to: region2, maxZoneShare: 1.5 }
                          - { id: c, type: firewall.verify, hosts: "role=dbms", port: dbms, from: [framework], source: "role=framework", expect: fencd }
                        """, List.of(new At(3, "`expectExit` is 256, outside 0..255"), new At(4, "`maxZoneShare` is 1.5, outside 0..1"),
                        new At(5, "`expect` must be one of fenced, open, found 'fencd'", "did you mean `fenced`?"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedSteps")
    void validate_refusedSteps_eachProblemLocated(String what, String steps, List<At> problems) throws Exception {
        Fixtures.Cli v = validate(EXAMPLE, writeSteps(steps)).assertExit(ExitCodes.INVALID_INPUT);
        for (At p : problems) {
            assertLine(v.err(), "rb.yaml", p.line(), p.fragments());
        }
    }

    // ------------------------------------------------------------------ valid, then an internal error

    @Test
    void validate_dataDirWithCommandSubstitution_locatedAndNothingRuns() throws Exception {
        Path inv = inventoryWith("dataDir: /var/lib/postgresql/15/main, osUser: postgres, replicationUser: replicator }\n  region2",
                "dataDir: \"/var/lib/pg$(touch " + tmp + "/x)\", osUser: postgres, replicationUser: replicator }\n  region2");
        assertInvalid(inv, runbook("full-failover.yaml"), "inv.yaml", ValidateTest.lineOf(Files.readString(inv), "$(touch"),
                "dataDir '/var/lib/pg$(touch", "is not a safe absolute path");
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void validate_versionWithASpace_located() throws Exception {
        Path inv = inventoryWith("db: { kind: postgresql, version: 15, dataDir: /var/lib/postgresql/15/main, osUser: postgres, replicationUser: replicator }\n  region2",
                "db: { kind: postgresql, version: \"15 x\", dataDir: /var/lib/postgresql/15/main, osUser: postgres, replicationUser: replicator }\n  region2");
        assertInvalid(inv, runbook("full-failover.yaml"), "inv.yaml", ValidateTest.lineOf(Files.readString(inv), "15 x"),
                "db version '15 x' is not a major version number");
    }

    @Test
    void validate_noDnsServers_located() throws Exception {
        String text = example().replace("""
                    - { name: ns1, address: 192.0.2.53 }            # optional `port:` (default 53)
                    - { name: ns2, address: 198.51.100.53 }
                """, "").replace("servers:                     #", "servers: []                  #");
        Path inv = Fixtures.write(tmp, "inv.yaml", text);
        assertInvalid(inv, runbook("full-failover.yaml"), "inv.yaml", ValidateTest.lineOf(text, "servers: []"), "`servers` is empty");
    }

    @Test
    void validate_recordOutsideTheZone_located() throws Exception {
        Path inv = inventoryWith("  configdb:     { groups: [dbms],          region1: dbms,   region2: dbms }",
                "  configdb:     { groups: [dbms],          region1: dbms,   region2: dbms }\n  www.bank.example.: { region1: mfwk-p, region2: mfwk-p }");
        String text = Files.readString(inv);
        Path rb = writeSteps("""
                  - { id: flip, type: dns.update, records: [www.bank.example.], to: region2 }
                """);
        Fixtures.Cli v = validate(inv, rb).assertExit(ExitCodes.INVALID_INPUT);
        assertLine(v.err(), "inv.yaml", ValidateTest.lineOf(text, "www.bank"), "record `www.bank.example.` is outside the zone cc.example.com.");
    }

    // ------------------------------------------------------------------ secrets, files, kinds

    @Test
    void validate_pastedPasswordInPasswordEnv_neverEchoed() throws Exception {
        Path inv = inventoryWith("passwordEnv: DRCTL_VSPHERE_PASSWORD", "passwordEnv: \"Winter2026!vc\"");
        Fixtures.Cli v = validate(inv).assertExit(ExitCodes.INVALID_INPUT);
        assertLine(v.err(), "inv.yaml", ValidateTest.lineOf(Files.readString(inv), "Winter2026"),
                "`passwordEnv` must name an environment variable (its value is not shown");
        assertFalse(v.all().contains("Winter2026"), v.all());
    }

    @Test
    void validate_notARegularFileOrTooLarge_clearErrorNoMemoryExhaustion() throws Exception {
        Fixtures.Cli zero = Fixtures.cli("validate", "/dev/zero").assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(zero.err().contains("/dev/zero: not a regular file"), zero.err());
        Fixtures.Cli dir = validate(EXAMPLE, tmp).assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(dir.err().contains(tmp + ": not a regular file"), dir.err());
        Path big = tmp.resolve("big.yaml");
        Files.write(big, new byte[5 * 1024 * 1024]);
        Fixtures.Cli large = validate(big).assertExit(ExitCodes.INVALID_INPUT);
        assertTrue(large.err().contains("more than the 4194304 an inventory or runbook may have"), large.err());
    }

    @Test
    void validate_firewallAndResolverKinds_exactlyTheAdaptersSets() throws Exception {
        Path inv = inventoryWith("firewall: iptables     #", "firewall: windows-netsh #");
        String text = Files.readString(inv)
                .replace("app-b:  { address: 192.0.2.21, roles: [cs-proxy], os: windows,",
                        "app-b:  { address: 192.0.2.21, roles: [cs-proxy], os: windows, resolver: windows-dns-client,")
                .replace("app-b:  { address: 198.51.100.21, roles: [cs-proxy], os: windows,",
                        "app-b:  { address: 198.51.100.21, roles: [cs-proxy], os: windows, resolver: windows,");
        Files.writeString(inv, text);
        Fixtures.Cli v = validate(inv).assertExit(ExitCodes.INVALID_INPUT);
        assertEquals(1, v.err().lines().filter(l -> l.startsWith("  ")).count(), "only the unknown resolver: " + v.err());
        assertLine(v.err(), "inv.yaml", ValidateTest.lineOf(text, "resolver: windows,"), "unknown resolver kind `windows`",
                "expected one of: systemd-resolved, nscd, dnsmasq, unbound, windows-dns-client, auto, none");
    }

    static Map<String, String> env() {
        return Map.of("PATH", System.getenv("PATH"));
    }
}
