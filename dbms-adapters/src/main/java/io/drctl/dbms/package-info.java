/**
 * DBMS role changes for DR: probe and promote a PostgreSQL streaming replica.
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
 * DB OS user; failures are {@link io.drctl.dbms.DbmsException}s classified by exit code. Demotion/re-seeding is
 * out of scope: failback runs a user-supplied command step for it.
 */
package io.drctl.dbms;
