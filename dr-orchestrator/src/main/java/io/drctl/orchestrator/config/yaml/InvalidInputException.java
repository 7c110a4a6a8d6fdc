package io.drctl.orchestrator.config.yaml;

import java.util.List;
import java.util.stream.Collectors;

/** The inventory or runbook is invalid; carries every problem found (CLI exit code 2). */
public class InvalidInputException extends Exception {
    private final List<Problem> problems;

    public InvalidInputException(List<Problem> problems) {
        super(problems.size() + " problem(s):\n" + problems.stream().map(Problem::render).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
