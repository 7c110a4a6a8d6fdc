package io.drctl.orchestrator.cli;

import picocli.CommandLine.Mixin;

/** A command that reads or writes the state directory: {@code --state-dir}, {@code -o}, {@code -v}. */
abstract class StateCommand extends CtxCommand {
    @Mixin
    SharedOptions shared;
}
