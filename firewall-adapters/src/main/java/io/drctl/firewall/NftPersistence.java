package io.drctl.firewall;

import io.drctl.firewall.NftablesBackend.Persistence;
import io.drctl.host.CommandResult;
import io.drctl.host.Shell;
import java.util.List;
import java.util.Objects;

/**
 * What a reboot brings back on an nftables host, read rather than guessed: the host's boot-time file (the first
 * {@link Persistence} candidate that exists) is loaded in a throw-away network namespace ({@code unshare -n nft -f})
 * and analysed like the live ruleset. Persisting writes drctl's table to a file of its own and adds one
 * {@code include} line for it to the host's file; the operator's file is never otherwise rewritten.
 */
final class NftPersistence {

    private static final String CONF_MARK = "drctl-conf: ";
    private static final String BOOT_MARK = "drctl-boot: ";

    private final HostCommands cmd;
    private final List<Persistence> persistence;

    /** @param persistence candidates, in order; none: never persist */
    NftPersistence(HostCommands cmd, List<Persistence> persistence) {
        this.cmd = cmd;
        this.persistence = List.copyOf(Objects.requireNonNull(persistence, "persistence"));
    }

    /** Finds the host's boot-time file and lists what loading it would give, in a throw-away network namespace. */
    static String bootCommand(List<Persistence> candidates) {
        StringBuilder files = new StringBuilder();
        candidates.forEach(p -> files.append(' ').append(Shell.quote(p.confFile())));
        String inner = "out=$(nft -f \"$1\" 2>&1 >/dev/null) || { echo \"" + BOOT_MARK + "failed: $(printf '%s' \"$out\" | head -n 1)\"; exit 0; }; "
                + "echo '" + BOOT_MARK + "loaded'; " + NftRuleset.listCommand();
        return "c=; for f in" + files + "; do if [ -f \"$f\" ]; then c=$f; break; fi; done; "
                + "if [ -z \"$c\" ]; then echo '" + CONF_MARK + "none'; exit 0; fi; echo \"" + CONF_MARK + "$c\"; "
                + "unshare -n sh -c " + Shell.quote(inner) + " drctl-boot \"$c\"";
    }

    FencePersistence read(Fence fence) throws FirewallException {
        if (persistence.isEmpty()) {
            return FencePersistence.none("no boot-time nft file configured for this host; a reboot loses the live rules");
        }
        CommandResult r = cmd.run(bootCommand(persistence), "reading the boot-time nft ruleset");
        String out = r.stdout();
        String conf = out.lines().filter(l -> l.startsWith(CONF_MARK)).map(l -> l.substring(CONF_MARK.length())).findFirst().orElse(null);
        if (conf == null) {
            return FencePersistence.unknown("could not look for " + persistence.stream().map(Persistence::confFile).toList()
                    + " (exit " + r.exitCode() + "): " + r.lastLine());
        }
        if (conf.equals("none")) {
            return FencePersistence.none("the host has no nftables boot file (none of "
                    + persistence.stream().map(Persistence::confFile).toList() + " exists); a reboot loses the live rules");
        }
        Persistence p = persistence.stream().filter(x -> x.confFile().equals(conf)).findFirst().orElseThrow();
        int boot = out.indexOf(BOOT_MARK);
        if (boot < 0) {
            return FencePersistence.unknown("could not load " + conf + " in a scratch network namespace (unshare -n; exit "
                    + r.exitCode() + "): " + r.lastLine());
        }
        String status = out.substring(boot + BOOT_MARK.length()).lines().findFirst().orElse("");
        if (!status.equals("loaded")) {
            return FencePersistence.unknown("loading " + conf + " in a scratch network namespace " + status);
        }
        NftRuleset saved = NftRuleset.parseListing(out.substring(out.indexOf('\n', boot) + 1), cmd.target());
        NftRuleset.Found f = saved.analyze(fence.sources(), fence.port(), fence.tag());
        List<Cidr> blocked = fence.sources().stream().filter(c -> f.blocking().stream().anyMatch(b -> b.blocksAll(c))).toList();
        List<String> texts = FenceProbe.distinct(f.blocking()).stream().map(BlockingRule::text).toList();
        return new FencePersistence(FencePersistence.State.SAVED, List.of(p.confFile(), p.includeFile()), blocked, texts, "");
    }

    /**
     * Writes drctl's live table to the include file (atomically) and makes the boot file include it.
     *
     * @return what a reboot would now bring (SAVED), or NONE when the host has no boot file
     */
    FencePersistence persist(Fence fence) throws FirewallException {
        FencePersistence now = read(fence);
        if (now.state() != FencePersistence.State.SAVED) {
            return now;
        }
        Persistence p = persistence.stream().filter(x -> x.confFile().equals(now.where().get(0))).findFirst().orElseThrow();
        cmd.require(persistCommand(p), "persisting " + NftablesBackend.TABLE + " to " + p.includeFile());
        return read(fence);
    }

    static String persistCommand(Persistence p) {
        String inc = Shell.quote(p.includeFile());
        String tmp = Shell.quote(p.includeFile() + ".drctl-tmp");
        String conf = Shell.quote(p.confFile());
        String confTmp = Shell.quote(p.confFile() + ".drctl-tmp");
        String include = "include \"" + p.includeFile() + "\"";
        return "mkdir -p \"$(dirname " + inc + ")\" && "
                + "{ printf '%s\\n' " + Shell.quote("# drctl's fences, written by drctl; included from " + p.confFile())
                + " 'add table " + NftablesBackend.TABLE + "' 'delete table " + NftablesBackend.TABLE + "' && "
                + "if nft list tables | grep -qx 'table " + NftablesBackend.TABLE + "'; then nft -s list table " + NftablesBackend.TABLE + "; fi; } > " + tmp
                + " && mv -f " + tmp + " " + inc + " && "
                + "if ! grep -qxF " + Shell.quote(include) + " " + conf + "; then cp -p " + conf + " " + confTmp + " && "
                + "printf '\\n%s\\n%s\\n' " + Shell.quote("# drctl fences (drctl keeps this file up to date)") + " " + Shell.quote(include)
                + " >> " + confTmp + " && mv -f " + confTmp + " " + conf + "; fi";
    }
}
