package io.drctl.vm;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one vCenter (7.0 U2 or later, {@code /api} endpoints).
 *
 * @param baseUrl           e.g. {@code https://vcenter.example.com}; {@code http} is refused unless
 *                          {@code allowInsecureHttp}
 * @param username          e.g. {@code drctl@vsphere.local}
 * @param password          the password by reference; resolved at each login, never stored in this record
 * @param trustStore        trust store with vCenter's CA; empty = the JVM's default trust (never trust-all)
 * @param allowInsecureHttp true only for tests/labs: permits an {@code http} base URL
 * @param connectTimeout    TCP + TLS connect timeout
 * @param requestTimeout    per-request timeout (a power-on request returns when the VM is on)
 */
public record VsphereConfig(URI baseUrl, String username, SecretRef password, Optional<TrustStoreRef> trustStore,
                            boolean allowInsecureHttp, Duration connectTimeout, Duration requestTimeout) {
    public VsphereConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowInsecureHttp)) {
            throw new IllegalArgumentException("vCenter URL must be https: '" + baseUrl + "'"
                    + (scheme.equals("http") ? " (http is allowed only with allowInsecureHttp, for tests)" : ""));
        }
        if (baseUrl.getHost() == null || baseUrl.getRawUserInfo() != null || baseUrl.getRawQuery() != null) {
            throw new IllegalArgumentException("vCenter URL must be scheme://host[:port][/path] without user info or "
                    + "query: '" + baseUrl + "'");
        }
        if (username.isBlank() || username.chars().anyMatch(c -> c == ':' || Character.isISOControl(c))) {
            throw new IllegalArgumentException("vCenter user name is blank or contains ':' or control characters: '"
                    + username + "'");
        }
        String path = baseUrl.getPath() == null ? "" : baseUrl.getPath();
        if (path.endsWith("/")) {
            baseUrl = URI.create(baseUrl.toString().substring(0, baseUrl.toString().length() - 1));
        }
    }

    /** Production defaults: https required, 10 s connect, 120 s per request. */
    public static VsphereConfig of(URI baseUrl, String username, SecretRef password, TrustStoreRef trustStore) {
        return new VsphereConfig(baseUrl, username, password, Optional.ofNullable(trustStore), false,
                Duration.ofSeconds(10), Duration.ofSeconds(120));
    }

    /** The base URL without a trailing slash, as used in messages. */
    public String endpoint() {
        return baseUrl.toString();
    }
}
