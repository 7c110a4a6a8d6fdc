package io.drctl.orchestrator.config.yaml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Strict, location-aware reading of one YAML mapping. Every key the binder asks for is "known";
 * {@link #done()} reports every other key as unknown with a did-you-mean hint. Type errors are
 * reported to the shared {@link Problems} and the getter returns empty, so binding continues and
 * every problem is collected.
 */
public final class Fields {
    private final YNode.YMap map;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();

    private Fields(YNode.YMap map, Problems problems) {
        this.map = map;
        this.problems = problems;
    }

    /** The node as a mapping, or a problem "expected a mapping" and empty. */
    public static Optional<Fields> of(YNode node, String what, Problems problems) {
        if (node instanceof YNode.YMap m) {
            return Optional.of(new Fields(m, problems));
        }
        if (node instanceof YNode.YScalar s && s.isNull()) {
            return Optional.of(new Fields(new YNode.YMap(s.location(), java.util.Map.of(), java.util.Map.of()), problems));
        }
        problems.add(node.location(), what + " must be a mapping, found " + node.kind());
        return Optional.empty();
    }

    /**
     * The document's top-level mapping; when it is not one, the problem is recorded and an empty mapping (at the
     * root) stands in, so the document's other checks still run and report in the same pass.
     */
    public static Fields ofDocument(YNode root, String what, Problems problems) {
        return of(root, what, problems)
                .orElseGet(() -> new Fields(new YNode.YMap(root.location(), java.util.Map.of(), java.util.Map.of()), problems));
    }

    public Location location() {
        return map.location();
    }

    public YNode.YMap map() {
        return map;
    }

    public Problems problems() {
        return problems;
    }

    /** Location of {@code key}'s value, or of the mapping when absent. */
    public Location at(String key) {
        YNode n = map.get(key);
        return n != null ? n.location() : map.location().child(key);
    }

    public boolean has(String key) {
        known.add(key);
        YNode n = map.get(key);
        return n != null && !(n instanceof YNode.YScalar s && s.isNull());
    }

    public Optional<YNode> node(String key) {
        return has(key) ? Optional.of(map.get(key)) : Optional.empty();
    }

    /** Marks keys as known without reading them (read elsewhere, e.g. by a step type). */
    public void allow(String... keys) {
        known.addAll(List.of(keys));
    }

    public Optional<String> string(String key) {
        return node(key).flatMap(n -> scalarText(n, key));
    }

    public Optional<String> requiredString(String key) {
        if (!has(key)) {
            problems.add(map.location().child(key), "missing required key `" + key + "`");
            return Optional.empty();
        }
        return string(key);
    }

    private Optional<String> scalarText(YNode n, String key) {
        if (n instanceof YNode.YScalar s && !s.isNull()) {
            return Optional.of(s.text());
        }
        problems.add(n.location(), "`" + key + "` must be a single value, found " + n.kind());
        return Optional.empty();
    }

    public Optional<Integer> integer(String key) {
        return node(key).flatMap(n -> {
            if (n instanceof YNode.YScalar s && s.type() == YNode.ScalarType.INTEGER) {
                try {
                    return Optional.of(Integer.parseInt(s.text()));
                } catch (NumberFormatException e) {
                    // falls through to the problem below
                }
            }
            problems.add(n.location(), "`" + key + "` must be an integer, found " + describe(n));
            return Optional.empty();
        });
    }

    public Optional<Boolean> bool(String key) {
        return node(key).flatMap(n -> {
            if (n instanceof YNode.YScalar s && s.type() == YNode.ScalarType.BOOLEAN) {
                return Optional.of(Boolean.parseBoolean(s.text()));
            }
            problems.add(n.location(), "`" + key + "` must be true or false, found " + describe(n));
            return Optional.empty();
        });
    }

    public Optional<Duration> duration(String key) {
        return node(key).flatMap(n -> {
            return duration(key, n, problems);
        });
    }

    /** {@code n} as a bounded duration, or a located problem naming {@code key} and why. */
    public static Optional<Duration> duration(String key, YNode n, Problems problems) {
        String text = n instanceof YNode.YScalar s && !s.isNull() ? s.text() : null;
        switch (Durations.check(text)) {
            case OK -> {
                return Durations.parse(text);
            }
            case TOO_LARGE -> problems.add(n.location(), "`" + key + "` is " + describe(n) + ", more than the maximum "
                    + Durations.format(Durations.MAX), "DR steps and waits are bounded; e.g. 10m, 2h, 1d");
            default -> problems.add(n.location(), "`" + key + "` must be a duration like 30s, 10m, 1h, found " + describe(n));
        }
        return Optional.empty();
    }

    /** A list of strings; a single scalar counts as a one-element list. */
    public List<String> stringList(String key) {
        Optional<YNode> node = node(key);
        if (node.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (node.get() instanceof YNode.YList l) {
            for (YNode item : l.items()) {
                scalarText(item, key + " item").ifPresent(out::add);
            }
        } else {
            scalarText(node.get(), key).ifPresent(out::add);
        }
        return out;
    }

    public Optional<Fields> fields(String key) {
        return node(key).flatMap(n -> Fields.of(n, "`" + key + "`", problems));
    }

    /** Reports every key that no getter asked for, with a did-you-mean hint. */
    public void done() {
        for (String key : map.entries().keySet()) {
            if (!known.contains(key) && !Secrets.isSecretKey(key)) {
                problems.add(map.keyLocation(key), "unknown key `" + key + "`", Hints.didYouMean(key, known));
            }
        }
    }

    /** {@code 'value'} (shortened to 60 characters) or the node's kind, for "found ..." in messages. */
    public static String describe(YNode n) {
        if (n instanceof YNode.YScalar s && !s.isNull()) {
            return "'" + shorten(s.text()) + "'";
        }
        return n.kind();
    }

    /** {@code text} cut to 60 characters, so a pasted blob does not flood the problem list. */
    public static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
