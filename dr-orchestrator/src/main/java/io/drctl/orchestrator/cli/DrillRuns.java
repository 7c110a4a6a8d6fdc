package io.drctl.orchestrator.cli;

import java.util.ArrayList;
import java.util.List;

/** The drill's runs as the report lists them, and the state it left. */
final class DrillRuns {
    final List<String> lines = new ArrayList<>();
    String failoverRun;
    String state = "";

    void add(String line) {
        lines.add(line);
    }
}
