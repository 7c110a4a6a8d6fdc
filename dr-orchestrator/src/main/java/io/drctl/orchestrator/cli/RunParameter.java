package io.drctl.orchestrator.cli;

import picocli.CommandLine.Parameters;

/** The {@code RUN} a command acts on (approve, resume, rollback): a run id in the state directory. */
final class RunParameter {
    @Parameters(index = "0", paramLabel = "RUN")
    String id;
}
