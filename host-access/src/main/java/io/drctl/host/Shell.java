package io.drctl.host;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Quoting for values that must reach a command line as one literal word, and one conditional idiom. */
public final class Shell {
    private static final Pattern ON_EXIT = Pattern.compile(
            "(.*); rc=\\$\\?; if \\[ \"\\$rc\" -eq (\\d+) \\]; then (.*); else exit \"\\$rc\"; fi", Pattern.DOTALL);

    private Shell() {
    }

    /**
     * A POSIX sh command that runs {@code first} and, only when it exits with {@code code}, {@code then}: the exit
     * status is {@code then}'s, or {@code first}'s when {@code then} did not run. E.g. "check a rule, add it only if the
     * check says it is absent" in one command, so nothing can slip in between two round trips.
     */
    public static String onExit(String first, int code, String then) {
        return first + "; rc=$?; if [ \"$rc\" -eq " + code + " ]; then " + then + "; else exit \"$rc\"; fi";
    }

    /** The parts of a command {@link #onExit} built (for fakes that answer command by command); empty otherwise. */
    public static Optional<OnExit> parseOnExit(String command) {
        Matcher m = ON_EXIT.matcher(command);
        return m.matches() ? Optional.of(new OnExit(m.group(1), Integer.parseInt(m.group(2)), m.group(3))) : Optional.empty();
    }

    /** {@code first}, and {@code then} when {@code first} exits with {@code code}. */
    public record OnExit(String first, int code, String then) {
    }

    /** POSIX sh single-quoting: the result is always exactly one word, whatever {@code value} holds. */
    public static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("value contains a NUL byte and cannot be passed to a shell");
        }
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    /** PowerShell single-quoting: a verbatim string literal; embedded quotes are doubled. */
    public static String quotePowerShell(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("value contains a NUL byte and cannot be passed to PowerShell");
        }
        // PowerShell treats the typographic quotes as quotes too
        String escaped = value.replace("'", "''").replace("\u2018", "\u2018\u2018").replace("\u2019", "\u2019\u2019")
                .replace("\u201A", "\u201A\u201A").replace("\u201B", "\u201B\u201B");
        return "'" + escaped + "'";
    }
}
