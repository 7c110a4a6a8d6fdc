package io.drctl.dns;

import io.drctl.host.Labelled;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/**
 * The TSIG HMAC algorithms drctl signs with, each {@link #label() labelled} by the name BIND uses in key files
 * ({@code hmac-sha256}). hmac-sha256 is the default, as {@code tsig-keygen} writes it.
 */
public enum TsigAlgorithm implements Labelled {
    HMAC_SHA256(TSIG.HMAC_SHA256, "HmacSHA256"),
    HMAC_SHA384(TSIG.HMAC_SHA384, "HmacSHA384"),
    HMAC_SHA512(TSIG.HMAC_SHA512, "HmacSHA512");

    /** The algorithm used when a key does not say. */
    public static final TsigAlgorithm DEFAULT = HMAC_SHA256;

    private final Name dnsName;
    private final String jcaName;

    TsigAlgorithm(Name dnsName, String jcaName) {
        this.dnsName = dnsName;
        this.jcaName = jcaName;
    }

    /** The algorithm's domain name as carried in the TSIG record. */
    public Name dnsName() {
        return dnsName;
    }

    /** The JCA {@link javax.crypto.Mac} algorithm name. */
    public String jcaName() {
        return jcaName;
    }

    /** Looks up a BIND algorithm name (case-insensitive, optional trailing dot). */
    public static Optional<TsigAlgorithm> fromBindName(String s) {
        if (s == null) {
            return Optional.empty();
        }
        String t = s.toLowerCase(Locale.ROOT);
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return Labelled.find(TsigAlgorithm.class, t);
    }

    /** The BIND names of all supported algorithms, for hints. */
    public static String supported() {
        return String.join(", ", Labelled.labels(TsigAlgorithm.class));
    }
}
