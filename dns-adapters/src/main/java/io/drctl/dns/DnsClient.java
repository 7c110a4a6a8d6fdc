package io.drctl.dns;

import java.io.IOException;
import java.net.ConnectException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.ZoneTransferException;
import org.xbill.DNS.ZoneTransferIn;

/**
 * Sends DNS messages to one server at a time: UDP first (dnsjava switches to TCP by itself when the
 * answer is truncated or the message does not fit a UDP datagram), and once more over TCP when UDP gets
 * no answer in time. Signs with a TSIG key when given one, taking the signing time from the injected
 * {@link Clock}. Every failure becomes a {@link DnsException} classified by response code / TSIG error.
 */
public final class DnsClient {

    private final Optional<TsigKey> key;
    private final Clock clock;
    private final Duration timeout;
    private final Function<DnsServer, Optional<String>> refused;

    /**
     * @param key     the key to sign with, or empty for unsigned queries
     * @param clock   the clock TSIG signing times come from (a skewed clock proves BADTIME handling)
     * @param timeout how long to wait for an answer per transport attempt
     */
    public DnsClient(Optional<TsigKey> key, Clock clock, Duration timeout) {
        this(key, clock, timeout, server -> Optional.empty());
    }

    private DnsClient(Optional<TsigKey> key, Clock clock, Duration timeout, Function<DnsServer, Optional<String>> refused) {
        this.refused = Objects.requireNonNull(refused, "refused");
        this.key = Objects.requireNonNull(key, "key");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    public Optional<TsigKey> key() {
        return key;
    }

    public Clock clock() {
        return clock;
    }

    /** This client with another key (or none). */
    public DnsClient withKey(Optional<TsigKey> other) {
        return new DnsClient(other, clock, timeout, refused);
    }

    /**
     * This client sending nothing to the servers {@code refusal} names a reason for (e.g. a server the
     * operator declared lost): a message to one fails at once as {@link DnsException.Kind#UNREACHABLE} with
     * that reason, without a packet or a connection.
     */
    public DnsClient refusing(Function<DnsServer, Optional<String>> refusal) {
        return new DnsClient(key, clock, timeout, refusal);
    }

    private void checkNotRefused(DnsServer server) throws DnsException {
        Optional<String> why = refused.apply(server);
        if (why.isPresent()) {
            throw new DnsException(DnsException.Kind.UNREACHABLE, server.toString(), why.get());
        }
    }

    /**
     * Sends {@code query} (signed when this client has a key) and returns the response whatever its
     * response code; transport failures and TSIG failures on the response are thrown.
     */
    public Message exchange(DnsServer server, Message query) throws DnsException {
        checkNotRefused(server);
        try {
            return once(server, query, false);
        } catch (TransportTimeout udp) {
            try {
                return once(server, query, true);
            } catch (TransportTimeout tcp) {
                throw new DnsException(DnsException.Kind.TIMEOUT, server.toString(),
                        "no answer to " + describe(query) + " within " + timeout.toMillis() + " ms over UDP nor over TCP",
                        tcp.getCause());
            }
        }
    }

    private static final class TransportTimeout extends Exception {
        TransportTimeout(Throwable cause) {
            super(cause);
        }
    }

    private Message once(DnsServer server, Message query, boolean tcp) throws TransportTimeout, DnsException {
        SimpleResolver r = new SimpleResolver(server.socketAddress());
        r.setTimeout(timeout);
        r.setTCP(tcp);
        key.ifPresent(k -> r.setTSIGKey(k.signer(clock)));
        try {
            // an extra second over the resolver's own timeout, so its typed timeout normally arrives first
            return r.sendAsync(query).toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsException(DnsException.Kind.NETWORK, server.toString(), "interrupted while waiting for " + describe(query), e);
        } catch (TimeoutException e) {
            throw new TransportTimeout(e);
        } catch (ExecutionException | CompletionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            if (c instanceof SocketTimeoutException) {
                throw new TransportTimeout(c);
            }
            if (c instanceof PortUnreachableException || c instanceof ConnectException || c instanceof ClosedChannelException) {
                if (!tcp && c instanceof PortUnreachableException) {
                    // nothing on UDP: TCP may still be served
                    throw new TransportTimeout(c);
                }
                throw new DnsException(DnsException.Kind.UNREACHABLE, server.toString(),
                        "cannot reach the server over " + (tcp ? "TCP" : "UDP") + " for " + describe(query) + ": " + c, c);
            }
            throw new DnsException(DnsException.Kind.NETWORK, server.toString(),
                    "transport failure for " + describe(query) + ": " + c, c);
        }
    }

    /**
     * Turns a non-success response into a typed exception. NOERROR (and NXDOMAIN, when
     * {@code nxdomainIsAnswer}) are successes; TSIG errors are checked first.
     *
     * @param target    what the request was about, for the message (e.g. {@code ns1 (..) zone cc.lab.test.})
     * @param signedAt  when we signed the request (for BADTIME, to compute the skew)
     */
    public Optional<DnsException> failure(String target, Message query, Message response, Instant signedAt, boolean nxdomainIsAnswer) {
        int rcode = response.getRcode();
        TSIGRecord tsig = response.getTSIG();
        int tsigError = tsig == null ? 0 : tsig.getError();
        String keyDesc = key.map(k -> "key '" + k.name() + "' (" + k.algorithm().label() + ", from " + k.source() + ")").orElse("no key");
        String what = describe(query);
        if (tsigError == Rcode.BADSIG) {
            return fail(DnsException.Kind.BAD_SIGNATURE, target, what + " rejected: bad signature with " + keyDesc, rcode, tsigError, null);
        }
        if (tsigError == Rcode.BADKEY) {
            return fail(DnsException.Kind.BAD_KEY, target, what + " rejected: the server does not know " + keyDesc, rcode, tsigError, null);
        }
        if (tsigError == Rcode.BADTIME) {
            Instant serverTime = serverTime(tsig);
            Duration skew = Duration.between(serverTime, signedAt);
            return fail(DnsException.Kind.BAD_TIME, target, what + " rejected: clock skew of " + human(skew)
                    + " (we signed at " + signedAt + ", the server's clock says " + serverTime + ", allowed fudge "
                    + TSIG.FUDGE.toSeconds() + " s)", rcode, tsigError, skew);
        }
        if (tsigError != 0) {
            return fail(DnsException.Kind.UNEXPECTED_RESPONSE, target, what + " rejected with TSIG error " + Rcode.TSIGstring(tsigError),
                    rcode, tsigError, null);
        }
        if (rcode == Rcode.NOERROR || (nxdomainIsAnswer && rcode == Rcode.NXDOMAIN)) {
            if (key.isPresent() && !response.isVerified()) {
                return fail(DnsException.Kind.UNVERIFIED_RESPONSE, target, what + " answered " + Rcode.string(rcode)
                        + " but the answer's TSIG signature did not verify with " + keyDesc, rcode, 0, null);
            }
            return Optional.empty();
        }
        DnsException.Kind kind = switch (rcode) {
            case Rcode.NOTAUTH -> DnsException.Kind.NOT_AUTHORITATIVE;
            case Rcode.REFUSED -> DnsException.Kind.REFUSED;
            case Rcode.NXRRSET, Rcode.YXRRSET, Rcode.NXDOMAIN, Rcode.YXDOMAIN -> DnsException.Kind.PREREQUISITE_FAILED;
            case Rcode.NOTZONE -> DnsException.Kind.NOT_ZONE;
            case Rcode.SERVFAIL -> DnsException.Kind.SERVER_FAILURE;
            case Rcode.FORMERR, Rcode.NOTIMP -> DnsException.Kind.FORMAT_ERROR;
            default -> DnsException.Kind.UNEXPECTED_RESPONSE;
        };
        String extra = kind == DnsException.Kind.REFUSED ? " (" + keyDesc + ")" : "";
        return fail(kind, target, what + " answered " + Rcode.string(rcode) + extra, rcode, 0, null);
    }

    private static Optional<DnsException> fail(DnsException.Kind k, String target, String msg, int rcode, int tsigError, Duration skew) {
        return Optional.of(new DnsException(k, target, msg, rcode, tsigError, skew, null));
    }

    /** The server's clock from a BADTIME response: the 48-bit "other data" (RFC 8945 5.2.3), else time signed. */
    static Instant serverTime(TSIGRecord tsig) {
        byte[] other = tsig.getOther();
        if (other != null && other.length == 6) {
            long secs = 0;
            for (byte b : other) {
                secs = (secs << 8) | (b & 0xff);
            }
            return Instant.ofEpochSecond(secs);
        }
        return tsig.getTimeSigned();
    }

    static String human(Duration d) {
        long s = d.getSeconds();
        String sign = s < 0 ? "-" : "+";
        long a = Math.abs(s);
        return sign + a + " s" + (a >= 60 ? " (" + sign + a / 3600 + "h" + (a % 3600) / 60 + "m" + a % 60 + "s)" : "")
                + (s > 0 ? ", this machine is ahead" : s < 0 ? ", this machine is behind" : "");
    }

    static String describe(Message m) {
        Record q = m.getQuestion();
        if (q == null) {
            return "message";
        }
        if (m.getHeader().getOpcode() == org.xbill.DNS.Opcode.UPDATE) {
            return "UPDATE of zone " + q.getName();
        }
        return q.getName() + " " + Type.string(q.getType()) + " query";
    }

    /** Sends a query (no recursion) for {@code name}/{@code type}; NXDOMAIN and NODATA return an empty set. */
    public Answer query(DnsServer server, Name name, int type) throws DnsException {
        Message q = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        q.getHeader().unsetFlag(Flags.RD);
        Instant signedAt = clock.instant();
        Message resp = exchange(server, q);
        Optional<DnsException> f = failure(server + " " + name + " " + Type.string(type), q, resp, signedAt, true);
        if (f.isPresent()) {
            throw f.get();
        }
        List<Record> records = new ArrayList<>();
        long ttl = -1;
        for (RRset set : resp.getSectionRRsets(Section.ANSWER)) {
            if (set.getType() == type && set.getName().equals(name)) {
                records.addAll(set.rrs());
                ttl = set.getTTL();
            }
        }
        return new Answer(resp.getRcode(), records, ttl < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(ttl)),
                resp.getHeader().getFlag(Flags.AA));
    }

    /**
     * The records of a query answer.
     *
     * @param rcode         NOERROR or NXDOMAIN
     * @param records       the matching records (empty for NXDOMAIN/NODATA)
     * @param ttl           the RRset's TTL when there are records
     * @param authoritative whether the server set the AA flag
     */
    public record Answer(int rcode, List<Record> records, Optional<Duration> ttl, boolean authoritative) {
        public Answer {
            records = List.copyOf(records);
        }
    }

    /** Transfers the zone (AXFR, signed when this client has a key) and returns its records. */
    public List<Record> axfr(DnsServer server, Name zone) throws DnsException {
        checkNotRefused(server);
        ZoneTransferIn xfr = ZoneTransferIn.newAXFR(zone, server.socketAddress(), key.map(k -> k.signer(clock)).orElse(null));
        xfr.setTimeout(timeout.multipliedBy(4));
        try {
            xfr.run();
            return xfr.getAXFR();
        } catch (ZoneTransferException e) {
            throw new DnsException(DnsException.Kind.REFUSED, server + " zone " + zone,
                    "zone transfer refused or failed: " + e.getMessage() + " (allow-transfer must grant "
                            + key.map(k -> "key " + k.name()).orElse("this address") + ")", e);
        } catch (SocketTimeoutException e) {
            throw new DnsException(DnsException.Kind.TIMEOUT, server + " zone " + zone, "zone transfer timed out", e);
        } catch (IOException e) {
            throw new DnsException(DnsException.Kind.NETWORK, server + " zone " + zone, "zone transfer failed: " + e, e);
        }
    }
}
