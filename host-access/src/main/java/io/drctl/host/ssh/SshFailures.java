package io.drctl.host.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchHostKeyException;
import com.jcraft.jsch.JSchRevokedHostKeyException;
import com.jcraft.jsch.JSchSessionDisconnectException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import io.drctl.host.HostAccessException.Kind;
import io.drctl.host.HostAccessException;
import io.drctl.host.SshTarget;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Turns a failed JSch connect into a {@link HostAccessException} whose {@link Kind} is decided by
 * exception type, the cause chain's types, and the recorded host-key verdict — never by JSch's
 * message text — and whose message names the target and says how to fix it.
 */
final class SshFailures {

    /** SSH disconnect reason codes (RFC 4253 11.1) that mean "your credentials were not accepted". */
    private static final int NO_MORE_AUTH_METHODS_AVAILABLE = 14;
    private static final int AUTH_CANCELLED_BY_USER = 13;

    private SshFailures() {
    }

    /**
     * What was known when {@code Session.connect} failed.
     *
     * @param hostKeyVerdict the {@link HostKeyRepository#check} result, or
     *                       {@link RecordingHostKeyRepository#NOT_CHECKED} when no key was checked
     * @param presentedKey   the host key the server presented, if the key exchange got that far
     * @param fingerprint    that key's fingerprint (e.g. {@code SHA256:...}), or null
     * @param tunnelFailure  why the jump-host tunnel could not be opened, or null
     */
    record ConnectContext(int hostKeyVerdict, HostKey presentedKey, String fingerprint, Exception tunnelFailure) {
    }

    static Kind classify(JSchException e, boolean strictHostKeys, ConnectContext ctx) {
        if (e instanceof JSchUnknownHostKeyException) {
            return Kind.UNKNOWN_HOST_KEY;
        }
        if (e instanceof JSchChangedHostKeyException || e instanceof JSchRevokedHostKeyException) {
            return Kind.CHANGED_HOST_KEY;
        }
        if (e instanceof JSchHostKeyException) {
            // host certificate problems (unknown CA, invalid certificate): the key cannot be trusted
            return ctx.hostKeyVerdict() == HostKeyRepository.CHANGED ? Kind.CHANGED_HOST_KEY : Kind.UNKNOWN_HOST_KEY;
        }
        if (strictHostKeys && ctx.hostKeyVerdict() == HostKeyRepository.CHANGED) {
            return Kind.CHANGED_HOST_KEY;
        }
        if (strictHostKeys && ctx.hostKeyVerdict() == HostKeyRepository.NOT_INCLUDED) {
            return Kind.UNKNOWN_HOST_KEY;
        }
        if (ctx.tunnelFailure() != null) {
            return Kind.UNREACHABLE;
        }
        if (hasCause(e, UnknownHostException.class) || hasCause(e, ConnectException.class)
                || hasCause(e, NoRouteToHostException.class) || hasCause(e, SocketTimeoutException.class)
                || hasCause(e, SocketException.class)) {
            return Kind.UNREACHABLE;
        }
        if (e instanceof JSchSessionDisconnectException d) {
            int reason = d.getReasonCode();
            return reason == NO_MORE_AUTH_METHODS_AVAILABLE || reason == AUTH_CANCELLED_BY_USER
                    ? Kind.AUTH_FAILED : Kind.IO;
        }
        if (hasCause(e, IOException.class)) {
            return Kind.IO;
        }
        // Host key accepted, no I/O cause, not a more specific public JSch type: this is how JSch reports
        // the server's refusal of every offered credential ("auth fail"/"auth cancel" are a bare
        // JSchException or package-private subclasses), after the key check and before the session is up.
        boolean hostKeyAccepted = ctx.hostKeyVerdict() == HostKeyRepository.OK
                || (!strictHostKeys && ctx.hostKeyVerdict() != RecordingHostKeyRepository.NOT_CHECKED);
        if (hostKeyAccepted && (e.getClass() == JSchException.class || !isPublic(e.getClass()))) {
            return Kind.AUTH_FAILED;
        }
        return Kind.IO;
    }

    static HostAccessException connectFailure(SshTarget target, JSchException e, ConnectContext ctx) {
        Kind kind = classify(e, target.strictHostKeys(), ctx);
        String hostEntry = knownHostsName(target);
        String presented = ctx.presentedKey() == null ? "" : " (server presented " + ctx.presentedKey().getType()
                + (ctx.fingerprint() == null ? "" : " " + ctx.fingerprint()) + ")";
        String keyscan = "ssh-keyscan -p " + target.port() + " " + target.address() + " >> " + target.knownHosts();
        String message = switch (kind) {
            case UNKNOWN_HOST_KEY -> "host key of " + hostEntry + " is not in " + target.knownHosts() + presented
                    + "; strict host-key checking refuses unknown hosts. Verify the fingerprint out of band, then add"
                    + " the key with: " + keyscan;
            case CHANGED_HOST_KEY -> "host key of " + hostEntry + " does not match the one recorded in "
                    + target.knownHosts() + presented + ": someone may be intercepting the connection, or the host"
                    + " was rebuilt. If the change is expected, replace the entry with: ssh-keygen -R '" + hostEntry
                    + "' -f " + target.knownHosts() + " && " + keyscan;
            case AUTH_FAILED -> "server refused public-key login as '" + target.user() + "' with identity file "
                    + target.identityFile() + "; expected its public key in ~" + target.user()
                    + "/.ssh/authorized_keys on the host (or the server does not allow public-key login)";
            case UNREACHABLE -> ctx.tunnelFailure() != null
                    ? "cannot open a tunnel to " + target.address() + ":" + target.port() + " through jump host "
                    + target.jump().map(SshTarget::describe).orElse("?") + " (" + ctx.tunnelFailure().getMessage()
                    + "); expected sshd listening there and TCP forwarding allowed on the jump host"
                    : "cannot reach an SSH server at " + target.address() + ":" + target.port() + " ("
                    + rootCauseSummary(e) + "; connect timeout " + target.connectTimeout().toMillis()
                    + " ms); expected sshd listening there";
            default -> "SSH connection failed: " + rootCauseSummary(e);
        };
        return new HostAccessException(kind, target.describe(), message, e);
    }

    /** The name known_hosts files use for the target: {@code host} on port 22, else {@code [host]:port}. */
    static String knownHostsName(SshTarget target) {
        return target.port() == 22 ? target.address() : "[" + target.address() + "]:" + target.port();
    }

    static String rootCauseSummary(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPublic(Class<?> c) {
        return java.lang.reflect.Modifier.isPublic(c.getModifiers());
    }
}
