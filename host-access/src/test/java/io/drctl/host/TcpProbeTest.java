package io.drctl.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpProbeTest {

    @Test
    void classify_exceptionTypes_mapToResults() {
        assertEquals(TcpProbe.Result.REFUSED, TcpProbe.classify(new ConnectException("Connection refused")));
        assertEquals(TcpProbe.Result.TIMEOUT, TcpProbe.classify(new SocketTimeoutException("Connect timed out")));
        assertEquals(TcpProbe.Result.UNREACHABLE, TcpProbe.classify(new NoRouteToHostException("No route to host")));
        assertEquals(TcpProbe.Result.UNREACHABLE, TcpProbe.classify(new UnknownHostException("x.invalid")));
        assertEquals(TcpProbe.Result.UNREACHABLE, TcpProbe.classify(new SocketException("Network is unreachable")));
        assertEquals(TcpProbe.Result.UNREACHABLE, TcpProbe.classify(new IOException("other")));
    }

    @Test
    void probe_invalidArguments_rejectedBeforeAnyConnect() {
        assertThrows(IllegalArgumentException.class, () -> TcpProbe.probe("10.0.0.1; rm -rf /", 22, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> TcpProbe.probe("127.0.0.1", 0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> TcpProbe.probe("127.0.0.1", 65536, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> TcpProbe.probe("127.0.0.1", 22, Duration.ZERO));
    }

    @Test
    void isOpen_onlyForOpen() {
        for (TcpProbe.Result r : TcpProbe.Result.values()) {
            assertEquals(r == TcpProbe.Result.OPEN, r.isOpen());
        }
    }
}
