package io.drctl.orchestrator.config.load;

import io.drctl.orchestrator.config.yaml.Fields;
import io.drctl.orchestrator.config.yaml.Problems;
import io.drctl.orchestrator.config.yaml.Secrets;
import io.drctl.orchestrator.config.yaml.YNode;
import io.drctl.orchestrator.config.yaml.YamlTree;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * One kind of drctl document (the inventory, a runbook): read from a file or parsed from text strictly, scanned for
 * inline secrets, and its top-level keys handed to {@code bind} as {@link Fields}.
 *
 * @param what how problems name the document, e.g. {@code "the inventory"}
 * @param bind the document's keys to its model; every problem goes to the {@link Problems} it is given
 */
record Document<T>(String what, BiFunction<Fields, Problems, T> bind) {
    Optional<T> load(Path file, Problems problems) {
        return YamlTree.read(file, problems).map(root -> bind(root, problems));
    }

    Optional<T> parse(String file, String text, Problems problems) {
        return YamlTree.parse(file, text, problems).map(root -> bind(root, problems));
    }

    private T bind(YNode root, Problems problems) {
        Secrets.scan(root, problems);
        return bind.apply(Fields.ofDocument(root, what, problems), problems);
    }
}
