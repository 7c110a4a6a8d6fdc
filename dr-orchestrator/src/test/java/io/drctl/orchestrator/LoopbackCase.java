package io.drctl.orchestrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test of drctl in-process against the loopback inventory: a temp dir holding the inventory and a
 * state dir, runbooks written from text ({@code OUT} stands for the file {@code out.txt} in the temp
 * dir, {@code DIR} for the temp dir), {@code drctl run} on them.
 */
public abstract class LoopbackCase {
    @TempDir
    protected Path tmp;
    protected Path inv;
    protected Path state;

    @BeforeEach
    void writeInventory() throws IOException {
        inv = Fixtures.write(tmp, "inv.yaml", Fixtures.LOOPBACK_INVENTORY);
        state = tmp.resolve("state");
    }

    protected Path runbook(String text) throws IOException {
        return Fixtures.write(tmp, "rb-" + System.nanoTime() + ".yaml", text.replace("OUT", tmp.resolve("out.txt").toString())
                .replace("DIR", tmp.toString()));
    }

    /** {@code drctl run --state-dir STATE INV RUNBOOK extra…}. */
    protected Fixtures.Cli run(String runbook, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--state-dir", state.toString(), inv.toString(),
                runbook(runbook).toString()));
        args.addAll(List.of(extra));
        return Fixtures.cli(args.toArray(String[]::new));
    }

    /** {@code drctl resume RUN_ID --state-dir STATE extra…}. */
    protected Fixtures.Cli resume(String runId, String... extra) {
        List<String> args = new ArrayList<>(List.of("resume", runId, "--state-dir", state.toString()));
        args.addAll(List.of(extra));
        return Fixtures.cli(args.toArray(String[]::new));
    }

    /** The id of the only run in the state dir. */
    protected String onlyRunId() throws IOException {
        return Fixtures.onlyRun(state).getFileName().toString();
    }

    /** What the steps wrote to {@code OUT}, line by line; none when nothing did. */
    protected List<String> lines() throws IOException {
        Path out = tmp.resolve("out.txt");
        return Files.exists(out) ? Files.readAllLines(out) : List.of();
    }
}
