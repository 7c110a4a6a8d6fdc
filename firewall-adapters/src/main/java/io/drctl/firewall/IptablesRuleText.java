package io.drctl.firewall;

import io.drctl.host.Shell;
import java.util.ArrayList;
import java.util.List;

/**
 * The text of iptables rules: drctl's rule specification as written ({@link #ruleSpec}), and {@code iptables -S}
 * lines read back (split into words, drctl's tagged rules parsed, a listed rule's specification re-quoted for
 * {@code -D}/{@code -I}).
 */
final class IptablesRuleText {

    private IptablesRuleText() {
    }

    /** The words after {@code -A CHAIN} of a listed rule line, each shell-quoted. */
    static String specOf(String line) {
        try {
            List<String> words = words(line, "rule");
            StringBuilder ref = new StringBuilder();
            for (String w : words.subList(2, words.size())) {
                ref.append(ref.length() == 0 ? "" : " ").append(Shell.quote(w));
            }
            return ref.toString();
        } catch (FirewallException e) {
            throw new IllegalArgumentException("not a listed rule: " + line, e);
        }
    }

    /** The rule specification after {@code -A INPUT}, every word shell-safe (values validated, tag quoted). */
    static String ruleSpec(Fence fence, Cidr source) {
        return "-p " + fence.protocol().keyword() + " -s " + source + " --dport " + fence.port()
                + " -m comment --comment " + Shell.quote(fence.tag()) + " -j REJECT --reject-with tcp-reset";
    }

    static String binary(Cidr c) {
        return c.isIpv6() ? "ip6tables" : "iptables";
    }

    /**
     * Finds the rules tagged exactly {@code drctl:fence:<fenceName>} in {@code iptables -S} output (INPUT only).
     * The {@link FirewallRule#ref()} of each is its specification as listed, shell-quoted word by word.
     */
    static List<FirewallRule> parseListing(String listing, String fenceName, String target) throws FirewallException {
        String tag = Fence.TAG_PREFIX + fenceName;
        List<FirewallRule> out = new ArrayList<>();
        for (String line : listing.split("\\R")) {
            if (!line.startsWith("-A INPUT ")) {
                continue;
            }
            List<String> words = words(line, target);
            if (tag.equals(valueOf(words.subList(2, words.size()), "--comment"))) {
                out.add(parseTagged(line, false, fenceName, target));
            }
        }
        return out;
    }

    /** One rule line tagged {@code drctl:fence:<fenceName>} as a {@link FirewallRule}. */
    static FirewallRule parseTagged(String line, boolean ipv6, String fenceName, String target) throws FirewallException {
        String tag = Fence.TAG_PREFIX + fenceName;
        List<String> words = words(line, target);
        List<String> spec = words.subList(2, words.size());
        String proto = valueOf(spec, "-p");
        String dport = valueOf(spec, "--dport");
        String src = valueOf(spec, "-s");
        String verdict = valueOf(spec, "-j");
        if (!"tcp".equals(proto) || dport == null || !dport.matches("\\d{1,5}") || !"REJECT".equals(verdict)) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "a rule tagged " + tag + " is not a TCP port REJECT rule drctl would write: " + line);
        }
        Cidr source;
        try {
            source = Cidr.parse(src == null ? (ipv6 ? "::/0" : "0.0.0.0/0") : src);
        } catch (IllegalArgumentException e) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "cannot read the source of rule tagged " + tag + ": " + line, e);
        }
        return new FirewallRule(fenceName, Fence.Protocol.TCP, Integer.parseInt(dport), source, specOf(line));
    }

    private static String valueOf(List<String> spec, String option) {
        for (int i = 0; i + 1 < spec.size(); i++) {
            if (spec.get(i).equals(option)) {
                return spec.get(i + 1);
            }
        }
        return null;
    }

    /** Splits one {@code iptables -S} line into words; double-quoted words (comments) may hold spaces and \" escapes. */
    static List<String> words(String line, String target) throws FirewallException {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inQuotes = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (inQuotes) {
                if (ch == '\\' && i + 1 < line.length()) {
                    w.append(line.charAt(++i));
                } else if (ch == '"') {
                    inQuotes = false;
                } else {
                    w.append(ch);
                }
            } else if (ch == '"') {
                inQuotes = true;
                any = true;
            } else if (ch == ' ') {
                if (any) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(ch);
                any = true;
            }
        }
        if (inQuotes) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target, "unbalanced quote in: " + line);
        }
        if (any) {
            out.add(w.toString());
        }
        return out;
    }
}
