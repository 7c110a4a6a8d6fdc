package io.drctl.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollingTest {

    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final List<Duration> slept = new ArrayList<>();
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final Polling polling = new Polling(clock, d -> {
        slept.add(d);
        now = now.plus(d);
    }, Duration.ofSeconds(2));

    @Test
    void pause_sleepsTheIntervalThenWhatIsLeft() throws Exception {
        Polling.Rounds r = polling.start(Duration.ofSeconds(5));
        while (true) {
            r.next();
            Duration elapsed = r.elapsed();
            if (r.over(elapsed)) {
                break;
            }
            r.pause(elapsed);
        }
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1)), slept);
        assertEquals(4, r.count());
    }

    @Test
    void over_clockStandingStill_boundedByRounds() {
        Polling.Rounds r = polling.start(Duration.ofSeconds(5)); // 5 s / 2 s + 2 = 4 rounds
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, r.next());
            assertFalse(r.over(r.elapsed()));
        }
        r.next();
        assertTrue(r.over(r.elapsed()));
    }
}
