package io.drctl.orchestrator.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The state directory: {@code runs/<run-id>/} with the journal, a copy of the inventory and runbook
 * the run used (so resume and rollback act on exactly the same input), and approvals; plus the lock.
 */
public final class RunStore {
    public static final String INVENTORY_COPY = "inventory.yaml";
    public static final String RUNBOOK_COPY = "runbook.yaml";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path stateDir;

    public RunStore(Path stateDir) {
        this.stateDir = stateDir;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path runsDir() {
        return stateDir.resolve("runs");
    }

    /** A new run id: {@code 20261122T031500Z-full-failover-7f3a}. */
    public String newRunId(String runbookName, Clock clock) {
        String safe = runbookName.replaceAll("[^A-Za-z0-9_.-]", "-");
        byte[] r = new byte[2];
        ThreadLocalRandom.current().nextBytes(r);
        return ID_TIME.format(clock.instant()) + "-" + safe + "-" + HexFormat.of().formatHex(r);
    }

    public Path runDir(String runId) {
        if (!runId.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("not a run id: '" + runId + "'");
        }
        return runsDir().resolve(runId);
    }

    public Optional<Path> existing(String runId) {
        Path d = runDir(runId);
        return Files.isRegularFile(d.resolve(Journal.FILE)) ? Optional.of(d) : Optional.empty();
    }

    /** Creates the run directory and copies the inputs into it. */
    public Path create(String runId, Path inventory, Path runbook) throws IOException {
        Path d = runDir(runId);
        Files.createDirectories(d.resolve("approvals"));
        Files.copy(inventory, d.resolve(INVENTORY_COPY));
        Files.copy(runbook, d.resolve(RUNBOOK_COPY));
        return d;
    }

    /** Run ids, newest first. */
    public List<String> runIds() throws IOException {
        if (!Files.isDirectory(runsDir())) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(runsDir())) {
            s.filter(p -> Files.isRegularFile(p.resolve(Journal.FILE))).forEach(p -> out.add(p.getFileName().toString()));
        }
        out.sort(Comparator.reverseOrder());
        return out;
    }
}
