package io.drctl.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drctl.host.LocalCommandRunner;
import io.drctl.host.Sleeper;
import io.drctl.testing.FakeClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real sockets on 127.0.0.1; time is a test clock advanced by the sleeper. */
class GuestWaitTest {

    private static final Duration CONNECT = Duration.ofSeconds(2);
    private final FakeClock clock = new FakeClock();
    private final List<ServerSocket> servers = new ArrayList<>();

    @AfterEach
    void closeServers() throws IOException {
        for (ServerSocket s : servers) {
            s.close();
        }
    }

    private ServerSocket listen(String greeting) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        servers.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    if (greeting != null) {
                        OutputStream out = s.getOutputStream();
                        out.write(greeting.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } else {
                        Thread.sleep(CONNECT.toMillis() + 500); // open port, silent peer
                    }
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    /** A port nothing listens on: bound, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Test
    void await_sshAndServicePortUp_isReadyInOneRound() throws Exception {
        int ssh = listen("SSH-2.0-OpenSSH_9.2p1\r\n").getLocalPort();
        int cs = listen("CS OK\n").getLocalPort();
        GuestWait w = new GuestWait(clock, clock.sleeper(), Duration.ofSeconds(2));

        GuestReady r = w.await("region2/mfwk-p", List.of(ReadinessCheck.ssh("127.0.0.1", ssh, CONNECT),
                ReadinessCheck.tcp("127.0.0.1", cs, CONNECT)), Duration.ofSeconds(30));

        assertEquals(1, r.attempts());
        assertEquals(List.of("ssh 127.0.0.1:" + ssh, "tcp 127.0.0.1:" + cs), r.checks());
    }

    @Test
    void await_portOpensLater_pollsUntilItAccepts() throws Exception {
        int port = closedPort();
        List<ServerSocket> opened = new ArrayList<>();
        Sleeper opensOnSecondSleep = d -> {
            clock.advance(d);
            if (clock.instant().equals(java.time.Instant.parse("2026-01-01T00:00:04Z"))) {
                try {
                    ServerSocket ss = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"));
                    servers.add(ss);
                    opened.add(ss);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        GuestWait w = new GuestWait(clock, opensOnSecondSleep, Duration.ofSeconds(2));

        GuestReady r = w.await("g", List.of(ReadinessCheck.tcp("127.0.0.1", port, CONNECT)), Duration.ofSeconds(30));

        assertEquals(1, opened.size());
        assertEquals(3, r.attempts());
        assertEquals(Duration.ofSeconds(4), r.elapsed());
    }

    @Test
    void await_portStaysClosed_failsNamingHostPortAndElapsed() throws Exception {
        int ssh = listen("SSH-2.0-x\r\n").getLocalPort();
        int cs = closedPort();
        GuestWait w = new GuestWait(clock, clock.sleeper(), Duration.ofSeconds(2));

        VmException e = assertThrows(VmException.class, () -> w.await("region2/mfwk-p", List.of(
                ReadinessCheck.ssh("127.0.0.1", ssh, CONNECT), ReadinessCheck.tcp("127.0.0.1", cs, CONNECT)),
                Duration.ofSeconds(9)));

        assertEquals(VmException.Kind.GUEST_NOT_READY, e.kind());
        String m = e.getMessage();
        assertTrue(m.contains("guest region2/mfwk-p not ready after 9 s"), m);
        assertTrue(m.contains("tcp 127.0.0.1:" + cs + ": connection refused"), m);
        assertTrue(m.contains("ssh 127.0.0.1:" + ssh + ": ready"), m);
    }

    @Test
    void checkOnce_reportsEachCheckWithoutWaiting() throws Exception {
        int up = listen("x").getLocalPort();
        int down = closedPort();

        List<CheckOutcome> r = GuestWait.checkOnce(List.of(ReadinessCheck.tcp("127.0.0.1", up, CONNECT),
                ReadinessCheck.tcp("127.0.0.1", down, CONNECT)));

        assertEquals(new CheckOutcome("tcp 127.0.0.1:" + up, Optional.empty()), r.get(0));
        assertEquals(new CheckOutcome("tcp 127.0.0.1:" + down, Optional.of("connection refused")), r.get(1));
    }

    @Test
    void greetingCheck_matchesFirstLine() throws Exception {
        int ok = listen("CS OK db=10.77.1.30\n").getLocalPort();
        int silentClose = listen("").getLocalPort();
        java.util.regex.Pattern csOk = java.util.regex.Pattern.compile("^CS OK");

        assertEquals(Optional.empty(), ReadinessCheck.greeting("127.0.0.1", ok, csOk, CONNECT).check());
        assertEquals(Optional.of("connection closed without a greeting"),
                ReadinessCheck.greeting("127.0.0.1", silentClose, csOk, CONNECT).check());
    }

    @Test
    void sshCheck_openPortWithoutBanner_isNotReady() throws Exception {
        int port = listen("HTTP/1.1 400 Bad Request\r\n").getLocalPort();

        Optional<String> problem = ReadinessCheck.ssh("127.0.0.1", port, CONNECT).check();

        assertTrue(problem.isPresent());
        assertTrue(problem.get().contains("no SSH banner"), problem.get());
    }

    @Test
    void commandCheck_followsExitCode(@TempDir Path dir) throws Exception {
        Path flag = dir.resolve("service.up");
        ReadinessCheck c = ReadinessCheck.command(LocalCommandRunner.local(),
                "test -f " + io.drctl.host.Shell.quote(flag.toString()), Duration.ofSeconds(10));

        assertTrue(c.check().isPresent());
        Files.writeString(flag, "");
        assertEquals(Optional.empty(), c.check());
    }
}
