package io.drctl.orchestrator.journal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What identifies the inputs and the program of a run, journaled with its start so a report can say
 * exactly which runbook, inventory and drctl ran: the files' SHA-256 as read at run start, drctl's version.
 */
public final class Provenance {
    /** drctl's version, as {@code drctl --version} prints it and each run journals it. */
    public static final String VERSION = "0.1.0";

    private Provenance() {
    }

    /** The lowercase hex SHA-256 of {@code file}'s bytes. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[8192];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
