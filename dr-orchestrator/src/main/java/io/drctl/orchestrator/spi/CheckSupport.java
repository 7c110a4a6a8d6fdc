package io.drctl.orchestrator.spi;

import java.time.Duration;

/**
 * What the read-only check step types share: a check's probe is the check itself (SATISFIED when it
 * passes, NEEDED with what was seen otherwise); apply changes nothing; verify repeats the check, so a
 * failing check ends as a failed verification naming expected vs seen.
 */
public final class CheckSupport {
    private CheckSupport() {
    }

    /** The apply of every check: nothing is changed, ever. */
    public static Applied nothingChanged() {
        return Applied.of("read-only check: nothing changed");
    }

    /** Turns a repeated probe into the verification: ok with what was seen, or failed naming expected vs seen. */
    public static Verified verified(String target, Probe p) {
        return p.isSatisfied() ? Verified.ok(p.current())
                : Verified.failed(target + ": expected " + p.desired() + ", saw " + p.current());
    }

    /** Human duration: 850 ms, 12.3 s, 4m05s. */
    public static String fmt(Duration d) {
        long ms = Math.abs(d.toMillis());
        String sign = d.isNegative() ? "-" : "";
        if (ms < 1000) {
            return sign + ms + " ms";
        }
        if (ms < 60_000) {
            return sign + String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return sign + String.format(java.util.Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
    }
}
