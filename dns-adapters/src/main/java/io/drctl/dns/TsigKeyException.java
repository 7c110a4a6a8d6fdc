package io.drctl.dns;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A TSIG key could not be loaded: the file is missing, unreadable or malformed, the key is absent,
 * or the environment variable is unset or malformed. The message names the source, the line (for
 * files) and a hint; it never contains the secret.
 */
public class TsigKeyException extends Exception {

    private final String source;
    private final int line;
    private final String hint;

    public TsigKeyException(String source, int line, String problem, String hint) {
        super(source + (line > 0 ? ":" + line : "") + ": " + problem + (hint == null ? "" : " (hint: " + hint + ")"));
        this.source = source;
        this.line = line;
        this.hint = hint;
    }

    /** The file path or {@code env NAME} the key was read from. */
    public String source() {
        return source;
    }

    /** The 1-based line of the problem in a key file, if it has one. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** What to do about it. */
    public Optional<String> hint() {
        return Optional.ofNullable(hint);
    }
}
