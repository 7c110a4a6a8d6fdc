/**
 * DBMS role changes for DR: probe and promote a PostgreSQL streaming replica, and rejoin a former primary as one.
 *
 * <ul>
 *   <li>{@link io.drctl.dbms.PostgresPromoter#probe()} — role ({@link io.drctl.dbms.PgRole}) and replication state
 *       ({@link io.drctl.dbms.ReplicaStatus} on a replica, {@link io.drctl.dbms.StandbyStatus} per standby on a
 *       primary).</li>
 *   <li>{@link io.drctl.dbms.PostgresPromoter#promote} — idempotent promotion
 *       ({@link io.drctl.dbms.PromoteMethod#PG_PROMOTE} or {@link io.drctl.dbms.PromoteMethod#PG_CTL}), then proof
 *       that recovery ended and the server takes writes ({@link io.drctl.dbms.PostgresPromoter#verifyWritable()}).</li>
 * </ul>
 * Client commands run through an {@link io.drctl.host.CommandRunner} (SSH to the DBMS host in production) as the
 * DB OS user; failures are {@link io.drctl.dbms.DbmsException}s classified by exit code.
 * <ul>
 *   <li>{@link io.drctl.dbms.PostgresRejoiner#rejoin} — idempotent rejoin of a former primary as a streaming replica
 *       of the new primary ({@link io.drctl.dbms.UpstreamSpec}): pg_rewind when the cluster allows it, else a
 *       pg_basebackup re-seed with the old data directory kept aside ({@link io.drctl.dbms.RejoinResult});
 *       {@link io.drctl.dbms.PostgresRejoiner#check} says whether it already streams from the upstream
 *       ({@link io.drctl.dbms.StreamingCheck}); {@link io.drctl.dbms.PostgresRejoiner#proveReplication} waits until a
 *       WAL marker written on the upstream is replayed locally. The local server is started and stopped through a
 *       {@link io.drctl.dbms.ServerControl}.</li>
 * </ul>
 * Other DBMS (SQL Server Always On, Oracle Data Guard, ...) through command templates run on the DBMS host
 * ({@code COMMAND-DBMS.md}):
 * <ul>
 *   <li>{@link io.drctl.dbms.CommandDbms#probe()} — role ({@link io.drctl.dbms.DbmsRole}) read by regexes from the
 *       {@code role} command, lag ({@link io.drctl.dbms.ReplicaLag}) from the optional {@code lag} command.</li>
 *   <li>{@link io.drctl.dbms.CommandDbms#promote} — the same idempotent contract as the PostgreSQL promoter; templates
 *       and their {@code {host}}/{@code {port}}/{@code {address}} placeholders are validated by
 *       {@link io.drctl.dbms.CommandDbmsTemplates} and {@link io.drctl.dbms.CommandDbmsTarget}.</li>
 * </ul>
 */
package io.drctl.dbms;
