package io.drctl.dns;

import io.drctl.host.Labelled;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/**
 * The TSIG HMAC algorithms drctl signs with, each {@link #label() labelled} by the name BIND uses in key files
 * ({@code hmac-sha256}). hmac-sha256 is the default, as {@code tsig-keygen} writes it. The algorithm's DNS name
 * and JCA name are dnsjava's for that label.
 */
public enum TsigAlgorithm implements Labelled {
    HMAC_SHA256,
    HMAC_SHA384,
    HMAC_SHA512;

    /** The algorithm used when a key does not say. */
    public static final TsigAlgorithm DEFAULT = HMAC_SHA256;

    /** The algorithm's domain name as carried in the TSIG record, e.g. {@code hmac-sha256.}. */
    public Name dnsName() {
        return TSIG.algorithmToName(label());
    }

    /** The JCA {@link javax.crypto.Mac} algorithm name, e.g. {@code HmacSHA256}. */
    public String jcaName() {
        return TSIG.nameToAlgorithm(dnsName());
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
