package io.drctl.orchestrator.cli;

import picocli.CommandLine.Option;

/** {@code -y}/{@code --yes} of run and drill: pre-approve every approval step. */
final class YesOption {
    @Option(names = {"-y", "--yes"}, description = "pre-approve every approval step (journaled as --yes)")
    boolean yes;
}
