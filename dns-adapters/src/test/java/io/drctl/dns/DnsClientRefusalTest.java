package io.drctl.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.testing.ArrivalCounter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** {@link DnsClient#refusing}: a refused server gets nothing (no datagram, no connection), and the failure is UNREACHABLE. */
class DnsClientRefusalTest {
    private ArrivalCounter listener;

    @BeforeEach
    void listen() throws Exception {
        listener = ArrivalCounter.udpAndTcp();
    }

    @AfterEach
    void close() throws Exception {
        listener.close();
    }

    @Test
    void refusedServer_queryAndAxfr_sendNothing_unreachableWithTheReason() throws Exception {
        DnsServer server = new DnsServer("ns1", "127.0.0.1", listener.port());
        DnsClient client = new DnsClient(Optional.empty(), Clock.systemUTC(), Duration.ofMillis(300))
                .refusing(s -> s.name().equals("ns1") ? Optional.of("assumed lost: not contacted") : Optional.empty());
        DnsException q = assertThrows(DnsException.class, () -> client.query(server, Name.fromString("a.cc.test."), Type.A));
        assertEquals(DnsException.Kind.UNREACHABLE, q.kind());
        assertTrue(q.getMessage().contains("assumed lost: not contacted"), q.getMessage());
        DnsException x = assertThrows(DnsException.class, () -> client.axfr(server, Name.fromString("cc.test.")));
        assertEquals(DnsException.Kind.UNREACHABLE, x.kind());
        DnsException k = assertThrows(DnsException.class,
                () -> client.withKey(Optional.empty()).query(server, Name.fromString("a.cc.test."), Type.A));
        assertEquals(DnsException.Kind.UNREACHABLE, k.kind(), "withKey keeps the refusal");
        Thread.sleep(200);
        assertEquals(0, listener.count(), "nothing reached the refused server");
    }

    @Test
    void otherServer_isAsked_soTheCounterWouldSeeIt() throws Exception {
        DnsServer server = new DnsServer("ns2", "127.0.0.1", listener.port());
        DnsClient client = new DnsClient(Optional.empty(), Clock.systemUTC(), Duration.ofMillis(300))
                .refusing(s -> s.name().equals("ns1") ? Optional.of("lost") : Optional.empty());
        assertThrows(DnsException.class, () -> client.query(server, Name.fromString("a.cc.test."), Type.A)); // no answer
        assertTrue(listener.count() >= 1, "control: an unrefused server gets the query");
    }
}
