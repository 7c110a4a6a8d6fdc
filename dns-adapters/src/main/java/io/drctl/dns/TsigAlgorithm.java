package io.drctl.dns;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/** The TSIG HMAC algorithms drctl signs with. hmac-sha256 is the default, as {@code tsig-keygen} writes it. */
public enum TsigAlgorithm {
    HMAC_SHA256("hmac-sha256", TSIG.HMAC_SHA256, "HmacSHA256"),
    HMAC_SHA384("hmac-sha384", TSIG.HMAC_SHA384, "HmacSHA384"),
    HMAC_SHA512("hmac-sha512", TSIG.HMAC_SHA512, "HmacSHA512");

    /** The algorithm used when a key does not say. */
    public static final TsigAlgorithm DEFAULT = HMAC_SHA256;

    private final String bindName;
    private final Name dnsName;
    private final String jcaName;

    TsigAlgorithm(String bindName, Name dnsName, String jcaName) {
        this.bindName = bindName;
        this.dnsName = dnsName;
        this.jcaName = jcaName;
    }

    /** The name BIND uses in key files, e.g. {@code hmac-sha256}. */
    public String bindName() {
        return bindName;
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
        String want = t;
        return Arrays.stream(values()).filter(a -> a.bindName.equals(want)).findFirst();
    }

    /** The BIND names of all supported algorithms, for hints. */
    public static String supported() {
        return String.join(", ", Arrays.stream(values()).map(TsigAlgorithm::bindName).toList());
    }
}
