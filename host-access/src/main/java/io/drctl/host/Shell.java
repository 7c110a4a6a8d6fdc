package io.drctl.host;

/** Quoting for values that must reach a command line as one literal word. */
public final class Shell {
    private Shell() {
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
