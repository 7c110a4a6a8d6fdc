package io.drctl.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.orchestrator.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateTest {
    @TempDir
    Path tmp;

    static List<Path> shippedRunbooks() throws Exception {
        try (Stream<Path> s = Files.list(Fixtures.repoRoot().resolve("runbooks"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void validate_exampleAndShippedRunbooks_exitZero() throws Exception {
        List<Path> runbooks = shippedRunbooks();
        assertTrue(!runbooks.isEmpty(), "no shipped runbooks found");
        for (Path rb : runbooks) {
            Fixtures.Cli r = Fixtures.cli("validate", Fixtures.repoRoot().resolve("inventory/example.yaml").toString(), rb.toString());
            assertEquals(ExitCodes.OK, r.code(), rb + ": " + r.all());
        }
    }

    @Test
    void planOffline_exampleAndShippedRunbooks_printsActionsInOrder() throws Exception {
        for (Path rb : shippedRunbooks()) {
            Fixtures.Cli r = Fixtures.cli("plan", "--offline", Fixtures.repoRoot().resolve("inventory/example.yaml").toString(),
                    rb.toString());
            assertEquals(ExitCodes.OK, r.code(), rb + ": " + r.all());
            assertTrue(r.out().contains(" 1. "), r.out());
            assertTrue(r.out().contains("(offline: not probed)"), r.out());
        }
    }

    @Test
    void planOffline_preflight_resolvesNamedPortsAndParamSelectors() {
        Fixtures.Cli preflight = Fixtures.cli("plan", "--offline", Fixtures.repoRoot().resolve("inventory/example.yaml").toString(),
                Fixtures.repoRoot().resolve("runbooks/preflight.yaml").toString());
        // named ports resolved from the inventory; selectors with ${params} resolved to concrete hosts
        assertTrue(preflight.out().contains("region2/dbms: wait until 198.51.100.30:5432 accepts TCP"), preflight.out());
        assertTrue(preflight.out().contains("region1/mfwk-b: wait until 192.0.2.11:2020 accepts TCP"), preflight.out());
        assertTrue(preflight.out().indexOf(" 5. go-no-go") > preflight.out().indexOf(" 3. dbms-port"), preflight.out());
    }

    /** The brief's must-show: a misspelled key, a bad IP and a dependsOn cycle, all named with line numbers. */
    @Test
    void validate_misspelledKeyBadIpAndCycle_exitTwoNamingAllThreeWithLines() throws Exception {
        String inv = Files.readString(Fixtures.repoRoot().resolve("inventory/example.yaml"))
                .replace("address: 192.0.2.30", "address: 192.0.2.300")
                .replace("  ttl: 60", "  tll: 60");
        Path invFile = Fixtures.write(tmp, "inventory.yaml", inv);
        Path rb = Fixtures.write(tmp, "runbook.yaml", """
                name: cyclic
                steps:
                  - id: a
                    type: exec
                    command: "true"
                    dependsOn: [c]
                  - id: b
                    type: exec
                    command: "true"
                    dependsOn: [a]
                  - id: c
                    type: exec
                    command: "true"
                    dependsOn: [b]
                """);
        Fixtures.Cli r = Fixtures.cli("validate", invFile.toString(), rb.toString())
                .assertExit(ExitCodes.INVALID_INPUT);
        String err = r.err();
        assertLine(err, "inventory.yaml", lineOf(inv, "  tll: 60"), "unknown key `tll`", "did you mean `ttl`?");
        assertLine(err, "inventory.yaml", lineOf(inv, "address: 192.0.2.300"), "192.0.2.300", "not an IP address");
        assertLine(err, "runbook.yaml", 6, "dependsOn cycle: a -> c -> b -> a", "dependsOn");
        assertEquals(3, err.lines().filter(l -> l.startsWith("  ")).count(), err);
    }

    static int lineOf(String text, String fragment) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line with " + fragment);
    }

    static void assertLine(String output, String file, int line, String... fragments) {
        Pattern p = Pattern.compile("^\\s*\\S*" + Pattern.quote(file) + ":(\\d+):(\\d+): (.*)$", Pattern.MULTILINE);
        Matcher m = p.matcher(output);
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) == line && Stream.of(fragments).allMatch(m.group(3)::contains)) {
                return;
            }
        }
        throw new AssertionError("no problem at " + file + ":" + line + " containing " + List.of(fragments) + " in:\n" + output);
    }

    @Test
    void validate_undefinedParamUnknownTypeInlineSecretAndSelector_allReported() throws Exception {
        Path invFile = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY);
        Path rb = Fixtures.write(tmp, "rb.yaml", """
                name: bad
                params: { to: region2 }
                steps:
                  - id: a
                    type: exce
                    command: "true"
                  - id: b
                    type: ssh
                    hosts: "region=${too} role=app"
                    command: "true"
                  - id: c
                    type: ssh
                    hosts: "region=${to} role=dmbs"
                    command: "true"
                    password: hunter2
                  - id: d
                    type: wait.tcp
                    hosts: "role=app"
                    port: 70000
                    dependsOn: [zz]
                """);
        Fixtures.Cli r = Fixtures.cli("validate", invFile.toString(), rb.toString())
                .assertExit(ExitCodes.INVALID_INPUT);
        assertLine(r.err(), "rb.yaml", 5, "unknown step type `exce`", "did you mean `exec`?");
        assertLine(r.err(), "rb.yaml", 9, "undefined parameter `${too}`", "did you mean `to`?");
        assertLine(r.err(), "rb.yaml", 13, "no host has role `dmbs`", "did you mean `dbms`?");
        assertLine(r.err(), "rb.yaml", 15, "secret written inline");
        assertLine(r.err(), "rb.yaml", 19, "70000 is not a TCP port");
        assertLine(r.err(), "rb.yaml", 20, "unknown step `zz`");
        assertTrue(!r.all().contains("hunter2"), "the inline secret value must not be echoed");
    }

    @Test
    void validate_base64TsigSecretInline_reportedWithoutEchoingIt() throws Exception {
        String secret = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo=";
        String inv = Fixtures.LOOPBACK_INVENTORY.replace("tsig: { keyEnv: DRENG_TSIG_KEY }", "tsig: { keyFile: \"" + secret + "\" }");
        Path invFile = Fixtures.write(tmp, "inv.yaml", inv);
        Fixtures.Cli r = Fixtures.cli("validate", invFile.toString()).assertExit(ExitCodes.INVALID_INPUT);
        assertLine(r.err(), "inv.yaml", 6, "looks like an inline secret");
        assertTrue(!r.all().contains(secret), r.all());
    }

    /** The shape lab/lib/write-inventory generates (inventory/lab.yaml) must validate. */
    @Test
    void validate_labInventoryShape_exitZero() throws Exception {
        Path invFile = Fixtures.write(tmp, "lab.yaml", """
                name: drctl-lab
                rto: 15m
                ssh:
                  user: root
                  port: 22
                  identityFile: /repo/lab/state/ssh/id_ed25519
                  knownHosts: /repo/lab/state/ssh/known_hosts
                  connectTimeout: 5s
                dns:
                  zone: cc.lab.test.
                  servers:
                    - { name: ns1, address: 10.77.0.53 }
                  tsig:
                    keyFile: /repo/lab/state/tsig/drctl-update.key
                  ttl: 5
                ports:
                  dbms: 5432
                  configServer: 2020
                  ssh: 22
                regions:
                  region1:
                    subnets:
                      framework: 10.77.1.8/29
                    hosts:
                      mfwk-p: { address: 10.77.1.10, roles: [framework], vm: { provider: lab, id: drl-r1-mfwkp } }
                      mfwk-b: { address: 10.77.1.11, roles: [framework], vm: { provider: lab, id: drl-r1-mfwkb } }
                      app-p:  { address: 10.77.1.20, roles: [cs-proxy], resolver: dnsmasq }
                      app-b:  { address: 10.77.1.21, roles: [cs-proxy], resolver: dnsmasq }
                      dbms:
                        address: 10.77.1.30
                        roles: [dbms]
                        firewall: iptables
                        db: { kind: postgresql, version: 15, dataDir: /repo/lab/state/hosts/drl-r1-dbms/pg/data, osUser: postgres }
                  region2:
                    subnets:
                      framework: 10.77.2.8/29
                    hosts:
                      mfwk-p: { address: 10.77.2.10, roles: [framework], vm: { provider: lab, id: drl-r2-mfwkp } }
                      dbms:
                        address: 10.77.2.30
                        roles: [dbms]
                records:
                  cfgmaster:    { region1: mfwk-p, region2: mfwk-p }
                  configdb:     { region1: dbms,   region2: dbms }
                providers:
                  lab:
                    kind: command
                    start: "/repo/lab/vmctl start {id}"
                    stop: "/repo/lab/vmctl stop {id}"
                    status: "/repo/lab/vmctl status {id}"
                    running: '^running'
                    stopped: '^stopped'
                """);
        Fixtures.Cli r = Fixtures.cli("validate", invFile.toString(), Fixtures.repoRoot().resolve("runbooks/preflight.yaml").toString())
                .assertExit(ExitCodes.OK);
    }
}
