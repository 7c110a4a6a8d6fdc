package io.drctl.orchestrator.config.yaml;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Finds the YAML features that make a file read differently from how it looks: anchors ({@code &a}),
 * aliases ({@code *a}) and explicit tags ({@code !!str}), each reported with file:line:column and its YAML path.
 * (Jackson's parser, which builds the tree, does not expose scalar anchors; SnakeYAML, which it is built on, does.)
 * Merge keys ({@code <<}) are reported while the tree is built.
 */
final class Indirections {
    private Indirections() {
    }

    /** One open collection: a mapping (alternating key and value) or a sequence (items counted). */
    private static final class Frame {
        final boolean mapping;
        final String path;
        boolean expectKey = true;
        String key = "";
        int index;

        Frame(boolean mapping, String path) {
            this.mapping = mapping;
            this.path = path;
        }

        /** The path of the node that starts now. */
        String childPath() {
            if (!mapping) {
                return path + "[" + index + "]";
            }
            return expectKey ? path : path.isEmpty() ? key : path + "." + key;
        }

        /** Called after a whole node (scalar or collection) ended at this level. */
        void advance(String scalarText) {
            if (!mapping) {
                index++;
            } else if (expectKey) {
                key = scalarText == null ? "?" : scalarText;
                expectKey = false;
            } else {
                expectKey = true;
            }
        }
    }

    /** Adds a problem for each anchor, alias and explicit tag (malformed YAML is left to the tree parser to report). */
    static void check(String file, String text, Problems problems) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit((int) YamlTree.MAX_BYTES + 1);
        ParserImpl parser = new ParserImpl(new StreamReader(new StringReader(text)), options);
        Deque<Frame> stack = new ArrayDeque<>();
        try {
            while (parser.peekEvent() != null) {
                Event e = parser.getEvent();
                Frame top = stack.peek();
                String path = top == null ? "" : top.childPath();
                if (e instanceof NodeEvent n && n.getAnchor() != null) {
                    String what = e instanceof AliasEvent ? "alias `*" : "anchor `&";
                    problems.add(at(file, e.getStartMark(), path), "YAML " + what + n.getAnchor() + "` is not allowed",
                            "write the value out: a runbook must read literally");
                }
                String tag = e instanceof ScalarEvent sc && !sc.getImplicit().canOmitTagInPlainScalar()
                        && !sc.getImplicit().canOmitTagInNonPlainScalar() ? sc.getTag()
                        : e instanceof CollectionStartEvent c && !c.getImplicit() ? c.getTag() : null;
                if (tag != null) {
                    problems.add(at(file, e.getStartMark(), path), "YAML tag `" + shortTag(tag) + "` is not allowed",
                            "remove it; quote a value to make it a string");
                }
                if (e instanceof CollectionStartEvent) {
                    stack.push(new Frame(e instanceof MappingStartEvent, path));
                } else if (e.is(Event.ID.MappingEnd) || e.is(Event.ID.SequenceEnd)) {
                    stack.pop();
                    if (stack.peek() != null) {
                        stack.peek().advance(null);
                    }
                } else if (e instanceof ScalarEvent sc && top != null) {
                    top.advance(sc.getValue());
                } else if (e instanceof AliasEvent && top != null) {
                    top.advance(null);
                }
            }
        } catch (RuntimeException e) {
            // malformed YAML: the tree parser reports it, located
        }
    }

    private static String shortTag(String tag) {
        return tag.startsWith("tag:yaml.org,2002:") ? "!!" + tag.substring("tag:yaml.org,2002:".length()) : tag;
    }

    private static Location at(String file, Mark m, String path) {
        return m == null ? new Location(file, 0, 0, path) : new Location(file, m.getLine() + 1, m.getColumn() + 1, path);
    }
}
