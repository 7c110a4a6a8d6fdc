package io.drctl.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TcpProbe} against real sockets on 127.0.0.1. */
class TcpProbeIT {

    @Test
    void probe_listeningPort_open() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", TestPorts.free()));
            assertEquals(TcpProbe.Result.OPEN, TcpProbe.probe("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(5)));
        }
    }

    @Test
    void probe_portNobodyListensOn_refused() throws Exception {
        int port = TestPorts.free();
        assertEquals(TcpProbe.Result.REFUSED, TcpProbe.probe("127.0.0.1", port, Duration.ofSeconds(5)));
    }

    @Test
    void probe_listenerWithFullBacklogThatNeverAccepts_timesOut() throws Exception {
        // Linux drops SYNs to a listener whose accept queue is full: the handshake never completes
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", TestPorts.free()), 1);
            TcpProbe.Result last = TcpProbe.Result.OPEN;
            for (int i = 0; i < 20 && last == TcpProbe.Result.OPEN; i++) {
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(server.getLocalSocketAddress(), 300);
                } catch (java.net.SocketTimeoutException full) {
                    last = TcpProbe.probe("127.0.0.1", server.getLocalPort(), Duration.ofMillis(500));
                }
            }
            assertEquals(TcpProbe.Result.TIMEOUT, last);
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }
}
