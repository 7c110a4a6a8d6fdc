package io.drctl.orchestrator.config.model;

import io.drctl.host.HomeDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The inventory's {@code readiness:} section: where a cluster of daemons keeps its schedule and results
 * ({@code store}), and where readiness changes are announced ({@code webhook}). Both optional: without a
 * store the daemon runs alone on an in-memory schedule.
 *
 * @param store   the PostgreSQL database of the cluster
 * @param webhook where a change of readiness is POSTed
 */
public record ReadinessSettings(Optional<Store> store, Optional<Webhook> webhook) {
    /** Results are kept a week unless {@code retention} says otherwise. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    /** Quartz's cluster check-in: a dead daemon's rounds are taken over within about this much. */
    public static final Duration DEFAULT_CHECKIN = Duration.ofMillis(7500);

    public static ReadinessSettings none() {
        return new ReadinessSettings(Optional.empty(), Optional.empty());
    }

    /**
     * @param url      JDBC URL ({@code jdbc:postgresql://h1:5432,h2:5432/drctl?targetServerType=primary})
     * @param user     database role, if not the URL's
     * @param password where the role's password lives, if it needs one
     * @param retention how long results and state changes are kept
     * @param checkin  the cluster check-in interval
     */
    public record Store(String url, Optional<String> user, Optional<SecretRef> password, Duration retention, Duration checkin) {
    }

    /** The message shape a webhook receives. */
    public enum Format {
        /** {@code {"event":"not_ready"|"ready", ...}}. */
        GENERIC,
        /** A list of alerts as Alertmanager's {@code POST /api/v2/alerts} takes it. */
        ALERTMANAGER;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param url     http(s) URL the change is POSTed to
     * @param format  message shape
     * @param headers extra request headers, values by reference only
     */
    public record Webhook(String url, Format format, Map<String, SecretRef> headers) {
        public Webhook {
            headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }
    }

    /** A secret by reference: a file (its first line) or an environment variable; exactly one is set. */
    public record SecretRef(Optional<String> file, Optional<String> env) {
        public SecretRef {
            if (file.isPresent() == env.isPresent()) {
                throw new IllegalArgumentException("a secret reference needs exactly one of file, env");
            }
        }

        /**
         * Reads the secret.
         *
         * @throws IOException naming the reference (never the value) when the file is unreadable or the variable unset
         */
        public String resolve(Map<String, String> environment) throws IOException {
            if (env.isPresent()) {
                String v = environment.get(env.get());
                if (v == null || v.isEmpty()) {
                    throw new IOException("environment variable " + env.get() + " is not set (expected the secret in it)");
                }
                return v;
            }
            try {
                String text = Files.readString(HomeDir.expand(file.get(), environment), StandardCharsets.UTF_8);
                int nl = text.indexOf('\n');
                return (nl >= 0 ? text.substring(0, nl) : text).strip();
            } catch (IOException e) {
                throw new IOException("cannot read the secret file " + file.get() + ": " + e.getClass().getSimpleName());
            }
        }

        @Override
        public String toString() {
            return file.map(f -> "file " + f).orElseGet(() -> "env " + env.orElseThrow());
        }
    }
}
