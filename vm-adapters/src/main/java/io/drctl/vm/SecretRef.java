package io.drctl.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a secret (an API password, a trust-store password) lives: an environment variable or a file.
 * The value is read only when it is needed ({@link #resolve(Map)}) and is never part of {@link #toString()}.
 */
public sealed interface SecretRef {

    /**
     * Reads the secret.
     *
     * @param environment the process environment (injected; production passes {@code System.getenv()})
     * @return the secret; a file's content without its trailing line break
     * @throws VmException {@link VmException.Kind#CONFIG} when the variable is unset/empty or the file unreadable;
     *                     the message names the reference, never the value
     */
    String resolve(Map<String, String> environment) throws VmException;

    /** A secret held in environment variable {@code variable}. */
    static SecretRef env(String variable) {
        return new Env(variable);
    }

    /** A secret held in {@code path} (first line, trailing line break removed). */
    static SecretRef file(Path path) {
        return new File(path);
    }

    /** @param variable name of the environment variable, e.g. {@code DRCTL_VSPHERE_PASSWORD} */
    record Env(String variable) implements SecretRef {
        private static final Pattern VAR = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");

        public Env {
            if (variable == null || !VAR.matcher(variable).matches()) {
                throw new IllegalArgumentException("not an environment variable name: '" + variable + "'");
            }
        }

        @Override
        public String resolve(Map<String, String> environment) throws VmException {
            String v = environment.get(variable);
            if (v == null || v.isEmpty()) {
                throw new VmException(VmException.Kind.CONFIG, "env " + variable,
                        "environment variable " + variable + " is not set (expected the secret in it)");
            }
            return v;
        }

        @Override
        public String toString() {
            return "env:" + variable;
        }
    }

    /** @param path file holding the secret; should be readable only by the drctl user */
    record File(Path path) implements SecretRef {
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String resolve(Map<String, String> environment) throws VmException {
            try {
                String v = Files.readString(path, StandardCharsets.UTF_8);
                v = v.replaceFirst("\\R\\z", "");
                if (v.isEmpty()) {
                    throw new VmException(VmException.Kind.CONFIG, "file " + path, "secret file " + path + " is empty");
                }
                return v;
            } catch (IOException e) {
                // the exception text names only the path
                throw new VmException(VmException.Kind.CONFIG, "file " + path,
                        "cannot read secret file " + path + ": " + e.getClass().getSimpleName(), e);
            }
        }

        @Override
        public String toString() {
            return "file:" + path;
        }
    }
}
