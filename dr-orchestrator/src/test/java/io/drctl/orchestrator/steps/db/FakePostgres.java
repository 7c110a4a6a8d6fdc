package io.drctl.orchestrator.steps.db;

import io.drctl.host.CommandResult;
import io.drctl.orchestrator.steps.ScriptedRunner;
import io.drctl.orchestrator.steps.ShellWords;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * One PostgreSQL server as the client commands drctl runs on its host see it: psql (SQL read from the
 * {@code printf '%s\n' '<sql>' | ... psql} pipe, the server chosen by {@code -h} or the {@code -d} conninfo's
 * {@code host=}), pg_ctl promote/status, pg_ctlcluster start/stop, pg_controldata, pg_rewind, pg_basebackup. A
 * query for another address is answered by the server registered under that address (the upstream, reached from
 * this host). State changes as the commands say: a promotion leaves recovery, a stop stops, a start as a standby
 * streams from the upstream the standby configuration names.
 */
final class FakePostgres {
    static final String SEP = "\u001f";
    static final String SYSTEM_ID = "7301234567890123456";

    final String address;
    volatile boolean running = true;
    volatile boolean inRecovery;
    volatile int versionNum = 150014;
    volatile long replayGap;
    volatile String walReceiver = "streaming";
    volatile String senderHost = "";
    volatile boolean checksums;
    volatile boolean walLogHints;
    volatile String clusterState = "in production";
    /** Primary side: replay lag bytes the primary reports for each standby address, one value per STANDBYS query (the last repeats). */
    final Map<String, List<Long>> standbyLag = new ConcurrentHashMap<>();
    /** Whether the server knows pg_promote() (PostgreSQL 12 and later). */
    volatile boolean hasPgPromote = true;
    volatile String standbyOf = "";

    /** Servers reachable from this host by address. */
    final Map<String, FakePostgres> network;

    FakePostgres(String address, Map<String, FakePostgres> network) {
        this.address = address;
        this.network = network;
        network.put(address, this);
    }

    FakePostgres replicaOf(FakePostgres primary) {
        inRecovery = true;
        senderHost = primary.address;
        standbyOf = primary.address;
        clusterState = "in archive recovery";
        return this;
    }

    void install(ScriptedRunner host, String socketDir) {
        host.on(c -> c.startsWith("printf '%s\\n' "), c -> psql(c, socketDir));
        host.on(c -> c.contains("pg_ctl' promote -D "), c -> {
            inRecovery = false;
            walReceiver = "";
            return ScriptedRunner.ok("server promoting\n");
        });
        host.on(c -> c.contains("pg_ctl' status -D "), c -> ScriptedRunner.result(running ? 0 : 3, "", ""));
        host.on(c -> c.contains("pg_ctlcluster ") && c.contains(" stop "), c -> {
            running = false;
            clusterState = inRecovery ? "shut down in recovery" : "shut down";
            return ScriptedRunner.ok("");
        });
        host.on(c -> c.contains("pg_ctlcluster ") && c.endsWith(" start"), c -> {
            running = true;
            inRecovery = true;
            senderHost = standbyOf;
            walReceiver = "streaming";
            clusterState = "in archive recovery";
            return ScriptedRunner.ok("");
        });
        host.on(c -> c.contains("pg_controldata' -D "), c -> ScriptedRunner.ok("pg_control version number: 1300\n"
                + "Database system identifier:           " + SYSTEM_ID + "\n"
                + "Database cluster state:               " + clusterState + "\n"
                + "Data page checksum version:           " + (checksums ? 1 : 0) + "\n"
                + "wal_log_hints setting:                " + (walLogHints ? "on" : "off") + "\n"));
        host.on(c -> c.contains("pg_rewind' "), c -> ScriptedRunner.ok("pg_rewind: Done!\n"));
        host.on(c -> c.contains("pg_basebackup' "), c -> ScriptedRunner.ok(""));
        host.on(c -> c.contains("sh -c 'test ! -e "), c -> ScriptedRunner.ok(""));
        host.on(c -> c.contains("sh -c 'set -e; "), c -> {
            // standby.signal and primary_conninfo written: the next start streams from the host it names
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("host=([0-9]+\\.[0-9.]+)").matcher(c);
            if (m.find()) {
                standbyOf = m.group(1);
            }
            return ScriptedRunner.ok("");
        });
    }

    private CommandResult psql(String command, String socketDir) {
        List<String> w = ShellWords.split(command);
        String sql = w.get(2);
        String target = socketDir;
        for (int i = 0; i + 1 < w.size(); i++) {
            if (w.get(i).equals("-h")) {
                target = w.get(i + 1);
            } else if (w.get(i).equals("-d") && w.get(i + 1).contains("host=")) {
                target = w.get(i + 1).replaceAll(".*host=(\\S+).*", "$1");
            }
        }
        boolean replication = command.contains("replication=true");
        FakePostgres server = target.equals(socketDir) ? this : network.get(target);
        if (server == null || !server.running) {
            return ScriptedRunner.result(2, "", "psql: error: connection to server at \"" + target + "\" failed: Connection refused");
        }
        return server.answer(sql, replication);
    }

    private CommandResult answer(String sql, boolean replication) {
        IntFunction<CommandResult> sqlError = code -> ScriptedRunner.result(3, "", "ERROR:  " + sql);
        if (replication && sql.equals("IDENTIFY_SYSTEM")) {
            return rows(SYSTEM_ID + SEP + "2" + SEP + "0/5000000" + SEP);
        }
        if (sql.startsWith("SELECT 'role', pg_is_in_recovery(), current_setting('server_version_num'); ")) {
            List<String> out = new ArrayList<>(List.of("role" + SEP + flag(inRecovery) + SEP + versionNum));
            if (inRecovery) {
                out.add("replica" + SEP + "0/3000060" + SEP + "0/3000000" + SEP + replayGap + SEP + "0.5" + SEP + walReceiver);
            } else {
                standbyLag.forEach((addr, lags) -> {
                    long lag = lags.size() > 1 ? lags.remove(0) : lags.get(0);
                    out.add("standby" + SEP + "walreceiver" + SEP + addr + SEP + "streaming" + SEP + "async" + SEP + lag + SEP
                            + (lag == 0 ? "" : "1.5"));
                });
            }
            return rows(String.join("\n", out));
        }
        if (sql.equals("SELECT pg_is_in_recovery()")) {
            return rows(flag(inRecovery));
        }
        if (sql.startsWith("SELECT 'promoted', pg_promote(")) { // promote, then the write check and the probe, in one run
            if (!hasPgPromote) {
                return ScriptedRunner.result(3, "", "ERROR:  function pg_promote(boolean, integer) does not exist");
            }
            inRecovery = false;
            walReceiver = "";
            CommandResult rest = answer(sql.substring(sql.indexOf("BEGIN; ")), replication);
            return rest.exitCode() != 0 ? rest : ScriptedRunner.ok("promoted" + SEP + "t\n" + rest.stdout());
        }
        if (sql.startsWith("SELECT pg_promote(")) {
            if (!hasPgPromote) {
                return ScriptedRunner.result(3, "", "ERROR:  function pg_promote(boolean, integer) does not exist");
            }
            inRecovery = false;
            walReceiver = "";
            return rows("t");
        }
        if (sql.startsWith("BEGIN; CREATE TEMP TABLE drctl_write_probe")) {
            if (inRecovery) {
                return ScriptedRunner.result(3, "", "ERROR:  cannot execute CREATE TABLE in a read-only transaction");
            }
            int probe = sql.indexOf("SELECT 'role', ");
            return probe < 0 ? rows("1234") : ScriptedRunner.ok("1234\n" + answer(sql.substring(probe), replication).stdout());
        }
        if (sql.startsWith("SELECT pg_is_in_recovery(), w.pid, w.status")) {
            return rows(inRecovery ? "t" + SEP + "4242" + SEP + walReceiver + SEP + senderHost + SEP + "5432" + SEP
                    : "f" + SEP + SEP + SEP + SEP + SEP);
        }
        if (sql.startsWith("SELECT pg_is_in_recovery(), r.rolsuper")) {
            return rows(flag(inRecovery) + SEP + "t" + SEP + "t" + SEP + "t" + SEP + "on");
        }
        if (sql.equals("CHECKPOINT")) {
            return rows("");
        }
        if (sql.startsWith("SELECT pg_logical_emit_message(")) {
            return rows("0/5000028");
        }
        if (sql.startsWith("SELECT pg_last_wal_replay_lsn(), coalesce(")) {
            return rows("0/5000028" + SEP + (inRecovery && walReceiver.equals("streaming") ? "t" : "f"));
        }
        return sqlError.apply(3);
    }

    private static String flag(boolean b) {
        return b ? "t" : "f";
    }

    private static CommandResult rows(String text) {
        return ScriptedRunner.ok(text.isEmpty() ? "" : text + "\n");
    }
}
