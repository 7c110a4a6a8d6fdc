package io.drctl.dns;

import io.drctl.host.AdapterException;
import io.drctl.host.FailureKind;
import io.drctl.host.Retriable;
import java.time.Duration;
import java.util.Optional;
import org.xbill.DNS.Rcode;

/**
 * A DNS operation failed. {@link #kind()} classifies it (from the response code and TSIG error, or the
 * transport failure), decides {@link #isRetriable()}, and the message names the server, the zone or
 * record, what was expected and what was seen, with a hint.
 */
public class DnsException extends AdapterException {

    /** What went wrong; the single place that decides whether retrying can help. */
    public enum Kind implements FailureKind {
        /** NOTAUTH/BADSIG: the server knows the key name but the signature does not match — wrong secret. */
        BAD_SIGNATURE("the secret differs from the server's copy of the key; compare the key file with the server's"),
        /** NOTAUTH/BADKEY: the server does not know a key by that name and algorithm. */
        BAD_KEY("the server has no key of that name and algorithm; check the key name and algorithm against named.conf"),
        /** NOTAUTH/BADTIME: the signing time is outside the server's fudge window — clock skew. */
        BAD_TIME("the clocks of this machine and the server differ; synchronise both with NTP"),
        /** NOTAUTH without a TSIG error: the server is not authoritative for the zone, or requires a signed request. */
        NOT_AUTHORITATIVE("send the update to the zone's primary server, signed with a key it accepts"),
        /** REFUSED: the server's update-policy or allow-update does not grant this key this change. */
        REFUSED("grant the key in the zone's update-policy (e.g. grant KEY zonesub A;)"),
        /** NXRRSET/YXRRSET/NXDOMAIN/YXDOMAIN on an update: the records are not what the prerequisite expected. */
        PREREQUISITE_FAILED("someone else changed the records since they were read; re-probe and decide"),
        /** NOTZONE: a name in the update is outside the zone. */
        NOT_ZONE("every record must be inside the zone being updated"),
        /** SERVFAIL: the server could not process the request now (e.g. zone not loaded, journal busy). */
        @Retriable SERVER_FAILURE("look at the server's log; it may succeed once the zone has loaded"),
        /** FORMERR/NOTIMP: the server could not parse or does not implement the request. */
        FORMAT_ERROR("the server rejected the message format; check the server version and the request"),
        /** Another response code. */
        UNEXPECTED_RESPONSE("see the response code"),
        /** The response was not signed correctly by the server, or could not be verified with our key. */
        UNVERIFIED_RESPONSE("the response's TSIG did not verify; the path to the server may be tampered with"),
        /** No answer over UDP nor over TCP within the timeout. */
        @Retriable TIMEOUT("check that the server runs and that UDP and TCP to its port are allowed"),
        /** Connection refused or unreachable. */
        @Retriable UNREACHABLE("check that the server runs and listens on that address and port"),
        /** Another transport failure. */
        @Retriable NETWORK("a transport error; see the cause"),
        /** The change touches more records than declared or than the allowed share of the zone. */
        THRESHOLD_EXCEEDED("check the record list; force with a reason if the change is intended"),
        /** Some server did not serve the expected records before the timeout. */
        @Retriable NOT_PROPAGATED("check zone transfers and NOTIFY between the primary and that server");

        private final String hint;

        Kind(String hint) {
            this.hint = hint;
        }

        /** What the operator should check. */
        public String hint() {
            return hint;
        }
    }

    private final int rcode;
    private final int tsigError;
    private final Duration clockSkew;

    public DnsException(Kind kind, String target, String message, int rcode, int tsigError, Duration clockSkew, Throwable cause) {
        super(kind, target, target + ": " + message + " [" + kind + (rcode >= 0 ? ", rcode " + Rcode.string(rcode) : "")
                + (tsigError > 0 ? ", tsig " + Rcode.TSIGstring(tsigError) : "") + "] (hint: " + kind.hint + ")", cause);
        this.rcode = rcode;
        this.tsigError = tsigError;
        this.clockSkew = clockSkew;
    }

    public DnsException(Kind kind, String target, String message) {
        this(kind, target, message, -1, 0, null, null);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }

    public DnsException(Kind kind, String target, String message, Throwable cause) {
        this(kind, target, message, -1, 0, null, cause);
    }

    /** The response code, or -1 when there was no response. */
    public int rcode() {
        return rcode;
    }

    /** The TSIG error of the response (0 = none). */
    public int tsigError() {
        return tsigError;
    }

    /** For {@link Kind#BAD_TIME}: our clock minus the server's (positive = we are ahead). */
    public Optional<Duration> clockSkew() {
        return Optional.ofNullable(clockSkew);
    }
}
