package io.drctl.orchestrator.engine;

import io.drctl.orchestrator.Fixtures;
import io.drctl.orchestrator.cli.CliRuntime;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.steps.Builtins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** In-process drctl with the {@code fake} step type, one state dir and one store file, on a chosen clock. */
final class EngineHarness {
    final Path dir;
    final Path state;
    final Path store;
    final Path inventory;
    Clock clock = Clock.systemUTC();

    EngineHarness(Path dir) throws IOException {
        this.dir = dir;
        this.state = dir.resolve("state");
        this.store = dir.resolve("store.txt");
        this.inventory = Fixtures.write(dir, "inv.yaml", Fixtures.LOOPBACK_INVENTORY);
        FakeStepType.ATTEMPTS.clear();
        FakeStepType.killHook = (s, t) -> { };
    }

    CliRuntime runtime() {
        return new CliRuntime(Map.of("PATH", System.getenv("PATH")), clock,
                () -> Builtins.registry().register(new FakeStepType()), inv -> Fixtures.localHosts(), Optional.empty(),
                "tester", "testhost");
    }

    Path runbook(String yaml) throws IOException {
        return Fixtures.write(dir, "rb-" + System.nanoTime() + ".yaml", yaml.replace("STORE", store.toString()));
    }

    Fixtures.Cli run(String yaml, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--state-dir", state.toString(), inventory.toString(),
                runbook(yaml).toString()));
        args.addAll(List.of(extra));
        return Fixtures.cli(runtime(), args.toArray(String[]::new));
    }

    Fixtures.Cli cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", state.toString()));
        return Fixtures.cli(runtime(), all.toArray(String[]::new));
    }

    Path runDir() throws IOException {
        return Fixtures.onlyRun(state);
    }

    String runId() throws IOException {
        return runDir().getFileName().toString();
    }

    List<String> brief() throws IOException {
        return Fixtures.brief(runDir());
    }

    List<JournalEvent> journal() throws IOException {
        return Fixtures.journal(runDir());
    }

    /** The status field of the first {@code event} for {@code stepAndTarget} ("step" or "step target"). */
    String status(String event, String stepAndTarget) throws IOException {
        return journal().stream().filter(e -> e.brief().equals(event + " " + stepAndTarget)).reduce((a, b) -> b)
                .map(e -> e.str("status")).orElse(null);
    }

    String runStatus() throws IOException {
        return journal().stream().filter(e -> e.event().equals("run.finished")).reduce((a, b) -> b).map(e -> e.str("status"))
                .orElse(null);
    }

    List<String> storeLines() throws IOException {
        return Files.exists(store) ? Files.readAllLines(store) : List.of();
    }
}
