package io.drctl.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

class DnsClientTest {

    static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");
    static final TsigKey KEY;

    static {
        try {
            KEY = TsigKeys.fromEnvironment(Map.of("K", "hmac-sha256:drdns-unit:" + TsigKeysTest.SECRET), "K");
        } catch (TsigKeyException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DnsClient client = new DnsClient(Optional.of(KEY), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMillis(300));

    private static Message response(Message query, int rcode, int tsigError, byte[] other) throws Exception {
        Message r = new Message(query.getHeader().getID());
        r.getHeader().setRcode(rcode & 0xF);
        r.addRecord(query.getQuestion(), Section.QUESTION);
        if (tsigError >= 0) {
            r.addRecord(new TSIGRecord(Name.fromString("drdns-unit."), DClass.ANY, 0, TSIG.HMAC_SHA256, NOW, Duration.ofSeconds(300),
                    new byte[0], query.getHeader().getID(), tsigError, other), Section.ADDITIONAL);
        }
        return r;
    }

    private Optional<DnsException> classify(int rcode, int tsigError, byte[] other) throws Exception {
        Update u = new Update(Name.fromString("drdns.test."));
        return client.failure("ns1", u, response(u, rcode, tsigError, other), NOW, false);
    }

    @Test
    void failure_classifiesByRcodeAndTsigError() throws Exception {
        assertEquals(DnsException.Kind.BAD_SIGNATURE, classify(Rcode.NOTAUTH, Rcode.BADSIG, null).orElseThrow().kind());
        assertEquals(DnsException.Kind.BAD_KEY, classify(Rcode.NOTAUTH, Rcode.BADKEY, null).orElseThrow().kind());
        assertEquals(DnsException.Kind.NOT_AUTHORITATIVE, classify(Rcode.NOTAUTH, -1, null).orElseThrow().kind());
        assertEquals(DnsException.Kind.REFUSED, classify(Rcode.REFUSED, -1, null).orElseThrow().kind());
        assertEquals(DnsException.Kind.PREREQUISITE_FAILED, classify(Rcode.NXRRSET, -1, null).orElseThrow().kind());
        assertEquals(DnsException.Kind.PREREQUISITE_FAILED, classify(Rcode.YXRRSET, -1, null).orElseThrow().kind());
        assertEquals(DnsException.Kind.NOT_ZONE, classify(Rcode.NOTZONE, -1, null).orElseThrow().kind());
        assertEquals(DnsException.Kind.SERVER_FAILURE, classify(Rcode.SERVFAIL, -1, null).orElseThrow().kind());
        assertEquals(DnsException.Kind.FORMAT_ERROR, classify(Rcode.FORMERR, -1, null).orElseThrow().kind());
        // a NOERROR answer that is not signed back is not trusted when we signed
        assertEquals(DnsException.Kind.UNVERIFIED_RESPONSE, classify(Rcode.NOERROR, -1, null).orElseThrow().kind());
    }

    @Test
    void failure_retriableOnlyWhereARetryCanSucceed() throws Exception {
        assertTrue(classify(Rcode.SERVFAIL, -1, null).orElseThrow().isRetriable());
        for (int[] c : new int[][] {{Rcode.NOTAUTH, Rcode.BADSIG}, {Rcode.NOTAUTH, Rcode.BADKEY}, {Rcode.NOTAUTH, Rcode.BADTIME},
                {Rcode.REFUSED, -1}, {Rcode.NXRRSET, -1}}) {
            assertFalse(classify(c[0], c[1], new byte[6]).orElseThrow().isRetriable(), Rcode.string(c[0]) + "/" + c[1]);
        }
    }

    @Test
    void failure_badTimeReportsSkewFromServersOtherData() throws Exception {
        long serverSecs = NOW.getEpochSecond() - 5400; // the server is 1.5 h behind us
        byte[] other = new byte[6];
        for (int i = 5; i >= 0; i--) {
            other[i] = (byte) (serverSecs >>> (8 * (5 - i)));
        }
        DnsException e = classify(Rcode.NOTAUTH, Rcode.BADTIME, other).orElseThrow();
        assertEquals(DnsException.Kind.BAD_TIME, e.kind());
        assertEquals(Duration.ofMinutes(90), e.clockSkew().orElseThrow());
        assertTrue(e.getMessage().contains("+5400 s (+1h30m0s), this machine is ahead"), e.getMessage());
    }

    @Test
    void exchange_silentUdpAndTcpIsTimeoutAfterTcpFallback() throws Exception {
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 5, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.add(tcp.accept()); // accept and never answer
                } catch (Exception ignored) {
                    // closed at the end of the test
                }
            });
            acceptor.start();
            DnsServer silent = new DnsServer("silent", "127.0.0.1", udp.getLocalPort());
            Message q = Message.newQuery(Record.newRecord(Name.fromString("x.drdns.test."), Type.A, DClass.IN));
            DnsException e = assertThrows(DnsException.class, () -> client.exchange(silent, q));
            assertEquals(DnsException.Kind.TIMEOUT, e.kind(), e.getMessage());
            assertTrue(e.isRetriable());
            assertTrue(e.getMessage().contains("over UDP nor over TCP"), e.getMessage());
            acceptor.join(2000);
            assertEquals(1, accepted.size(), "the client must have fallen back to TCP");
            accepted.forEach(s -> {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // best effort
                }
            });
        }
    }

    @Test
    void exchange_nothingListeningIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Message q = Message.newQuery(Record.newRecord(Name.fromString("x.drdns.test."), Type.A, DClass.IN));
        DnsException e = assertThrows(DnsException.class, () -> client.exchange(new DnsServer("gone", "127.0.0.1", port), q));
        assertEquals(DnsException.Kind.UNREACHABLE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("gone (127.0.0.1:" + port + ")"), e.getMessage());
    }
}
