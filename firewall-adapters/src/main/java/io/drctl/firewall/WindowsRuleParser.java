package io.drctl.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads drctl's rules out of Windows Firewall listings (cmdlet JSON and netsh text). */
final class WindowsRuleParser {
    private WindowsRuleParser() {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses the probe script's {@code ConvertTo-Json} output: an array (or, from older PowerShell, a single
     * object, or nothing at all) of objects with Name, Enabled, Direction, Action, Protocol, LocalPort,
     * RemoteAddress. Enum values may be names ("Inbound") or their numbers (1) depending on the PowerShell version.
     */
    static List<FirewallRule> parseCmdletJson(String json, String fenceName, String target) throws FirewallException {
        List<FirewallRule> out = new ArrayList<>();
        JsonNode root = readJson(json, target);
        List<JsonNode> items = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(items::add);
        } else if (root.isObject()) {
            items.add(root);
        } else if (!root.isNull() && !root.isMissingNode()) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "rule listing is neither an array nor an object: " + abbreviate(json.strip()));
        }
        String prefix = "drctl-fence-" + fenceName + "-";
        for (JsonNode n : items) {
            String name = n.path("Name").asText("");
            if (!isRuleNameOf(name, prefix)) {
                continue;
            }
            boolean active = truthy(n.path("Enabled"))
                    && matchesEnum(n.path("Direction"), "Inbound", 1)
                    && matchesEnum(n.path("Action"), "Block", 4);
            String protocol = n.path("Protocol").asText("");
            List<String> ports = WindowsRuleDefinition.texts(n.path("LocalPort"));
            List<String> remotes = WindowsRuleDefinition.texts(n.path("RemoteAddress"));
            out.addAll(toRules(fenceName, name, active, protocol, ports, remotes, target));
        }
        return out;
    }

    /** Every rule of the probe script's {@code ConvertTo-Json} output, with its full definition. */
    static List<WindowsRuleDefinition> definitionsFromJson(String json, String target) throws FirewallException {
        List<WindowsRuleDefinition> out = new ArrayList<>();
        JsonNode root = readJson(json, target);
        for (JsonNode n : root.isArray() ? root : List.of(root)) {
            if (n.isNull() || n.isMissingNode()) {
                continue;
            }
            try {
                out.add(WindowsRuleDefinition.fromNode(n));
            } catch (IllegalArgumentException e) {
                throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target, e.getMessage(), e);
            }
        }
        return out;
    }

    /** The probe script's JSON; nothing at all (no rule, older PowerShell) reads as a missing node. */
    private static JsonNode readJson(String json, String target) throws FirewallException {
        String t = json == null ? "" : json.strip();
        if (t.isEmpty()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(t);
        } catch (Exception e) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target, "rule listing is not JSON: " + abbreviate(t), e);
        }
    }

    /** Every rule of {@code netsh advfirewall firewall show rule name=all dir=in verbose} output (English), with its definition. */
    static List<WindowsRuleDefinition> definitionsFromNetsh(String text) {
        List<WindowsRuleDefinition> out = new ArrayList<>();
        for (Map<String, String> b : netshBlocks(text)) {
            String dir = b.getOrDefault("Direction", "");
            out.add(new WindowsRuleDefinition(b.get("Rule Name"), b.get("Rule Name"), b.getOrDefault("Description", ""),
                    b.getOrDefault("Grouping", ""), "Yes".equalsIgnoreCase(b.get("Enabled")), b.getOrDefault("Profiles", "Any"),
                    dir.equalsIgnoreCase("In") ? "Inbound" : dir.equalsIgnoreCase("Out") ? "Outbound" : dir, b.getOrDefault("Action", ""),
                    b.getOrDefault("Protocol", ""), split(b.get("LocalPort")), split(b.get("RemotePort")), split(b.get("LocalIP")),
                    split(b.get("RemoteIP")), b.getOrDefault("Program", "Any")));
        }
        return out;
    }

    private static List<String> split(String v) {
        return v == null ? List.of() : List.of(v.split(","));
    }

    /** What the analysis of a rule listing found. */
    record Found(List<BlockingRule> blocking, List<BlockingRule> alsoBlocking) {
    }

    /**
     * The enabled inbound Block rules, whoever wrote them, that block TCP to {@code fence}'s port (local port includes it)
     * from (part of) a source (remote address overlaps it); one entry per rule and source network. A Block rule with
     * local port Any blocks every port: "also blocking". Windows Firewall lets Block win over Allow, so every such rule
     * is effective. Origin DRCTL for this fence's rule names.
     */
    static Found analyze(List<WindowsRuleDefinition> rules, Fence fence) {
        List<BlockingRule> blocking = new ArrayList<>();
        List<BlockingRule> also = new ArrayList<>();
        String prefix = fence.windowsRulePrefix();
        int position = 0;
        for (WindowsRuleDefinition d : rules) {
            position++;
            if (!d.blocksInbound() || !d.tcpPossible() || !(d.anyLocalPort() || d.localPortIncludes(fence.port()))) {
                continue;
            }
            BlockingRule.Origin origin = isRuleNameOf(d.name(), prefix) ? BlockingRule.Origin.DRCTL : BlockingRule.Origin.FOREIGN;
            List<Cidr> reported = new ArrayList<>();
            for (Cidr c : fence.sources()) {
                for (AddressSpan s : d.remoteSpans(c.isIpv6())) {
                    if (!s.overlaps(AddressSpan.of(c))) {
                        continue;
                    }
                    Cidr shown = s.reportFor(c);
                    if (!reported.contains(shown)) {
                        reported.add(shown);
                        (d.anyLocalPort() ? also : blocking).add(
                                new BlockingRule("windows", "any", "", "inbound", position, d.toJson(), shown, origin, true));
                    }
                }
            }
        }
        return new Found(blocking, also);
    }

    /** Parses {@code netsh advfirewall firewall show rule name=all [verbose]} output (English). */
    static List<FirewallRule> parseNetsh(String text, String fenceName, String target) throws FirewallException {
        List<FirewallRule> out = new ArrayList<>();
        String prefix = "drctl-fence-" + fenceName + "-";
        for (Map<String, String> block : netshBlocks(text)) {
            String name = block.getOrDefault("Rule Name", "");
            if (!isRuleNameOf(name, prefix)) {
                continue;
            }
            boolean active = "Yes".equalsIgnoreCase(block.get("Enabled"))
                    && "In".equalsIgnoreCase(block.get("Direction"))
                    && "Block".equalsIgnoreCase(block.get("Action"));
            List<String> ports = List.of(block.getOrDefault("LocalPort", "Any").split(","));
            List<String> remotes = List.of(block.getOrDefault("RemoteIP", "Any").split(","));
            out.addAll(toRules(fenceName, name, active, block.getOrDefault("Protocol", ""), ports, remotes, target));
        }
        return out;
    }

    /**
     * Splits netsh output into blocks of "Key: value" starting at each "Rule Name:" line. A value that netsh
     * wraps onto indented continuation lines (several RemoteIP entries) is joined with commas; a continuation
     * is recognised by its leading blanks, since IPv6 values contain colons themselves.
     */
    static List<Map<String, String>> netshBlocks(String text) {
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> cur = null;
        String lastKey = null;
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("---")) {
                lastKey = null;
                continue;
            }
            if (cur != null && lastKey != null && Character.isWhitespace(raw.charAt(0))) {
                cur.put(lastKey, cur.get(lastKey) + "," + line);
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                lastKey = null;
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("Rule Name")) {
                cur = new LinkedHashMap<>();
                blocks.add(cur);
            }
            if (cur != null && !cur.containsKey(key)) {
                cur.put(key, value);
                lastKey = key;
            } else {
                lastKey = null;
            }
        }
        return blocks;
    }

    private static List<FirewallRule> toRules(String fenceName, String ruleName, boolean active, String protocol,
                                              List<String> ports, List<String> remotes, String target) throws FirewallException {
        if (!protocol.equalsIgnoreCase("TCP") && !protocol.equals("6")) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "rule " + ruleName + " is drctl's but matches protocol '" + protocol + "', not TCP");
        }
        if (ports.size() != 1 || !ports.get(0).strip().matches("\\d{1,5}")) {
            throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                    "rule " + ruleName + " is drctl's but its local port is " + ports + ", not one port");
        }
        int port = Integer.parseInt(ports.get(0).strip());
        List<FirewallRule> rules = new ArrayList<>();
        for (String r : remotes) {
            String a = r.strip();
            Cidr source;
            try {
                source = a.equalsIgnoreCase("Any") ? Cidr.parse("0.0.0.0/0") : Cidr.parse(a);
            } catch (IllegalArgumentException e) {
                throw new FirewallException(FirewallException.Kind.UNEXPECTED_OUTPUT, target,
                        "rule " + ruleName + " is drctl's but its remote address '" + a + "' is not a network", e);
            }
            rules.add(new FirewallRule(fenceName, Fence.Protocol.TCP, port, source, ruleName, active));
        }
        return rules;
    }

    static boolean isRuleNameOf(String name, String prefix) {
        return name.startsWith(prefix) && name.substring(prefix.length()).matches("[1-9]\\d{0,5}");
    }

    private static boolean truthy(JsonNode n) {
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        String s = n.asText("").toLowerCase(Locale.ROOT);
        return s.equals("true") || s.equals("1");
    }

    private static boolean matchesEnum(JsonNode n, String name, int number) {
        return n.isNumber() ? n.asInt() == number : n.asText("").equalsIgnoreCase(name) || n.asText("").equals(String.valueOf(number));
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
