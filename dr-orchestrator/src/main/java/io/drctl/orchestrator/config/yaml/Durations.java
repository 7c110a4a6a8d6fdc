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

    /** How a duration is written; one style per kind of text drctl prints. */
    public enum Style {
        /** {@code 250ms}, {@code 1.5s}, {@code 1m30s}, {@code 2h}: progress lines, plans, limits. */
        COMPACT,
        /** {@code 850 ms}, {@code 12.3 s}, {@code 4m05s}, signed: what a check measured (lag, clock skew). */
        MEASURED,
        /** {@code 0.9s}, {@code 12.3s}, {@code 4m05s}: the times of a drill report. */
        REPORT
    }

    /** {@code 1m30s}, {@code 250ms}: compact, for progress lines and plans. */
    public static String format(Duration d) {
        return format(d, Style.COMPACT);
    }

    /** The one duration formatter: {@code d} written in {@code style}. */
    public static String format(Duration d, Style style) {
        boolean measured = style == Style.MEASURED;
        long ms = measured ? Math.abs(d.toMillis()) : d.toMillis();
        String sign = measured && d.isNegative() ? "-" : "";
        String space = measured ? " " : "";
        if (ms < 1000 && style != Style.REPORT) {
            return sign + ms + space + "ms";
        }
        if (ms < 60_000) {
            return sign + String.format(java.util.Locale.ROOT, "%.1f" + space + "s", ms / 1000.0);
        }
        if (style != Style.COMPACT) {
            return sign + String.format(java.util.Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
        }
        long s = d.toSeconds();
        long days = s / 86400;
        long h = (s % 86400) / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        return (days > 0 ? days + "d" : "") + (h > 0 ? h + "h" : "") + (m > 0 ? m + "m" : "") + (sec > 0 ? sec + "s" : "");
    }
}
