package io.drctl.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.Sleeper;
import io.drctl.testing.FakeClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DnsVerifierTest {

    @Test
    void verify_unreachableServerTimesOutOnInjectedClockWithBoundedRounds() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        FakeClock clock = new FakeClock();
        DnsVerifier v = new DnsVerifier(new DnsClient(Optional.empty(), Clock.systemUTC(), Duration.ofMillis(200)), clock, clock.sleeper(),
                Duration.ofSeconds(5));
        DnsServer gone = new DnsServer("ns2", "127.0.0.1", port);
        DnsException e = assertThrows(DnsException.class,
                () -> v.verify(List.of(gone), Map.of("cfgmaster.cc.lab.test", Set.of("10.77.2.10")), Duration.ofSeconds(30)));
        assertEquals(DnsException.Kind.NOT_PROPAGATED, e.kind());
        assertEquals(6, clock.sleeps(), "30 s timeout / 5 s poll = 6 waits, then give up");
        assertTrue(e.getMessage().startsWith("ns2 (127.0.0.1:" + port + "): cfgmaster.cc.lab.test. A: expected [10.77.2.10] at ns2 (127.0.0.1:"
                + port + "), seen no answer: UNREACHABLE rcode - after 30.0 s (timeout 30 s, 7 rounds)"), e.getMessage());
        assertTrue(e.isRetriable());
    }

    @Test
    void verify_rejectsEmptyInput() {
        DnsVerifier v = new DnsVerifier(new DnsClient(Optional.empty(), Clock.systemUTC(), Duration.ofMillis(200)), Clock.systemUTC(),
                Sleeper.system(), Duration.ofSeconds(1));
        assertThrows(IllegalArgumentException.class, () -> v.verify(List.of(), Map.of("a.b.", Set.of("10.0.0.1")), Duration.ofSeconds(1)));
    }
}
