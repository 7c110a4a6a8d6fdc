package io.drctl.orchestrator.config.load;

import io.drctl.dbms.PostgresInstance;
import io.drctl.orchestrator.config.yaml.Fields;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The value checks the inventory's readers share; each reports a located problem and keeps reading. */
final class Checks {
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Checks() {
    }

    /** The optional string at {@code key}; a value that fails {@code ok} is a problem: {@code message} and {@code hint} of it. */
    static Optional<String> string(Fields f, String key, Predicate<String> ok, Function<String, String> message,
            Function<String, String> hint) {
        Optional<String> value = f.string(key);
        value.filter(ok.negate()).ifPresent(v -> f.problems().add(f.at(key), message.apply(v), hint.apply(v)));
        return value;
    }

    /** As {@link #string(Fields, String, Predicate, Function, Function)} with a fixed hint (or none: null). */
    static Optional<String> string(Fields f, String key, Predicate<String> ok, Function<String, String> message, String hint) {
        return string(f, key, ok, message, v -> hint);
    }

    /** An absolute path drctl passes to a shell on a host ({@code example}: a typical one). */
    static Optional<String> safePath(Fields f, String key, String example) {
        return string(f, key, PostgresInstance::isSafePath, v -> key + " '" + Fields.shorten(v) + "' is not a safe absolute path",
                "letters, digits and _ . @ + - / only, e.g. " + example);
    }

    /** A TCP port number; {@code what} names it in the problem ("ssh port", "db port"). */
    static Optional<Integer> port(Fields f, String key, String what) {
        Optional<Integer> port = f.integer(key);
        port.filter(p -> p < 1 || p > 65535)
                .ifPresent(p -> f.problems().add(f.at(key), what + " " + p + " is not a TCP port", "expected 1..65535"));
        return port;
    }

    /** {@code value} must be a variable name; it may be a pasted secret, so the problem never quotes it. */
    static void checkEnvName(Fields f, String key, String value) {
        if (!ENV_NAME.matcher(value).matches()) {
            f.problems().add(f.at(key), "`" + key + "` must name an environment variable (its value is not shown: it may be a secret)",
                    "letters, digits and '_', e.g. DRCTL_VSPHERE_PASSWORD; put the secret itself in that variable");
        }
    }

    /** A file path drctl opens: no control characters (NUL cannot be a path); the value is not quoted. */
    static void checkPath(Fields f, String key, Optional<String> value) {
        value.ifPresent(v -> {
            if (v.isBlank() || v.chars().anyMatch(Character::isISOControl)) {
                f.problems().add(f.at(key), "`" + key + "` must be a file path without control characters");
            }
        });
    }
}
