package io.drctl.host.ssh;

import com.jcraft.jsch.Logger;

/**
 * Routes one JSch instance's log lines to SLF4J at debug, prefixed with the target they concern.
 *
 * <p>JSch logs protocol progress (algorithms, auth methods tried, host names); it never logs key
 * material or passphrases, and nothing we hand it contains them. Every JSch level maps to debug:
 * failures reach the operator as typed {@link io.drctl.host.HostAccessException}s, not as log noise.
 */
final class JschSlf4jLogger implements Logger {

    static final String LOGGER_NAME = "io.drctl.host.ssh.jsch";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LOGGER_NAME);

    private final String target;

    JschSlf4jLogger(String target) {
        this.target = target;
    }

    @Override
    public boolean isEnabled(int level) {
        return LOG.isDebugEnabled();
    }

    @Override
    public void log(int level, String message) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} [jsch {}] {}", target, levelName(level), message);
        }
    }

    @Override
    public void log(int level, String message, Throwable cause) {
        if (LOG.isDebugEnabled()) {
            // the cause's class is enough for a debug trace; its message may quote server banners verbatim
            LOG.debug("{} [jsch {}] {} ({})", target, levelName(level), message,
                    cause == null ? "no cause" : cause.getClass().getName());
        }
    }

    private static String levelName(int level) {
        return switch (level) {
            case Logger.DEBUG -> "debug";
            case Logger.INFO -> "info";
            case Logger.WARN -> "warn";
            case Logger.ERROR -> "error";
            case Logger.FATAL -> "fatal";
            default -> "level" + level;
        };
    }
}
