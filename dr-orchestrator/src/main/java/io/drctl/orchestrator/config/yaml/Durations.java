package io.drctl.orchestrator.config.yaml;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 1h30m}, or plain
 * seconds. Bounded by {@link #MAX}: no DR step, wait or TTL legitimately lasts longer, and larger values overflow
 * the arithmetic of deadlines.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
    private static final Pattern SECONDS = Pattern.compile("\\d{1,12}");

    /** The longest duration accepted anywhere: 30 days. */
    public static final Duration MAX = Duration.ofDays(30);

    private Durations() {
    }

    /** The duration, or empty when {@code text} is not one or exceeds {@link #MAX} (see {@link #check}). */
    public static Optional<Duration> parse(String text) {
        return check(text) == Verdict.OK ? Optional.of(parseUnchecked(text.strip())) : Optional.empty();
    }

    /** Whether {@code text} is an accepted duration. */
    public enum Verdict { OK, MALFORMED, TOO_LARGE }

    public static Verdict check(String text) {
        if (text == null || text.isBlank()) {
            return Verdict.MALFORMED;
        }
        String t = text.strip();
        if (!SECONDS.matcher(t).matches() && !isParts(t)) {
            // digits beyond what any part may have: a number too large, not a typo
            return t.matches("\\d{13,}(ms|s|m|h|d)?") ? Verdict.TOO_LARGE : Verdict.MALFORMED;
        }
        // at most 12 digits per part: no overflow before the comparison
        return parseUnchecked(t).compareTo(MAX) > 0 ? Verdict.TOO_LARGE : Verdict.OK;
    }

    private static boolean isParts(String t) {
        Matcher m = PART.matcher(t);
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return false;
            }
            end = m.end();
        }
        return end == t.length() && end > 0;
    }

    private static Duration parseUnchecked(String t) {
        if (SECONDS.matcher(t).matches()) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        Matcher m = PART.matcher(t);
        Duration total = Duration.ZERO;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        return total;
    }

    /** {@code 1m30s}, {@code 250ms}: compact, for progress lines and plans. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = d.toSeconds();
        if (s < 60) {
            return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long days = s / 86400;
        long h = (s % 86400) / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        return (days > 0 ? days + "d" : "") + (h > 0 ? h + "h" : "") + (m > 0 ? m + "m" : "") + (sec > 0 ? sec + "s" : "");
    }
}
