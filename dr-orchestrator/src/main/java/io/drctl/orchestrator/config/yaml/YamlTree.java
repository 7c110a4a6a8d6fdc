package io.drctl.orchestrator.config.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses YAML into a {@link YNode} tree that keeps the parser's token locations. A DR runbook must
 * read literally: anchors ({@code &a}), aliases ({@code *a}), merge keys ({@code <<}) and explicit
 * tags ({@code !!str}) are refused with a located problem.
 */
public final class YamlTree {
    private static final YAMLFactory FACTORY = YAMLFactory.builder().loaderOptions(loaderOptions()).build();

    /** Inventories and runbooks are small; anything larger is not one (and must not exhaust memory). */
    public static final long MAX_BYTES = 4L * 1024 * 1024;

    private YamlTree() {
    }

    /**
     * Reads {@code file}: it must be a regular file of at most {@link #MAX_BYTES}; syntax errors,
     * duplicate keys and YAML indirections are added to {@code problems}.
     */
    public static Optional<YNode> read(Path file, Problems problems) {
        Location at = Location.synthetic(file.toString(), "");
        if (!Files.exists(file)) {
            problems.add(at, "no such file", "check the path");
            return Optional.empty();
        }
        if (!Files.isRegularFile(file)) {
            problems.add(at, "not a regular file", "give the path of a YAML file (not a directory, device or pipe)");
            return Optional.empty();
        }
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                problems.add(at, "file is " + Files.size(file) + " bytes, more than the " + MAX_BYTES + " an inventory or runbook may have");
                return Optional.empty();
            }
            try (var in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_BYTES + 1); // the file may grow between size() and read
            }
        } catch (IOException e) {
            problems.add(at, "cannot read file: " + e.getClass().getSimpleName() + " " + e.getMessage());
            return Optional.empty();
        }
        if (bytes.length > MAX_BYTES) {
            problems.add(at, "file is more than the " + MAX_BYTES + " bytes an inventory or runbook may have");
            return Optional.empty();
        }
        return parse(file.toString(), new String(bytes, StandardCharsets.UTF_8), problems);
    }

    /** Parses {@code text} named {@code file} in messages. */
    public static Optional<YNode> parse(String file, String text, Problems problems) {
        Indirections.check(file, text, problems);
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
        } catch (IOException | RuntimeException e) {
            // SnakeYAML reports some malformed input (bad escapes, limits) as unchecked exceptions
            problems.add(new Location(file, 1, 1, ""), "YAML syntax error: " + e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    private static org.yaml.snakeyaml.LoaderOptions loaderOptions() {
        org.yaml.snakeyaml.LoaderOptions o = new org.yaml.snakeyaml.LoaderOptions();
        o.setCodePointLimit((int) MAX_BYTES + 1); // the file cap decides, not the parser's 3 MB default
        return o;
    }

    private static Location here(JsonParser p, String file, String path) {
        JsonLocation l = p.currentTokenLocation();
        return new Location(file, l.getLineNr(), l.getColumnNr(), path);
    }

    private static YNode node(JsonParser p, String file, String path, Problems problems) throws IOException {
        JsonToken t = p.currentToken();
        Location at = here(p, file, path);
        if (p instanceof YAMLParser y && y.isCurrentAlias()) {
            // reported by Indirections; kept as the literal text so nothing else treats it as a value it is not
            return new YNode.YScalar(at, "*" + y.getText(), YNode.ScalarType.STRING);
        }
        switch (t) {
            case START_OBJECT -> {
                Map<String, YNode> entries = new LinkedHashMap<>();
                Map<String, Location> keys = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    Location keyAt = here(p, file, childPath);
                    if (key.equals("<<")) {
                        problems.add(keyAt, "YAML merge key `<<` is not allowed", "write the keys out: a runbook must read literally");
                    }
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
