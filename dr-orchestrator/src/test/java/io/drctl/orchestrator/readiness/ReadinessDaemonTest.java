package io.drctl.orchestrator.readiness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The Quartz schedule: cron parsing, rounds recorded, never two rounds at once. */
class ReadinessDaemonTest {

    @Test
    void cronProblem_validExpressions_empty() {
        assertEquals(Optional.empty(), ReadinessDaemon.cronProblem(ReadinessDaemon.DEFAULT_SCHEDULE));
        assertEquals(Optional.empty(), ReadinessDaemon.cronProblem("0 0/15 8-18 ? * MON-FRI"));
    }

    @Test
    void cronProblem_invalidExpressions_explained() {
        assertTrue(ReadinessDaemon.cronProblem("*/5 * * * *").isPresent(), "5-field Unix cron is not Quartz cron");
        assertTrue(ReadinessDaemon.cronProblem("0 */5 * * * *").orElseThrow().contains("day-of-week"),
                ReadinessDaemon.cronProblem("0 */5 * * * *").toString());
        assertTrue(ReadinessDaemon.cronProblem("0 61 * * * ?").isPresent());
        assertTrue(ReadinessDaemon.cronProblem("every 5 minutes").isPresent());
    }

    @Test
    void start_invalidCron_refusedBeforeScheduling() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReadinessDaemon.start("0 61 * * * ?", () -> null, new ReadinessState(), r -> { }, false));
        assertTrue(e.getMessage().contains("'0 61 * * * ?'"), e.getMessage());
    }

    @Test
    void start_everySecondWithRoundsLongerThanTheSlot_roundsNeverOverlap() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<ReadinessResult> logged = new CopyOnWriteArrayList<>();
        ReadinessState state = new ReadinessState();
        try (ReadinessDaemon d = ReadinessDaemon.start("* * * * * ?", () -> {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(1500); // longer than the 1 s period: without DisallowConcurrentExecution rounds would overlap
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            Instant t = Instant.now();
            return ReadinessResult.failedToRun("rb", "inv", t, t, "test round");
        }, state, logged::add, true)) {
            for (int i = 0; i < 150 && state.runsTotal() < 3; i++) { // bounded: at most 15 s
                Thread.sleep(100);
            }
        }
        assertTrue(state.runsTotal() >= 3, "rounds run: " + state.runsTotal());
        assertEquals(1, maxRunning.get(), "two readiness rounds ran at once");
        assertEquals(state.runsTotal(), logged.size());
        assertEquals("test round", state.last().orElseThrow().error().orElseThrow());
    }
}
