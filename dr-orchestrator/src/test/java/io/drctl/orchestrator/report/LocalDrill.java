package io.drctl.orchestrator.report;

import io.drctl.orchestrator.Fixtures;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Local drills on the loopback inventory. {@link #run} is a real {@code drctl drill} (RTO objective 1m, no readiness
 * checks) of two exec runbooks: the failover ({@code over}) and the failback ({@code back}) each run {@code first},
 * which writes {@code NAME-first FROM-TO} to {@code out.txt} in the temp dir, then {@code second}: {@code true} on the
 * failover, the given command on the failback. {@link #FAILBACK} is a one-step failback for a test's own failover.
 */
public final class LocalDrill {
    static final String RUNBOOK = """
            name: NAME
            params:
              from: { default: region1 }
              to: { default: region2 }
            steps:
              - { id: first, type: exec, command: "echo NAME-first ${from}-${to} >> OUT" }
              - { id: second, type: exec, command: "CMD", dependsOn: [first] }
            """;

    /** A failback (region2 to region1) of one step, {@code move-back}, that writes {@code BACK} to {@code OUT}. */
    public static final String FAILBACK = """
            name: back
            params:
              from: { default: region2 }
              to: { default: region1 }
            steps:
              - { id: move-back, type: exec, command: "echo BACK >> OUT" }
            """;

    private LocalDrill() {
    }

    /** Drills into {@code state} (inventory and runbooks written to {@code tmp}); the failback's second step runs {@code backCommand}. */
    public static Fixtures.Cli run(Path tmp, Path state, String backCommand) throws IOException {
        Path inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY.replace("name: loopback-test",
                "name: loopback-test\nrto: 1m"));
        Path over = Fixtures.write(tmp, "over.yaml", runbook(tmp, "over", "true"));
        Path back = Fixtures.write(tmp, "back.yaml", runbook(tmp, "back", backCommand));
        return Fixtures.cli("drill", "--state-dir", state.toString(), "-i", inv.toString(),
                "--failover", over.toString(), "--failback", back.toString(), "--no-readiness");
    }

    private static String runbook(Path tmp, String name, String secondCommand) {
        return RUNBOOK.replace("NAME", name).replace("OUT", tmp.resolve("out.txt").toString()).replace("CMD", secondCommand);
    }
}
