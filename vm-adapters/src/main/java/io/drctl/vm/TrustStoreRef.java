package io.drctl.vm;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A trust store holding the CA (or the self-signed certificate) of an HTTPS endpoint such as vCenter.
 *
 * @param path     PKCS#12 or JKS file
 * @param type     {@code PKCS12} or {@code JKS}
 * @param password the store's password by reference; empty for a PKCS#12 store without a password
 */
public record TrustStoreRef(Path path, String type, Optional<SecretRef> password) {
    public TrustStoreRef {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(password, "password");
        type = type.toUpperCase(Locale.ROOT);
        if (!type.equals("PKCS12") && !type.equals("JKS")) {
            throw new IllegalArgumentException("unsupported trust store type: '" + type + "' (expected PKCS12 or JKS)");
        }
    }

    /** A PKCS#12 store, type guessed from nothing else: vCenter's exported CA in the usual format. */
    public static TrustStoreRef pkcs12(Path path, SecretRef password) {
        return new TrustStoreRef(path, "PKCS12", Optional.ofNullable(password));
    }
}
