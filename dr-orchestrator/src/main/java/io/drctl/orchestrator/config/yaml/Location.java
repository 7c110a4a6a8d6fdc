package io.drctl.orchestrator.config.yaml;

import java.util.Objects;

/**
 * Where a YAML node starts: file, 1-based line and column, and its YAML path ({@code steps[3].hosts}).
 */
public record Location(String file, int line, int column, String path) {
    public Location {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
    }

    /** A location for values that did not come from a file (CLI parameters, defaults). */
    public static Location synthetic(String what, String path) {
        return new Location(what, 0, 0, path);
    }

    /** {@code file:line:column}. */
    public String position() {
        return line > 0 ? file + ":" + line + ":" + column : file;
    }

    public Location child(String key) {
        return new Location(file, line, column, path.isEmpty() ? key : path + "." + key);
    }

    @Override
    public String toString() {
        return position() + " " + path;
    }
}
