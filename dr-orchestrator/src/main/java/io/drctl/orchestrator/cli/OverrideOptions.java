package io.drctl.orchestrator.cli;

import io.drctl.orchestrator.config.yaml.InvalidInputException;
import io.drctl.orchestrator.config.yaml.Location;
import io.drctl.orchestrator.config.yaml.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --override-rule ID --reason TEXT} (run, resume, drill). */
final class OverrideOptions {
    @Option(names = "--override-rule", paramLabel = "ID",
            description = "go on although safety rule ID is violated (repeatable; needs --reason; journaled)")
    List<String> rules = new ArrayList<>();

    @Option(names = "--reason", paramLabel = "TEXT",
            description = "why the override is safe: one for all overridden rules, or one per --override-rule in order")
    List<String> reasons = new ArrayList<>();

    /** Rule id to reason; invalid combinations are invalid input (exit 2). */
    Map<String, String> map() throws InvalidInputException {
        Problems p = new Problems();
        Location at = Location.synthetic("command line", "--override-rule");
        Map<String, String> out = new LinkedHashMap<>();
        if (rules.isEmpty() && !reasons.isEmpty()) {
            p.add(at, "--reason given without --override-rule", "name the rule: --override-rule ID --reason TEXT");
        } else if (!rules.isEmpty() && reasons.isEmpty()) {
            p.add(at, "--override-rule " + String.join(", ", rules) + " needs --reason",
                    "say why it is safe, e.g. --reason \"region1 DBMS host is powered off (ticket INC-123)\"");
        } else if (reasons.size() != 1 && reasons.size() != rules.size()) {
            p.add(at, rules.size() + " --override-rule but " + reasons.size() + " --reason",
                    "give one --reason for all, or one per --override-rule");
        } else {
            for (int i = 0; i < rules.size(); i++) {
                String reason = reasons.get(reasons.size() == 1 ? 0 : i);
                if (reason == null || reason.isBlank()) {
                    p.add(at, "--reason for rule " + rules.get(i) + " is empty", "say why overriding it is safe");
                }
                out.put(rules.get(i), reason);
            }
        }
        p.throwIfAny();
        return out;
    }
}
