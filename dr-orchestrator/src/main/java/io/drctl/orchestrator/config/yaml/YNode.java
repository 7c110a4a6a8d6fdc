package io.drctl.orchestrator.config.yaml;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A YAML node that remembers where it was written. Jackson's JsonNode drops token locations, so the
 * loader builds this tree from the parser's tokens and binds the model from it, reporting every problem
 * with file:line:column and the YAML path.
 */
public sealed interface YNode permits YNode.YMap, YNode.YList, YNode.YScalar {

    Location location();

    /** A short word for error messages: "a mapping", "a list", "a string". */
    String kind();

    /** A mapping; keys keep their own locations (for "unknown key" errors). */
    record YMap(Location location, Map<String, YNode> entries, Map<String, Location> keyLocations) implements YNode {
        public YMap {
            Objects.requireNonNull(location, "location");
            entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
            keyLocations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keyLocations));
        }

        public YNode get(String key) {
            return entries.get(key);
        }

        public Location keyLocation(String key) {
            return keyLocations.getOrDefault(key, location);
        }

        @Override
        public String kind() {
            return "a mapping";
        }
    }

    record YList(Location location, List<YNode> items) implements YNode {
        public YList {
            Objects.requireNonNull(location, "location");
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }
    }

    /**
     * A scalar. {@code text} is the literal text; {@code type} says how YAML typed it; null values
     * ({@code ~}, {@code null}, empty) have type NULL.
     */
    record YScalar(Location location, String text, ScalarType type) implements YNode {
        public YScalar {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public String kind() {
            return switch (type) {
                case STRING -> "a string";
                case INTEGER -> "an integer";
                case DECIMAL -> "a number";
                case BOOLEAN -> "a boolean";
                case NULL -> "empty";
            };
        }

        public boolean isNull() {
            return type == ScalarType.NULL;
        }
    }

    enum ScalarType { STRING, INTEGER, DECIMAL, BOOLEAN, NULL }
}
