package io.drctl.orchestrator.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drctl.orchestrator.spi.Approvals;
import io.drctl.orchestrator.spi.Cancellation;
import io.drctl.orchestrator.spi.CancelledException;
import io.drctl.orchestrator.spi.StepFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Approvals stored as files in the run directory ({@code approvals/STEP.json}), written atomically
 * by {@code drctl approve RUN STEP} from any shell, by the TTY prompt, or by {@code --yes}.
 */
public final class FileApprovals implements Approvals {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(300);

    private final Path dir;
    private final Clock clock;
    private final boolean assumeYes;
    private final String who;
    private final Optional<Function<String, Optional<Boolean>>> prompt;

    /**
     * @param runDir    the run directory
     * @param assumeYes {@code --yes}: approve every approval step at once
     * @param who       {@code user@host} of this process
     * @param prompt    a TTY prompt (question → yes/no, empty if no answer), when interactive
     */
    public FileApprovals(Path runDir, Clock clock, boolean assumeYes, String who,
                         Optional<Function<String, Optional<Boolean>>> prompt) {
        this.dir = runDir.resolve("approvals");
        this.clock = clock;
        this.assumeYes = assumeYes;
        this.who = who;
        this.prompt = prompt;
    }

    /** Records an approval (or rejection) of {@code step} in {@code runDir}; used by {@code drctl approve}. */
    public static void record(Path runDir, String step, String by, String via, boolean approved, Instant at) {
        try {
            Path d = runDir.resolve("approvals");
            Files.createDirectories(d);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("approved", approved);
            m.put("by", by);
            m.put("via", via);
            m.put("at", at.toString());
            Path tmp = d.resolve(step + ".json.tmp");
            Files.writeString(tmp, JSON.writeValueAsString(m));
            Files.move(tmp, d.resolve(step + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Optional<Map<String, Object>> read(String step) {
        Path f = dir.resolve(step + ".json");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(f.toFile(), Map.class);
            return Optional.of(m);
        } catch (IOException e) {
            return Optional.empty(); // being written; the next poll sees it
        }
    }

    @Override
    public Optional<Approval> find(String stepId) {
        return read(stepId).filter(m -> Boolean.TRUE.equals(m.get("approved")))
                .map(m -> new Approval((String) m.get("by"), (String) m.get("via"), Instant.parse((String) m.get("at"))));
    }

    @Override
    public Approval await(String stepId, String message, Cancellation cancellation) throws StepFailure, CancelledException {
        if (assumeYes) {
            record(dir.getParent(), stepId, who, "--yes", true, clock.instant());
        }
        prompt.ifPresent(p -> {
            // an answer typed after another shell already decided must not overwrite that decision
            Thread t = new Thread(() -> p.apply("Approve step '" + stepId + "': " + message + " [y/N] ")
                    .filter(yes -> read(stepId).isEmpty())
                    .ifPresent(yes -> record(dir.getParent(), stepId, who, "tty", yes, clock.instant())),
                    "drctl-approval-prompt");
            t.setDaemon(true);
            if (!assumeYes) {
                t.start();
            }
        });
        while (true) {
            Optional<Map<String, Object>> m = read(stepId);
            if (m.isPresent()) {
                if (Boolean.TRUE.equals(m.get().get("approved"))) {
                    return find(stepId).orElseThrow();
                }
                throw new StepFailure("step " + stepId + " rejected by " + m.get().get("by") + " via " + m.get().get("via"), false);
            }
            cancellation.pause(POLL);
        }
    }
}
