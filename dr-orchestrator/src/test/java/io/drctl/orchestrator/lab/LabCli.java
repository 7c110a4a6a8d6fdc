package io.drctl.orchestrator.lab;

import io.drctl.lab.Lab;
import io.drctl.lab.LabHost;
import io.drctl.orchestrator.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the lab scenario tests share: drctl in-process against a state dir, and facts read from lab hosts. */
final class LabCli {
    private LabCli() {
    }

    record Cli(int exit, String out, String err) {
    }

    /** Runs drctl in-process with {@code --state-dir stateDir}; echoes its output into the test log. */
    static Cli drctl(Path stateDir, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--state-dir");
        all.add(stateDir.toString());
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                all.toArray(String[]::new));
        Cli c = new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println(c.out());
        System.err.println(c.err());
        return c;
    }

    /** A shipped runbook's path. */
    static String runbook(String name) {
        return Lab.repoRoot().resolve("runbooks").resolve(name).toString();
    }

    /** {@code pg_is_in_recovery()} on a lab DBMS host: "t" for a replica, "f" for a primary. */
    static String inRecovery(LabHost dbms) {
        return Lab.exec(dbms, "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -qAt -h /run/postgresql "
                + "-p 5432 -U postgres -c 'SELECT pg_is_in_recovery()'").stdout().strip();
    }

    /** The first line the Configuration Server stand-in at {@code address} sends, as seen from {@code from}. */
    static String greeting(LabHost from, String address) {
        return Lab.exec(from, "timeout 5 bash -c 'exec 3<>/dev/tcp/" + address + "/2020; head -n1 <&3'").stdout().strip();
    }
}
