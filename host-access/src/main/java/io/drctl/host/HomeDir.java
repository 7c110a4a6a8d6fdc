package io.drctl.host;

import java.nio.file.Path;
import java.util.Map;

/** Paths written with {@code ~/} in inventories (key files, secret files): the home directory of {@code env}. */
public final class HomeDir {
    private HomeDir() {
    }

    /** {@code path}, its leading {@code ~/} replaced by {@code HOME} from {@code env} (else this JVM's user home). */
    public static Path expand(String path, Map<String, String> env) {
        if (path.startsWith("~/")) {
            return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), path.substring(2));
        }
        return Path.of(path);
    }
}
