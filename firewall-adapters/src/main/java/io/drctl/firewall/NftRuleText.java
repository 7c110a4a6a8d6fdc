package io.drctl.firewall;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of drctl's nft rules: the rule body written ({@link #ruleBody}) and, as {@code nft -a list} prints it
 * back, read into a {@link FirewallRule} (ref = handle).
 */
final class NftRuleText {

    private static final Pattern RULE = Pattern.compile(
            "^\\s*(ip|ip6) saddr (\\S+) (tcp) dport (\\d{1,5})(?: counter(?: packets \\d+ bytes \\d+)?)? reject with tcp reset"
                    + " comment \"([^\"]*)\" # handle (\\d+)\\s*$");
    private static final Pattern ANY_RULE_LINE = Pattern.compile("^\\s*+(?!chain |table |type |policy ).*# handle \\d+\\s*$");

    private NftRuleText() {
    }

    /** The rule body after {@code add rule inet drctl input}. */
    static String ruleBody(Fence fence, Cidr c) {
        return (c.isIpv6() ? "ip6" : "ip") + " saddr " + c + " " + fence.protocol().keyword() + " dport " + fence.port()
                + " counter reject with tcp reset comment \"" + fence.tag() + "\"";
    }

    /** One listed rule line tagged {@code drctl:fence:<fenceName>} as a {@link FirewallRule} (ref = handle). */
    static FirewallRule parseTagged(String line, String fenceName, String target) throws FirewallException {
        String tag = Fence.TAG_PREFIX + fenceName;
        Matcher m = RULE.matcher(line);
        if (!m.matches()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "a rule tagged " + tag + " is not a rule drctl would write: " + line.strip());
        }
        Cidr source;
        try {
            source = Cidr.parse(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "cannot read the source of rule tagged " + tag + ": " + line.strip(), e);
        }
        if (source.isIpv6() != m.group(1).equals("ip6")) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target, "address family mismatch: " + line.strip());
        }
        return new FirewallRule(fenceName, Fence.Protocol.TCP, Integer.parseInt(m.group(4)), source, m.group(6));
    }

    /** Rules of a listed table tagged exactly {@code drctl:fence:<fenceName>}; ref = nft handle. */
    static List<FirewallRule> parseTable(String table, String fenceName, String target) throws FirewallException {
        List<FirewallRule> out = new ArrayList<>();
        if (table == null) {
            return out;
        }
        String tag = Fence.TAG_PREFIX + fenceName;
        for (String line : table.split("\\R")) {
            if (line.contains("comment \"" + tag + "\"")) {
                out.add(parseTagged(line, fenceName, target));
            }
        }
        return out;
    }

    /** Number of rules (of any fence, or hand-made) in the listed table. */
    static int countRules(String table) {
        int n = 0;
        for (String line : table.split("\\R")) {
            if (ANY_RULE_LINE.matcher(line).matches()) {
                n++;
            }
        }
        return n;
    }
}
