package io.drctl.orchestrator.config.load;

import io.drctl.orchestrator.config.model.ReadinessSettings;
import io.drctl.orchestrator.config.model.ReadinessSettings.Format;
import io.drctl.orchestrator.config.model.ReadinessSettings.SecretRef;
import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Problems;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the inventory's {@code readiness:} section: {@code store} (the daemons' PostgreSQL database, a JDBC URL,
 * a password by reference) and {@code webhook} (URL, format, headers by reference). Every problem is located.
 */
final class ReadinessLoader {
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
    private static final Pattern ROLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$.-]*");

    private ReadinessLoader() {
    }

    static ReadinessSettings readiness(Fields f, Problems problems) {
        Optional<ReadinessSettings.Store> store = f.fields("store").flatMap(s -> store(s, problems));
        Optional<ReadinessSettings.Webhook> webhook = f.fields("webhook").flatMap(w -> webhook(w, problems));
        f.done();
        return new ReadinessSettings(store, webhook);
    }

    private static Optional<ReadinessSettings.Store> store(Fields s, Problems problems) {
        Optional<String> url = s.requiredString("url");
        url.filter(u -> !u.startsWith("jdbc:postgresql:")).ifPresent(u -> problems.add(s.at("url"),
                "`url` must be a PostgreSQL JDBC URL, found '" + Fields.shorten(u) + "'",
                "e.g. jdbc:postgresql://10.0.1.10:5432,10.0.2.10:5432/drctl?targetServerType=primary"));
        url.filter(u -> u.startsWith("jdbc:postgresql:") && org.postgresql.Driver.parseURL(u, null) == null).ifPresent(u -> problems.add(
                s.at("url"), "`url` is not a valid PostgreSQL JDBC URL (pgjdbc cannot parse it)",
                "jdbc:postgresql://HOST:PORT[,HOST:PORT...]/DATABASE[?targetServerType=primary]"));
        url.filter(u -> u.toLowerCase(Locale.ROOT).contains("password=")).ifPresent(u -> problems.add(s.at("url"),
                "`url` carries a password (its value is not shown)", "use passwordFile or passwordEnv"));
        Optional<String> user = s.string("user");
        user.filter(u -> !ROLE.matcher(u).matches()).ifPresent(u -> problems.add(s.at("user"),
                "`user` '" + Fields.shorten(u) + "' is not a role name", "letters, digits, '_', e.g. drctl"));
        Optional<String> file = s.string("passwordFile");
        Optional<String> env = s.string("passwordEnv");
        Checks.checkPath(s, "passwordFile", file);
        env.ifPresent(e -> Checks.checkEnvName(s, "passwordEnv", e));
        if (file.isPresent() && env.isPresent()) {
            problems.add(s.location(), "store needs at most one of `passwordFile`, `passwordEnv`");
        }
        Optional<SecretRef> password = file.isPresent() != env.isPresent() ? Optional.of(new SecretRef(file, env)) : Optional.empty();
        Duration retention = s.duration("retention").orElse(ReadinessSettings.DEFAULT_RETENTION);
        Duration checkin = s.duration("checkinInterval").orElse(ReadinessSettings.DEFAULT_CHECKIN);
        if (checkin.toMillis() < 500 || checkin.compareTo(Duration.ofMinutes(10)) > 0) {
            problems.add(s.at("checkinInterval"), "`checkinInterval` must be between 500ms and 10m",
                    "a dead daemon's rounds are taken over within about this much; e.g. 7500ms, 15s");
        }
        if (retention.compareTo(Duration.ofHours(1)) < 0) {
            problems.add(s.at("retention"), "`retention` must be at least 1h", "e.g. 7d, 30d");
        }
        s.done();
        return url.map(u -> new ReadinessSettings.Store(u, user, password, retention, checkin));
    }

    private static Optional<ReadinessSettings.Webhook> webhook(Fields w, Problems problems) {
        Optional<String> url = w.requiredString("url");
        url.filter(u -> !httpUrl(u)).ifPresent(u -> problems.add(w.at("url"),
                "`url` must be an http or https URL, found '" + Fields.shorten(u) + "'", "e.g. https://alerts.example/hook"));
        Format format = Format.GENERIC;
        Optional<String> fmt = w.string("format");
        if (fmt.isPresent()) {
            Optional<Format> known = Arrays.stream(Format.values()).filter(x -> x.label().equals(fmt.get())).findFirst();
            if (known.isEmpty()) {
                problems.add(w.at("format"), "`format` '" + Fields.shorten(fmt.get()) + "' is not a webhook format",
                        "one of generic, alertmanager");
            } else {
                format = known.get();
            }
        }
        Map<String, SecretRef> headers = new LinkedHashMap<>();
        w.fields("headers").ifPresent(h -> {
            for (String name : h.map().entries().keySet()) {
                if (!HEADER.matcher(name).matches()) {
                    problems.add(h.map().keyLocation(name), "header name '" + Fields.shorten(name) + "' is not a valid HTTP header name");
                }
                h.fields(name).ifPresent(r -> {
                    Optional<String> file = r.string("file");
                    Optional<String> env = r.string("env");
                    Checks.checkPath(r, "file", file);
                    env.ifPresent(e -> Checks.checkEnvName(r, "env", e));
                    r.done();
                    if (file.isPresent() == env.isPresent()) {
                        problems.add(r.location(), "header `" + name + "` needs exactly one of `file`, `env` (values by reference only)",
                                "e.g. " + name + ": { env: DRCTL_WEBHOOK_TOKEN }");
                    } else {
                        headers.put(name, new SecretRef(file, env));
                    }
                });
            }
        });
        w.done();
        Format f = format;
        return url.filter(ReadinessLoader::httpUrl).map(u -> new ReadinessSettings.Webhook(u, f, headers));
    }

    private static boolean httpUrl(String u) {
        try {
            URI uri = new URI(u);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
