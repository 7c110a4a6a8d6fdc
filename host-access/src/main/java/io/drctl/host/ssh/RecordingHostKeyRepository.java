package io.drctl.host.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.UserInfo;

/**
 * Delegates to the known_hosts repository and remembers the verdict of the last host-key check,
 * so a failed connect can be classified by that code ({@code OK}, {@code NOT_INCLUDED},
 * {@code CHANGED}) instead of by JSch's message text.
 */
final class RecordingHostKeyRepository implements HostKeyRepository {

    /** Verdict before any check ran: the failure happened earlier (TCP, banner, key exchange). */
    static final int NOT_CHECKED = Integer.MIN_VALUE;

    private final HostKeyRepository delegate;
    private volatile int lastCheck = NOT_CHECKED;

    RecordingHostKeyRepository(HostKeyRepository delegate) {
        this.delegate = delegate;
    }

    int lastCheck() {
        return lastCheck;
    }

    @Override
    public int check(String host, byte[] key) {
        int verdict = delegate.check(host, key);
        lastCheck = verdict;
        return verdict;
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        // Deliberately ignored: JSch would append the key to the known_hosts file (even without a
        // UserInfo) when strict checking is off. That file is the operator's input, never our state.
    }

    @Override
    public void remove(String host, String type) {
        delegate.remove(host, type);
    }

    @Override
    public void remove(String host, String type, byte[] key) {
        delegate.remove(host, type, key);
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return delegate.getKnownHostsRepositoryID();
    }

    @Override
    public HostKey[] getHostKey() {
        return delegate.getHostKey();
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
        return delegate.getHostKey(host, type);
    }
}
