package io.drctl.host.ssh;

import io.drctl.host.CommandRunner;
import io.drctl.host.SshTarget;

/**
 * SSH access to many hosts during one run: one authenticated session per target, reused by every
 * command sent to it, closed together at the end of the run.
 *
 * <p>API placeholder: the JSch implementation (strict host keys, typed errors) is being written.
 */
public final class SshSessions implements AutoCloseable {

    public SshSessions() {
    }

    /** A runner whose commands go over this pool's (lazily opened, reused) session to {@code target}. */
    public CommandRunner runner(SshTarget target) {
        throw new UnsupportedOperationException("SSH access is not implemented yet");
    }

    @Override
    public void close() {
    }
}
