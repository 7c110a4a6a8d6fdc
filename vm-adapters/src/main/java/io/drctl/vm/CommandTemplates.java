package io.drctl.vm;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Command lines that drive a VM platform's CLI ({@code govc}, {@code virsh}, {@code aws ec2}, {@code az vm},
 * Hyper-V PowerShell, the lab's {@code lab/vmctl}). Each template may contain the placeholder {@value #ID};
 * it is replaced by the {@link VmRef#id()} — a value already validated to {@code [A-Za-z0-9][A-Za-z0-9_.-]*},
 * which is one literal word in POSIX sh and PowerShell alike. No other placeholder exists; any other text is
 * passed as written (braces of a PowerShell script block included).
 *
 * @param start   powers the VM on; exit 0 = accepted
 * @param stop    powers the VM off; exit 0 = accepted
 * @param status  prints the power state; must exit 0
 * @param running matched ({@link java.util.regex.Matcher#find()}, multi-line) against status output: running
 * @param stopped matched against status output when {@code running} did not match: stopped
 */
public record CommandTemplates(String start, String stop, String status, Pattern running, Pattern stopped) {

    /** The only placeholder. */
    public static final String ID = "{id}";

    public CommandTemplates {
        start = checkTemplate("start", start);
        stop = checkTemplate("stop", stop);
        status = checkTemplate("status", status);
        Objects.requireNonNull(running, "running");
        Objects.requireNonNull(stopped, "stopped");
    }

    /**
     * Templates with patterns given as regex strings, compiled with {@link Pattern#MULTILINE} so that
     * {@code ^running} matches at the start of any output line.
     */
    public static CommandTemplates of(String start, String stop, String status, String running, String stopped) {
        return new CommandTemplates(start, stop, status, compile("running", running), compile("stopped", stopped));
    }

    /** The command line for {@code template} with {@value #ID} replaced by the VM's validated id. */
    public static String render(String template, VmRef vm) {
        return template.replace(ID, vm.id());
    }

    private static Pattern compile(String what, String regex) {
        Objects.requireNonNull(regex, what);
        try {
            return Pattern.compile(regex, Pattern.MULTILINE);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid '" + what + "' pattern '" + regex + "': " + e.getDescription());
        }
    }

    private static String checkTemplate(String what, String t) {
        Objects.requireNonNull(t, what);
        if (t.isBlank() || t.indexOf('\0') >= 0 || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("'" + what + "' command template must be one non-blank line without "
                    + "NUL: '" + t + "'");
        }
        return t.strip();
    }
}
