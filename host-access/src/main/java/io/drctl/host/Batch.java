package io.drctl.host;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several POSIX shell commands in one round trip: one script that runs each command in its own
 * subshell, in order, and marks where each one's stdout and stderr begin and what it exited with, so
 * that the caller gets one {@link CommandResult} per command, exactly as if it had run them one by one
 * (every command runs, whatever the others exited with). Over SSH each command costs a channel open,
 * a shell start and a round trip; a probe that lists three things costs one instead of three.
 *
 * <p>The markers carry a random nonce, so no command's output can forge them. Test doubles that answer
 * by command text use {@link #commandsOf} and {@link #compose} to answer a batch command by command.
 */
public final class Batch {
    private static final String HEADER = ": drctl-batch ";
    private static final Pattern HEADER_LINE = Pattern.compile("^: drctl-batch ([0-9a-f]{16})\n");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Batch() {
    }

    /**
     * Runs {@code commands} on {@code runner} in one call bounded by {@code timeout}; one result per
     * command, in order. A single command runs as itself.
     */
    public static List<CommandResult> run(CommandRunner runner, List<String> commands, Duration timeout)
            throws HostAccessException {
        if (commands.size() == 1) {
            return List.of(runner.run(commands.get(0), timeout));
        }
        String nonce = nonce();
        CommandResult all = runner.run(script(commands, nonce), timeout);
        return split(all, commands.size(), nonce).orElseThrow(() -> new HostAccessException(HostAccessException.Kind.IO,
                runner.describe(), "a batch of " + commands.size() + " commands ended without reporting each one's exit"
                + " (exit " + all.exitCode() + ": " + all.lastLine() + "); expected a POSIX shell on the host"));
    }

    private static String nonce() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The script that runs {@code commands} with markers carrying {@code nonce} (16 hex digits). */
    public static String script(List<String> commands, String nonce) {
        StringBuilder s = new StringBuilder(HEADER).append(nonce).append('\n');
        for (int i = 0; i < commands.size(); i++) {
            s.append("printf '\\n%s\\n' '").append(marker(nonce, i, "err")).append("' >&2; (\n")
                    .append(commands.get(i)).append("\n); printf '\\n%s %d\\n' '").append(marker(nonce, i, "rc")).append("' $?\n");
        }
        return s.append("printf '\\n%s\\n' '").append(marker(nonce, commands.size(), "err")).append("' >&2\n").toString();
    }

    /** The commands of a batch script, when {@code command} is one. */
    public static Optional<List<String>> commandsOf(String command) {
        Matcher h = HEADER_LINE.matcher(command);
        if (!h.find()) {
            return Optional.empty();
        }
        String nonce = h.group(1);
        List<String> out = new ArrayList<>();
        String n = Pattern.quote(nonce);
        Pattern one = Pattern.compile("printf '\\\\n%s\\\\n' '" + n + ":\\d+:err' >&2; \\(\n(.*?)\n\\); printf '\\\\n%s %d\\\\n' '"
                + n + ":\\d+:rc' \\$\\?\n", Pattern.DOTALL);
        Matcher m = one.matcher(command);
        while (m.find()) {
            out.add(m.group(1));
        }
        return Optional.of(out);
    }

    /** What a batch script prints when its commands give {@code results} (for test doubles). */
    public static CommandResult compose(String command, List<CommandResult> results) {
        String nonce = HEADER_LINE.matcher(command).results().findFirst().orElseThrow().group(1);
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        Duration elapsed = Duration.ZERO;
        for (int i = 0; i < results.size(); i++) {
            CommandResult r = results.get(i);
            err.append('\n').append(marker(nonce, i, "err")).append('\n').append(r.stderr());
            out.append(r.stdout()).append('\n').append(marker(nonce, i, "rc")).append(' ').append(r.exitCode()).append('\n');
            elapsed = elapsed.plus(r.elapsed());
        }
        err.append('\n').append(marker(nonce, results.size(), "err")).append('\n');
        return new CommandResult(0, out.toString(), err.toString(), elapsed);
    }

    static Optional<List<CommandResult>> split(CommandResult all, int n, String nonce) {
        List<CommandResult> out = new ArrayList<>();
        String stdout = all.stdout();
        String stderr = all.stderr();
        int outFrom = 0;
        for (int i = 0; i < n; i++) {
            String rc = "\n" + marker(nonce, i, "rc") + " ";
            int at = stdout.indexOf(rc, outFrom);
            String errStart = "\n" + marker(nonce, i, "err") + "\n";
            String errEnd = "\n" + marker(nonce, i + 1, "err") + "\n";
            int e0 = stderr.indexOf(errStart);
            int e1 = stderr.indexOf(errEnd);
            if (at < 0 || e0 < 0 || e1 < e0) {
                return Optional.empty();
            }
            int eol = stdout.indexOf('\n', at + rc.length());
            int exit;
            try {
                exit = Integer.parseInt(stdout.substring(at + rc.length(), eol < 0 ? stdout.length() : eol).strip());
            } catch (NumberFormatException x) {
                return Optional.empty();
            }
            out.add(new CommandResult(exit, stdout.substring(outFrom, at), stderr.substring(e0 + errStart.length(), e1),
                    i == 0 ? all.elapsed() : Duration.ZERO));
            outFrom = eol < 0 ? stdout.length() : eol + 1;
        }
        return Optional.of(out);
    }

    private static String marker(String nonce, int i, String what) {
        return nonce + ":" + i + ":" + what;
    }
}
