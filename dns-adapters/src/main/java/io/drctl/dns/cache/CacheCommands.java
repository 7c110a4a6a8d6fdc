package io.drctl.dns.cache;

import io.drctl.dns.DnsNames;
import io.drctl.host.CommandRunner.OsFamily;
import io.drctl.host.Labelled;
import io.drctl.host.Shell;
import io.drctl.host.Values;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The command lines for detecting and flushing resolver caches and for resolving a name on a host, and the
 * parsers for their output. Every name is validated ({@link Values#hostname}) and quoted before it reaches a
 * command line.
 */
public final class CacheCommands {
    private CacheCommands() {
    }

    /**
     * A POSIX sh script printing one line per cache <em>this host's</em> resolver path uses: {@code systemd-resolved}
     * (resolvectl answers), {@code nscd} (its socket, which is what glibc consults, exists), {@code dnsmasq} (its
     * service is active, a pid file names a live dnsmasq, or dnsmasq is what listens on the local nameserver
     * address of /etc/resolv.conf), {@code unbound} (unbound-control reaches this host's daemon). Never by process
     * name alone: a host may show processes that are not its resolver (containers, libvirt's dnsmasq). Exit 0 even
     * when none is found.
     */
    public static String detectLinux() {
        return detectLinux(Optional.empty());
    }

    /** The same, with the inventory's pid file for the host's dnsmasq tried first. */
    public static String detectLinux(Optional<String> pidFile) {
        String pidFiles = pidFile.map(f -> Shell.quote(f) + " ").orElse("") + String.join(" ", DNSMASQ_PID_FILES);
        return "if command -v resolvectl >/dev/null 2>&1 && resolvectl status >/dev/null 2>&1; then echo systemd-resolved; fi; "
                + "if [ -S " + NSCD_SOCKETS.get(0) + " ] || [ -S " + NSCD_SOCKETS.get(1) + " ]; then echo nscd; fi; "
                + "if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dnsmasq.service 2>/dev/null; then echo dnsmasq; "
                + "else d=; for f in " + pidFiles + "; do "
                + "if [ -s \"$f\" ] && [ \"$(cat /proc/\"$(cat \"$f\")\"/comm 2>/dev/null)\" = dnsmasq ]; then d=1; break; fi; done; "
                + "if [ -z \"$d\" ] && [ -n \"$(" + LOCAL_LISTENER_PID.replace("NAME", "dnsmasq") + ")\" ]; then d=1; fi; "
                + "[ -n \"$d\" ] && echo dnsmasq; fi; "
                + "if command -v unbound-control >/dev/null 2>&1 && unbound-control status >/dev/null 2>&1; then echo unbound; fi; exit 0";
    }

    /** Where glibc looks for nscd's socket (the daemon of this host, whatever other nscd processes are visible). */
    static final List<String> NSCD_SOCKETS = List.of("/var/run/nscd/socket", "/run/nscd/socket");

    /** Invalidates this host's nscd hosts cache through its socket; exit 3, saying so, when this host runs no nscd. */
    static final String NSCD_FLUSH = "if [ -S " + NSCD_SOCKETS.get(0) + " ] || [ -S " + NSCD_SOCKETS.get(1) + " ]; "
            + "then nscd -i hosts && echo 'nscd: hosts cache invalidated'; exit $?; fi; "
            + "echo 'no nscd of this host: " + NSCD_SOCKETS.get(0) + " does not exist' >&2; exit 3";

    /** The kinds a detection run printed; unknown lines are ignored. */
    public static List<ResolverKind> parseDetected(String stdout) {
        Set<ResolverKind> out = new LinkedHashSet<>();
        for (String line : stdout.split("\\R")) {
            Labelled.find(ResolverKind.class, line.strip()).ifPresent(out::add);
        }
        return List.copyOf(out);
    }

    /**
     * The flush command for {@code kind}.
     *
     * @param zone  for unbound: flush the whole zone when given; otherwise each name
     * @param names the names about to be verified
     */
    public static String flush(ResolverKind kind, Optional<String> zone, List<String> names) {
        return flush(kind, zone, names, Optional.empty());
    }

    /** The same, with the host's own pid file for the cache (dnsmasq) tried first. */
    public static String flush(ResolverKind kind, Optional<String> zone, List<String> names, Optional<String> pidFile) {
        if (kind == ResolverKind.DNSMASQ && pidFile.isPresent()) {
            return DNSMASQ_FLUSH.replace("for f in ", "for f in " + Shell.quote(pidFile.get()) + " ");
        }
        return switch (kind) {
            case SYSTEMD_RESOLVED -> "resolvectl flush-caches";
            case NSCD -> NSCD_FLUSH;
            case DNSMASQ -> DNSMASQ_FLUSH;
            case UNBOUND -> zone.isPresent()
                    ? "unbound-control flush_zone " + Shell.quote(DnsNames.fqdn(zone.get()))
                    : String.join(" && ", names.stream().map(n -> "unbound-control flush " + Shell.quote(DnsNames.fqdn(n))).toList());
            case WINDOWS_DNS_CLIENT -> "try { Clear-DnsClientCache -ErrorAction Stop } catch { ipconfig /flushdns | Out-Null; "
                    + "if ($LASTEXITCODE -ne 0) { exit 1 } }";
        };
    }

    /**
     * Prints the pid of the process called NAME that listens on UDP port 53 at the first nameserver address of
     * /etc/resolv.conf when that is a local address: the cache this host's resolver path really uses.
     */
    static final String LOCAL_LISTENER_PID = "ns=$(awk '/^nameserver/ {print $2; exit}' /etc/resolv.conf 2>/dev/null); "
            + "case \"$ns\" in 127.*|::1) ss -lunpH 2>/dev/null | awk -v a=\"$ns:53\" -v b=\"[$ns]:53\" "
            + "'$4 == a || $4 == b || $4 == \"0.0.0.0:53\" || $4 == \"*:53\" || $4 == \"[::]:53\"' "
            + "| sed -n 's/.*\"NAME\",pid=\\([0-9]*\\).*/\\1/p' | head -n 1 ;; esac";

    /** Where dnsmasq writes its pid file: Debian's service, then the upstream default. */
    static final List<String> DNSMASQ_PID_FILES = List.of("/run/dnsmasq/dnsmasq.pid", "/var/run/dnsmasq/dnsmasq.pid",
            "/run/dnsmasq.pid", "/var/run/dnsmasq.pid");

    /**
     * SIGHUP to <em>this host's</em> dnsmasq, never to every process of that name (a host may run other
     * dnsmasq instances, e.g. libvirt's): the {@code dnsmasq.service} unit's main process when systemd runs
     * it, else the process named by the first pid file that points at a live dnsmasq. Exit 3, saying where
     * it looked, when there is none: the declared cache is not running.
     */
    static final String DNSMASQ_FLUSH = "if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dnsmasq.service 2>/dev/null; "
            + "then systemctl kill --kill-who=main -s HUP dnsmasq.service && echo 'dnsmasq.service: HUP'; exit $?; fi; "
            + "for f in " + String.join(" ", DNSMASQ_PID_FILES) + "; do "
            + "if [ -s \"$f\" ]; then p=$(cat \"$f\"); "
            + "if [ \"$(cat /proc/\"$p\"/comm 2>/dev/null)\" = dnsmasq ]; then kill -HUP \"$p\" && echo \"dnsmasq pid $p ($f): HUP\"; exit $?; fi; fi; "
            + "done; p=$(" + LOCAL_LISTENER_PID.replace("NAME", "dnsmasq") + "); "
            + "if [ -n \"$p\" ]; then kill -HUP \"$p\" && echo \"dnsmasq pid $p (listening on the resolv.conf nameserver): HUP\"; exit $?; fi; "
            + "echo 'no dnsmasq of this host: dnsmasq.service is not active, no pid file ("
            + String.join(", ", DNSMASQ_PID_FILES) + ") names a running dnsmasq, and none listens on the resolv.conf nameserver' >&2; exit 3";

    /** The command that resolves {@code name} to IPv4 addresses through the host's own resolver path. */
    public static String resolve(OsFamily os, String name) {
        String n = Values.hostname(name);
        return switch (os) {
            case LINUX -> "getent ahostsv4 " + Shell.quote(n);
            case WINDOWS -> "Resolve-DnsName -Name " + Shell.quotePowerShell(n) + " -Type A -DnsOnly -ErrorAction Stop"
                    + " | Where-Object { $_.Type -eq 'A' } | ForEach-Object { $_.IPAddress }";
        };
    }

    /**
     * The IPv4 addresses in resolver output: {@code getent ahostsv4} lines ({@code 10.0.0.1  STREAM name}),
     * bare address lines, or a {@code Resolve-DnsName} table ({@code name  A  5  Answer  10.0.0.1}; CNAME rows
     * skipped).
     */
    public static Set<String> parseAddresses(String stdout) {
        List<String> found = new ArrayList<>();
        for (String line : stdout.split("\\R")) {
            String[] tok = line.strip().split("\\s+");
            if (tok.length == 0 || tok[0].isEmpty()) {
                continue;
            }
            if (Values.isIpv4(tok[0])) {
                found.add(tok[0]); // getent ahostsv4 or a bare address
            } else if (tok.length >= 3 && List.of(tok).contains("A") && Values.isIpv4(tok[tok.length - 1])) {
                found.add(tok[tok.length - 1]); // Resolve-DnsName table row of type A
            }
        }
        return DnsNames.sorted(found);
    }
}
