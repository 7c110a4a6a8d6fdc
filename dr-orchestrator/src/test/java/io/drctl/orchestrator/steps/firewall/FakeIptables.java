package io.drctl.orchestrator.steps.firewall;

import io.drctl.orchestrator.steps.ScriptedRunner;
import io.drctl.orchestrator.steps.ShellWords;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The filter table of one host, as the iptables commands drctl sends see it: {@code -S} lists INPUT the way
 * iptables prints it (options in iptables' order, {@code -m tcp} added, the comment double-quoted); {@code -C},
 * {@code -I} and {@code -D} check, insert and delete; {@code iptables-save > file} persists when the host has
 * netfilter-persistent's file; conntrack is absent; the runner is root. ip6tables has no rules.
 */
final class FakeIptables {
    static final String RULES_V4 = "/etc/iptables/rules.v4";

    final List<String> input = Collections.synchronizedList(new ArrayList<>());
    /** The persisted rules file's INPUT lines, or null when the host has no persistence. */
    List<String> persisted;

    FakeIptables(String... lines) {
        input.addAll(List.of(lines));
    }

    /** Serves this table's commands on {@code host}. */
    void install(ScriptedRunner host) {
        host.on(c -> c.equals("iptables -w -S"), c -> ScriptedRunner.ok(listing(input)));
        host.on(c -> c.equals("ip6tables -w -S"), c -> ScriptedRunner.ok("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"));
        host.on(c -> c.startsWith("for f in ") && c.contains(RULES_V4), c -> ScriptedRunner.ok(persisted == null ? ""
                : "drctl-file: " + RULES_V4 + "\n*filter\n:INPUT ACCEPT [0:0]\n" + String.join("\n", persisted) + "\nCOMMIT\n"));
        host.on(c -> c.startsWith("iptables-save > "), c -> {
            persisted = List.copyOf(input);
            return ScriptedRunner.ok("");
        });
        host.on(c -> c.startsWith("if command -v conntrack"), c -> ScriptedRunner.ok("drctl-conntrack: absent\n"));
        host.on(c -> c.equals("id -u"), c -> ScriptedRunner.ok("0\n"));
        host.on(c -> c.startsWith("iptables -w -C INPUT "), c -> ScriptedRunner.result(
                input.contains(line(ShellWords.split(c.substring("iptables -w -C INPUT ".length())))) ? 0 : 1, "", ""));
        host.on(c -> c.startsWith("iptables -w -I INPUT "), c -> {
            List<String> w = ShellWords.split(c.substring("iptables -w -I INPUT ".length()));
            int pos = Integer.parseInt(w.get(0));
            synchronized (input) {
                input.add(Math.min(pos - 1, input.size()), line(w.subList(1, w.size())));
            }
            return ScriptedRunner.ok("");
        });
        host.on(c -> c.startsWith("iptables -w -D INPUT "), c -> ScriptedRunner.result(
                input.remove(line(ShellWords.split(c.substring("iptables -w -D INPUT ".length())))) ? 0 : 1, "",
                "iptables: Bad rule (does a matching rule exist in that chain?)."));
    }

    static String listing(List<String> lines) {
        StringBuilder s = new StringBuilder("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n");
        synchronized (lines) {
            lines.forEach(l -> s.append(l).append('\n'));
        }
        return s.toString();
    }

    /** Whether a listed rule rejects or drops {@code port} (any source): what a connect from a fenced source meets. */
    boolean blocks(int port) {
        synchronized (input) {
            return input.stream().anyMatch(l -> l.contains("--dport " + port + " ") && (l.contains("-j REJECT") || l.contains("-j DROP")));
        }
    }

    /** The rule as {@code iptables -S} prints it: drctl's option order normalised the way iptables does. */
    static String line(List<String> spec) {
        if (!spec.contains("--dport") || spec.contains("tcp") && spec.indexOf("-m") >= 0 && spec.get(spec.indexOf("-m") + 1).equals("tcp")) {
            return "-A INPUT " + join(spec); // already in listed form
        }
        java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < spec.size(); i++) {
            if (spec.get(i).startsWith("-")) {
                o.put(spec.get(i), spec.get(i + 1));
            }
        }
        return "-A INPUT -s " + o.get("-s") + " -p " + o.get("-p") + " -m " + o.get("-p") + " --dport " + o.get("--dport")
                + (o.containsKey("--comment") ? " -m comment --comment \"" + o.get("--comment") + "\"" : "")
                + " -j " + o.get("-j") + (o.containsKey("--reject-with") ? " --reject-with " + o.get("--reject-with") : "");
    }

    private static String join(List<String> words) {
        return String.join(" ", words.stream().map(w -> w.contains(" ") || w.startsWith("drctl:") ? "\"" + w + "\"" : w).toList());
    }
}
