package io.drctl.orchestrator.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses YAML into a {@link YNode} tree that keeps the parser's token locations. */
public final class YamlTree {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlTree() {
    }

    /** Reads {@code file}; syntax errors and duplicate keys are added to {@code problems}. */
    public static Optional<YNode> read(Path file, Problems problems) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(Location.synthetic(file.toString(), ""), "cannot read file: " + e.getMessage());
            return Optional.empty();
        }
        return parse(file.toString(), text, problems);
    }

    /** Parses {@code text} named {@code file} in messages. */
    public static Optional<YNode> parse(String file, String text, Problems problems) {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                problems.add(new Location(file, 1, 1, ""), "the file is empty");
                return Optional.empty();
            }
            return Optional.of(node(p, file, "", problems));
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            int line = l == null ? 0 : l.getLineNr();
            int col = l == null ? 0 : l.getColumnNr();
            problems.add(new Location(file, line, col, ""), "YAML syntax error: " + e.getOriginalMessage());
            return Optional.empty();
        } catch (IOException e) {
            problems.add(Location.synthetic(file, ""), "cannot parse: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Location here(JsonParser p, String file, String path) {
        JsonLocation l = p.currentTokenLocation();
        return new Location(file, l.getLineNr(), l.getColumnNr(), path);
    }

    private static YNode node(JsonParser p, String file, String path, Problems problems) throws IOException {
        JsonToken t = p.currentToken();
        Location at = here(p, file, path);
        switch (t) {
            case START_OBJECT -> {
                Map<String, YNode> entries = new LinkedHashMap<>();
                Map<String, Location> keys = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    Location keyAt = here(p, file, childPath);
                    p.nextToken();
                    YNode value = node(p, file, childPath, problems);
                    if (entries.containsKey(key)) {
                        problems.add(keyAt, "duplicate key `" + key + "` (first at line " + keys.get(key).line() + ")");
                        continue;
                    }
                    entries.put(key, value);
                    keys.put(key, keyAt);
                }
                return new YNode.YMap(at, entries, keys);
            }
            case START_ARRAY -> {
                List<YNode> items = new ArrayList<>();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(node(p, file, path + "[" + i++ + "]", problems));
                }
                return new YNode.YList(at, items);
            }
            case VALUE_STRING -> {
                return new YNode.YScalar(at, p.getText(), YNode.ScalarType.STRING);
            }
            case VALUE_NUMBER_INT -> {
                return new YNode.YScalar(at, p.getText(), YNode.ScalarType.INTEGER);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new YNode.YScalar(at, p.getText(), YNode.ScalarType.DECIMAL);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new YNode.YScalar(at, p.getText(), YNode.ScalarType.BOOLEAN);
            }
            case VALUE_NULL -> {
                return new YNode.YScalar(at, null, YNode.ScalarType.NULL);
            }
            default -> {
                problems.add(at, "unexpected YAML token " + t);
                return new YNode.YScalar(at, null, YNode.ScalarType.NULL);
            }
        }
    }
}
