package io.drctl.orchestrator.readiness.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.drctl.orchestrator.config.model.ReadinessSettings;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * The pooled connections (HikariCP) to the readiness store, shared by Quartz's job store and drctl's own tables.
 * Built without connecting: a store that is down at start is reported by the first use, not here. Connections
 * age out within a minute, so after a failover the pool, led by pgjdbc's {@code targetServerType=primary},
 * settles on the new primary.
 */
public final class StoreDataSource implements AutoCloseable {
    private final HikariDataSource pool;
    private final String quartzName;

    private StoreDataSource(HikariDataSource pool, String quartzName) {
        this.pool = pool;
        this.quartzName = quartzName;
    }

    /**
     * @param env where the password reference is read from
     * @throws IOException the password reference cannot be read (names the reference, never the value)
     */
    public static StoreDataSource open(ReadinessSettings.Store store, Map<String, String> env, String name) throws IOException {
        HikariConfig c = new HikariConfig();
        c.setPoolName("drctl-store-" + name);
        c.setJdbcUrl(store.url());
        store.user().ifPresent(c::setUsername);
        if (store.password().isPresent()) {
            c.setPassword(store.password().get().resolve(env));
        }
        c.setMaximumPoolSize(4);
        c.setMinimumIdle(0);
        c.setInitializationFailTimeout(-1); // never connect while building: the supervisor reports the store's state
        long wait = Math.max(1000, Math.min(store.checkin().toMillis(), 5000));
        c.setConnectionTimeout(wait);
        c.setValidationTimeout(1000); // wait is at least 1000 ms
        c.setMaxLifetime(Duration.ofMinutes(1).toMillis());
        c.setIdleTimeout(Duration.ofSeconds(30).toMillis());
        c.setKeepaliveTime(Duration.ofSeconds(30).toMillis());
        c.setAutoCommit(false);
        c.addDataSourceProperty("connectTimeout", "5");
        c.addDataSourceProperty("socketTimeout", "30");
        c.addDataSourceProperty("ApplicationName", "drctl-daemon");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw new IOException("url: no PostgreSQL driver accepts it (" + e.getClass().getSimpleName() + ")");
        }
        String quartzName = "drctl-store-" + name;
        DBConnectionManager.getInstance().addConnectionProvider(quartzName, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return pool.getConnection();
            }

            @Override
            public void shutdown() {
                // the pool outlives Quartz schedulers: it is closed with this data source
            }

            @Override
            public void initialize() {
            }
        });
        return new StoreDataSource(pool, quartzName);
    }

    /** A connection (autocommit off) to the primary. */
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** The name Quartz's {@code org.quartz.jobStore.dataSource} uses for this pool. */
    public String quartzName() {
        return quartzName;
    }

    @Override
    public void close() {
        pool.close();
    }
}
