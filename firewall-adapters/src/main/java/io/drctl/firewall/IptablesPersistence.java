package io.drctl.firewall;

import io.drctl.firewall.IptablesBackend.Persistence;
import io.drctl.host.CommandResult;
import io.drctl.host.Shell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a reboot brings back on an iptables host: the boot-time rules files of the first {@link Persistence}
 * candidate that exists there, read and analysed like the live rules, and written with
 * {@code iptables-save}/{@code ip6tables-save} (atomically: write, then rename).
 */
final class IptablesPersistence {

    private static final String FILE_MARK = "drctl-file: ";

    private final HostCommands cmd;
    private final List<Persistence> persistence;

    /** @param persistence candidates, in order; none: never persist */
    IptablesPersistence(HostCommands cmd, List<Persistence> persistence) {
        this.cmd = cmd;
        this.persistence = List.copyOf(persistence);
    }

    /** The first candidate whose files exist, with their contents ({@code null} values: file absent); null: none exists. */
    record SavedFiles(Persistence where, String v4, String v6) {
    }

    /** The command that prints every candidate file that exists, each after a mark; empty: no candidates. */
    Optional<String> readCommand() {
        if (persistence.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder files = new StringBuilder();
        for (Persistence p : persistence) {
            files.append(' ').append(Shell.quote(p.v4File())).append(' ').append(Shell.quote(p.v6File()));
        }
        return Optional.of("for f in" + files + "; do if [ -f \"$f\" ]; then echo \"" + FILE_MARK + "$f\"; cat -- \"$f\"; fi; done");
    }

    /** What {@link #readCommand} printed; null when no candidate exists (or there are none). */
    SavedFiles parse(Optional<CommandResult> read) throws FirewallException {
        if (read.isEmpty()) {
            return null;
        }
        CommandResult r = read.get();
        if (!r.succeeded()) {
            throw cmd.failure(r, "reading the persisted rules");
        }
        Map<String, StringBuilder> content = new LinkedHashMap<>();
        StringBuilder current = null;
        for (String line : r.stdout().split("\\R")) {
            if (line.startsWith(FILE_MARK)) {
                current = content.computeIfAbsent(line.substring(FILE_MARK.length()), k -> new StringBuilder());
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        for (Persistence p : persistence) {
            if (content.containsKey(p.v4File()) || content.containsKey(p.v6File())) {
                StringBuilder v4 = content.get(p.v4File());
                StringBuilder v6 = content.get(p.v6File());
                return new SavedFiles(p, v4 == null ? null : v4.toString(), v6 == null ? null : v6.toString());
            }
        }
        return null;
    }

    /** What a reboot would bring back for {@code fence}, from the files read. */
    FencePersistence analyse(Fence fence, SavedFiles saved) throws FirewallException {
        if (saved == null) {
            return FencePersistence.none("the host has no firewall persistence (none of "
                    + persistence.stream().map(Persistence::v4File).toList() + " exists); a reboot loses the live rules");
        }
        List<String> where = new ArrayList<>();
        List<Cidr> blocked = new ArrayList<>();
        List<String> rules = new ArrayList<>();
        for (String family : List.of("ipv4", "ipv6")) {
            boolean v6 = family.equals("ipv6");
            String text = v6 ? saved.v6() : saved.v4();
            if (text == null) {
                continue;
            }
            where.add(v6 ? saved.where().v6File() : saved.where().v4File());
            List<Cidr> sources = v6 ? fence.ipv6Sources() : fence.ipv4Sources();
            IptablesRuleset.Found f = IptablesRuleset.parse(text, v6, cmd.target()).analyze(sources, fence.port(), fence.tag(), family);
            sources.stream().filter(c -> f.blocking().stream().anyMatch(b -> b.blocksAll(c))).forEach(blocked::add);
            f.blocking().forEach(b -> rules.add(b.text()));
        }
        return new FencePersistence(FencePersistence.State.SAVED, where, blocked, rules, "");
    }

    /**
     * The commands that save the live IPv4 and IPv6 rule sets where the host persists them (atomically: write,
     * then rename); none when the host has no persistence drctl knows.
     */
    List<String> saveCommands(SavedFiles saved) {
        List<String> out = new ArrayList<>();
        if (saved != null && saved.v4() != null) {
            out.add(saveCommand("iptables-save", saved.where().v4File()));
        }
        if (saved != null && saved.v6() != null) {
            out.add(saveCommand("ip6tables-save", saved.where().v6File()));
        }
        return out;
    }

    private static String saveCommand(String tool, String file) {
        String f = Shell.quote(file);
        String tmp = Shell.quote(file + ".drctl-tmp");
        return tool + " > " + tmp + " && mv -f " + tmp + " " + f;
    }

    /** What a failed save says: which file. */
    static String saving(String saveCommand) {
        return "persisting rules to " + saveCommand.substring(saveCommand.lastIndexOf(' ') + 1).replace("'", "");
    }
}
