package io.drctl.firewall;

import java.util.regex.Pattern;

/** Paths of the boot-time firewall files drctl reads and writes on a host: absolute, plain, never {@code ..}. */
final class BootFiles {

    private static final Pattern PATH = Pattern.compile("^/[A-Za-z0-9_./-]{1,255}$");

    private BootFiles() {
    }

    /**
     * @param forWhat what the files are, for the message ("a rules file")
     * @throws IllegalArgumentException quoting the first path that is not safe to put in a shell command
     */
    static void requireSafe(String forWhat, String... paths) {
        for (String p : paths) {
            if (p == null || !PATH.matcher(p).matches() || p.contains("..")) {
                throw new IllegalArgumentException("not a safe absolute path for " + forWhat + ": '" + p + "'");
            }
        }
    }
}
