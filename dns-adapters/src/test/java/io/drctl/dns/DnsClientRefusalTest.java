package io.drctl.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** {@link DnsClient#refusing}: a refused server gets nothing (no datagram, no connection), and the failure is UNREACHABLE. */
class DnsClientRefusalTest {
    private DatagramSocket udp;
    private ServerSocket tcp;
    private final AtomicInteger arrived = new AtomicInteger();

    @BeforeEach
    void listen() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        udp = new DatagramSocket(0, lo);
        tcp = new ServerSocket(udp.getLocalPort(), 50, lo);
        Thread u = new Thread(() -> {
            byte[] b = new byte[2048];
            while (!udp.isClosed()) {
                try {
                    udp.receive(new DatagramPacket(b, b.length));
                    arrived.incrementAndGet();
                } catch (Exception e) {
                    return;
                }
            }
        });
        u.setDaemon(true);
        u.start();
        Thread t = new Thread(() -> {
            while (!tcp.isClosed()) {
                try (Socket s = tcp.accept()) {
                    arrived.incrementAndGet();
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void close() throws Exception {
        udp.close();
        tcp.close();
    }

    @Test
    void refusedServer_queryAndAxfr_sendNothing_unreachableWithTheReason() throws Exception {
        DnsServer server = new DnsServer("ns1", "127.0.0.1", udp.getLocalPort());
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
        assertEquals(0, arrived.get(), "nothing reached the refused server");
    }

    @Test
    void otherServer_isAsked_soTheCounterWouldSeeIt() throws Exception {
        DnsServer server = new DnsServer("ns2", "127.0.0.1", udp.getLocalPort());
        DnsClient client = new DnsClient(Optional.empty(), Clock.systemUTC(), Duration.ofMillis(300))
                .refusing(s -> s.name().equals("ns1") ? Optional.of("lost") : Optional.empty());
        assertThrows(DnsException.class, () -> client.query(server, Name.fromString("a.cc.test."), Type.A)); // no answer
        assertTrue(arrived.get() >= 1, "control: an unrefused server gets the query");
    }
}
