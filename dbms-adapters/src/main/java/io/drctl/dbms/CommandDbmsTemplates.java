package io.drctl.dbms;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Command lines that probe and promote a DBMS through its own CLI ({@code psql}, {@code sqlcmd}, {@code dgmgrl},
 * {@code sqlplus}), run on the DBMS host by {@link CommandDbms}. Everything is checked here, at construction, so an
 * inventory loader can report a bad template with a clear message ({@link IllegalArgumentException} naming the
 * template or pattern).
 *
 * <p>Templates are one line each (no NUL, CR or LF). They may contain the placeholders {@value #HOST},
 * {@value #PORT} and {@value #ADDRESS} only; each is replaced by a value of {@link CommandDbmsTarget} that was
 * validated ({@link io.drctl.host.Values}) and is passed single-quoted ({@link io.drctl.host.Shell#quote}), so it is
 * one literal word. Any other {@code {word}} is an error, except right after {@code $} ({@code ${VAR}} is shell or
 * PowerShell syntax, passed as written). Other text, braces of a script block included, is passed as written.
 * Templates must not contain secrets: pass passwords through the client's own files or wallets ({@code .pgpass},
 * an Oracle wallet, {@code SQLCMDPASSWORD} in the SSH user's environment).
 *
 * @param promote    makes this server the primary; exit 0 = accepted (the role is then polled until primary)
 * @param role       prints the server's role; must exit 0
 * @param primary    matched ({@link Matcher#find()}, multi-line) against the role output: primary
 * @param replica    matched when {@code primary} did not: replica (else the role is {@link DbmsRole#UNKNOWN})
 * @param lag        optional: prints the replica's lag; must exit 0; run only on a replica
 * @param lagPattern present exactly when {@code lag} is: finds the lag in its output through the named groups
 *                   {@value #BYTES_GROUP} (whole bytes) and/or {@value #SECONDS_GROUP} (decimal seconds)
 * @param writeCheck optional: exit 0 = the primary accepted a write (run after promotion; must leave nothing behind)
 */
public record CommandDbmsTemplates(String promote, String role, Pattern primary, Pattern replica, Optional<String> lag,
                                   Optional<Pattern> lagPattern, Optional<String> writeCheck) {

    public static final String HOST = "{host}";
    public static final String PORT = "{port}";
    public static final String ADDRESS = "{address}";
    /** The allowed placeholders, in the order they are documented. */
    public static final List<String> PLACEHOLDERS = List.of(HOST, PORT, ADDRESS);
    public static final String BYTES_GROUP = "bytes";
    public static final String SECONDS_GROUP = "seconds";

    private static final Pattern PLACEHOLDER = Pattern.compile("(?<!\\$)\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Set<String> NAMES = Set.of("host", "port", "address");

    public CommandDbmsTemplates {
        promote = checkTemplate("promote", promote);
        role = checkTemplate("role", role);
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(lagPattern, "lagPattern");
        Objects.requireNonNull(writeCheck, "writeCheck");
        lag = lag.map(t -> checkTemplate("lag", t));
        writeCheck = writeCheck.map(t -> checkTemplate("writeCheck", t));
        if (lag.isPresent() != lagPattern.isPresent()) {
            throw new IllegalArgumentException(lag.isPresent()
                    ? "the 'lag' command template needs a 'lagPattern' with a named group (?<bytes>...) and/or (?<seconds>...)"
                    : "'lagPattern' is given without a 'lag' command template");
        }
        lagPattern.ifPresent(CommandDbmsTemplates::checkLagGroups);
    }

    /**
     * The required templates, with patterns given as regex strings compiled with {@link Pattern#MULTILINE} (so
     * {@code ^PRIMARY$} matches any whole output line); no lag and no write check.
     */
    public static CommandDbmsTemplates of(String promote, String role, String primary, String replica) {
        return new CommandDbmsTemplates(promote, role, compile("primary", primary), compile("replica", replica),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** These templates with a lag command and its pattern (a regex string, multi-line). */
    public CommandDbmsTemplates withLag(String lagTemplate, String pattern) {
        Objects.requireNonNull(lagTemplate, "lag");
        return new CommandDbmsTemplates(promote, role, primary, replica, Optional.of(lagTemplate),
                Optional.of(compile("lagPattern", pattern)), writeCheck);
    }

    /** These templates with a write check command. */
    public CommandDbmsTemplates withWriteCheck(String template) {
        Objects.requireNonNull(template, "writeCheck");
        return new CommandDbmsTemplates(promote, role, primary, replica, lag, lagPattern, Optional.of(template));
    }

    /** The placeholders {@code template} uses, in order of first use (all allowed: checked at construction). */
    public static List<String> placeholdersIn(String template) {
        List<String> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!out.contains(m.group())) {
                out.add(m.group());
            }
        }
        return out;
    }

    /**
     * The command line: each placeholder replaced by its value, quoted with {@code quote}. Values are substituted
     * in one pass, so a value is never searched for placeholders.
     */
    static String render(String template, CommandDbmsTarget target, java.util.function.UnaryOperator<String> quote) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "host" -> target.host();
                case "port" -> Integer.toString(target.port());
                case "address" -> target.address();
                default -> throw new IllegalStateException("unchecked placeholder " + m.group()); // checked at construction
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(quote.apply(value)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Pattern compile(String what, String regex) {
        Objects.requireNonNull(regex, what);
        if (regex.isEmpty()) {
            throw new IllegalArgumentException("the '" + what + "' pattern is empty (it would match any output)");
        }
        try {
            return Pattern.compile(regex, Pattern.MULTILINE);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid '" + what + "' pattern '" + regex + "': " + e.getDescription());
        }
    }

    private static void checkLagGroups(Pattern p) {
        String s = p.pattern();
        if (!s.contains("(?<" + BYTES_GROUP + ">") && !s.contains("(?<" + SECONDS_GROUP + ">")) {
            throw new IllegalArgumentException("the 'lagPattern' '" + s + "' has no named group (?<" + BYTES_GROUP
                    + ">...) or (?<" + SECONDS_GROUP + ">...): it could not say what the lag is");
        }
    }

    private static String checkTemplate(String what, String t) {
        Objects.requireNonNull(t, what);
        if (t.isBlank() || t.indexOf('\0') >= 0 || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("the '" + what + "' command template must be one non-blank line "
                    + "without NUL");
        }
        Matcher m = PLACEHOLDER.matcher(t);
        while (m.find()) {
            if (!NAMES.contains(m.group(1))) {
                throw new IllegalArgumentException("the '" + what + "' command template uses the unknown placeholder "
                        + m.group() + " (allowed: " + String.join(", ", PLACEHOLDERS) + "; write other braces as "
                        + "{ ... } with spaces)");
            }
        }
        return t.strip();
    }
}
