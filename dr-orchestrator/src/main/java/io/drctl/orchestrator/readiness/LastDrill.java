package io.drctl.orchestrator.readiness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drctl.orchestrator.journal.Journal;
import io.drctl.orchestrator.journal.JournalEvent;
import io.drctl.orchestrator.journal.RunStore;
import io.drctl.orchestrator.spi.Figure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The latest drill of a state directory, as {@code drctl drill} left it: its report
 * ({@code <state-dir>/drills/<drill-id>/report.json}) and the recovery points its failover's promotions measured
 * (the {@code rpo_bytes} / {@code rpo_seconds} figures in that run's journal).
 *
 * @param drillId   the drill's id ({@code 20261202T125756Z-drill}: drill ids sort by time)
 * @param from      region failed away from
 * @param to        region failed over to
 * @param passed    every run succeeded and the RTO met the objective
 * @param finished  the end of its last phase
 * @param rto       the measured recovery time (empty: the failover did not succeed)
 * @param objective the inventory's RTO (empty: none set)
 * @param rpo       the failover's {@code rpo_bytes} / {@code rpo_seconds} figures, labelled {@code replica}
 */
public record LastDrill(String drillId, String from, String to, boolean passed, Instant finished, Optional<Duration> rto,
                        Optional<Duration> objective, List<Figure> rpo) {
    /** The subdirectory of the state directory that holds the drills' reports. */
    public static final String SUBDIR = "drills";

    private static final ObjectMapper JSON = new ObjectMapper();

    public LastDrill {
        rpo = List.copyOf(rpo);
    }

    /**
     * The newest drill in {@code stateDir} whose report reads; empty when there is none. A report that does
     * not read (being written, damaged) is passed over for the one before it.
     */
    public static Optional<LastDrill> read(Path stateDir) {
        Path drills = stateDir.resolve(SUBDIR);
        if (!Files.isDirectory(drills)) {
            return Optional.empty();
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(drills)) {
            dirs = s.filter(d -> Files.isRegularFile(d.resolve("report.json")))
                    .sorted(Comparator.comparing((Path d) -> d.getFileName().toString()).reversed()).toList();
        } catch (IOException e) {
            return Optional.empty();
        }
        for (Path d : dirs) {
            Optional<LastDrill> drill = report(stateDir, d.resolve("report.json"));
            if (drill.isPresent()) {
                return drill;
            }
        }
        return Optional.empty();
    }

    private static Optional<LastDrill> report(Path stateDir, Path file) {
        try {
            JsonNode r = JSON.readTree(file.toFile());
            JsonNode phases = r.path("phases");
            if (!r.path("drillId").isTextual() || !r.path("passed").isBoolean() || !phases.isArray() || phases.isEmpty()) {
                return Optional.empty();
            }
            Instant finished = Instant.parse(phases.get(phases.size() - 1).path("finished").asText());
            List<Figure> rpo = new ArrayList<>();
            for (JsonNode p : phases) {
                if (p.path("name").asText().equals("failover") && p.path("runId").isTextual()) {
                    rpo.addAll(rpoFigures(new RunStore(stateDir).runDir(p.path("runId").asText())));
                }
            }
            return Optional.of(new LastDrill(r.path("drillId").asText(), r.path("from").asText(""), r.path("to").asText(""),
                    r.path("passed").asBoolean(), finished, duration(r.path("rto")), duration(r.path("objective")), rpo));
        } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The last {@code rpo_bytes} / {@code rpo_seconds} reading per replica in a run's journal. */
    static List<Figure> rpoFigures(Path runDir) {
        Map<String, Figure> last = new LinkedHashMap<>();
        try {
            for (JournalEvent e : Journal.read(runDir.resolve(Journal.FILE))) {
                if (e.event().equals("action.observed")) {
                    Figure.fromMap(e.data()).filter(f -> f.name().equals("rpo_bytes") || f.name().equals("rpo_seconds"))
                            .ifPresent(f -> last.put(f.key(), f));
                }
            }
        } catch (IOException e) {
            return List.of(); // the run's journal is gone or unreadable: the drill's other figures still stand
        }
        return List.copyOf(last.values());
    }

    private static Optional<Duration> duration(JsonNode n) {
        return n.isTextual() ? Optional.of(Duration.parse(n.asText())) : Optional.empty();
    }
}
