package io.drctl.orchestrator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test of drctl in-process against the shipped example inventory and runbooks, with a temp dir for the
 * variants of them a test writes.
 */
public abstract class ExampleInventoryCase {
    protected static final Path EXAMPLE = Fixtures.repoRoot().resolve("inventory/example.yaml");

    @TempDir
    protected Path tmp;

    /** The shipped runbook {@code runbooks/NAME}. */
    protected static Path runbook(String name) {
        return Fixtures.repoRoot().resolve("runbooks/" + name);
    }

    /** Writes {@code yaml} to {@code rb.yaml} in the temp dir. */
    protected Path writeRunbook(String yaml) throws IOException {
        return Fixtures.write(tmp, "rb.yaml", yaml);
    }

    /** Writes a runbook named {@code RB} with {@code steps} (the YAML items of {@code steps:}) to {@code rb.yaml}. */
    protected Path writeSteps(String steps) throws IOException {
        return writeRunbook("name: RB\nsteps:\n" + steps);
    }

    /** {@code drctl validate FILES…}. */
    protected static Fixtures.Cli validate(Path... files) {
        return Fixtures.cli(Stream.concat(Stream.of("validate"), Arrays.stream(files).map(Path::toString)).toArray(String[]::new));
    }
}
