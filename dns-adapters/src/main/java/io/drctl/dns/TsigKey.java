package io.drctl.dns;

import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;

/**
 * A TSIG key: its name, algorithm and secret. The secret never appears in {@link #toString()}, in
 * exceptions or in logs; {@code source} says where it came from (a file path or an environment variable
 * name) so errors can point at it.
 *
 * @param name      the key name as the server knows it, e.g. {@code drctl-update}
 * @param algorithm the HMAC algorithm
 * @param secret    the raw secret bytes (a defensive copy is kept and returned)
 * @param source    where the key was read from, e.g. {@code /etc/drctl/drctl-update.key} or {@code env DRCTL_TSIG}
 */
public record TsigKey(String name, TsigAlgorithm algorithm, byte[] secret, String source) {

    public TsigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(source, "source");
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || !n.matches("[A-Za-z0-9_.-]{1,253}") || n.startsWith(".") || n.contains("..")) {
            throw new IllegalArgumentException("not a TSIG key name: '" + name + "' (letters, digits, '-', '_', '.')");
        }
        if (secret.length == 0) {
            throw new IllegalArgumentException("TSIG key '" + name + "' from " + source + " has an empty secret");
        }
        name = n;
        secret = secret.clone();
    }

    /** A copy of the secret bytes. */
    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** The key name as a DNS name. */
    public Name dnsName() {
        try {
            return Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            throw new IllegalStateException("key name validated in constructor: " + name, e);
        }
    }

    /** A dnsjava signer for this key that takes its signing time from {@code clock}. */
    public TSIG signer(Clock clock) {
        return new TSIG(algorithm.dnsName(), dnsName(), new SecretKeySpec(secret, algorithm.jcaName()), clock);
    }

    /** The same key under another name (used to prove a server rejects an unknown key name). */
    public TsigKey withName(String otherName) {
        return new TsigKey(otherName, algorithm, secret, source);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TsigKey k && k.name.equalsIgnoreCase(name) && k.algorithm == algorithm
                && Arrays.equals(k.secret, secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name.toLowerCase(java.util.Locale.ROOT), algorithm, Arrays.hashCode(secret));
    }

    /** Names the key, algorithm and source; never the secret. */
    @Override
    public String toString() {
        return "TsigKey[name=" + name + ", algorithm=" + algorithm.label() + ", source=" + source + ", secret=<redacted>]";
    }
}
