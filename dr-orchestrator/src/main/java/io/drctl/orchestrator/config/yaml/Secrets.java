package io.drctl.orchestrator.config.yaml;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds secrets written inline in an inventory or runbook: keys that name a secret value
 * ({@code password:}, {@code secret:}, ...) and values that look like key material (a base64 TSIG
 * secret, {@code hmac-sha256:name:base64}, a PEM block). The value itself is never quoted in the problem.
 */
public final class Secrets {
    private static final Set<String> SECRET_KEYS = Set.of("secret", "password", "passwd", "pass", "token",
            "apikey", "api_key", "privatekey", "private_key", "key", "keydata", "tsigsecret", "credentials",
            "credential", "secretkey", "accesskey");
    private static final Pattern BASE64 = Pattern.compile("^[A-Za-z0-9+/]{16,}={0,2}$");
    private static final Pattern TSIG_TRIPLE = Pattern.compile("^hmac-[a-z0-9]+:[^:]+:[A-Za-z0-9+/]+={0,2}$",
            Pattern.CASE_INSENSITIVE);

    private Secrets() {
    }

    /** Whether {@code key} names a secret value (reported as an inline secret, not as an unknown key). */
    public static boolean isSecretKey(String key) {
        return SECRET_KEYS.contains(key.toLowerCase(Locale.ROOT));
    }

    /** Adds a problem for every inline secret under {@code root}. */
    public static void scan(YNode root, Problems problems) {
        // Java 17: no pattern switch yet; the sealed YNode keeps this exhaustive by review
        if (root instanceof YNode.YMap m) {
                for (Map.Entry<String, YNode> e : m.entries().entrySet()) {
                    if (SECRET_KEYS.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                        problems.add(m.keyLocation(e.getKey()), "secret written inline under `" + e.getKey() + "`",
                                "secrets must be references: use keyFile/keyEnv (TSIG), passwordEnv, identityFile");
                        continue;
                    }
                    scan(e.getValue(), problems);
                }
        } else if (root instanceof YNode.YList l) {
            l.items().forEach(i -> scan(i, problems));
        } else if (root instanceof YNode.YScalar s) {
                if (s.type() == YNode.ScalarType.STRING && looksLikeSecret(s.text())) {
                    problems.add(s.location(), "value looks like an inline secret (key material)",
                            "secrets must be references: put it in a file (keyFile) or an environment variable (keyEnv)");
                }
        }
    }

    /** Heuristic for key material: base64 of at least 16 chars mixing cases and digits, or a TSIG triple, or PEM. */
    static boolean looksLikeSecret(String v) {
        if (v == null) {
            return false;
        }
        String t = v.strip();
        if (t.contains("-----BEGIN") || TSIG_TRIPLE.matcher(t).matches()) {
            return true;
        }
        if (!BASE64.matcher(t).matches() || t.startsWith("/")) {
            return false;
        }
        boolean upper = t.chars().anyMatch(Character::isUpperCase);
        boolean lower = t.chars().anyMatch(Character::isLowerCase);
        boolean digit = t.chars().anyMatch(Character::isDigit);
        boolean padded = t.endsWith("=");
        return upper && lower && digit && (padded || t.length() >= 24) && (padded || t.length() % 4 == 0);
    }
}
