/**
 * Every SQL statement the daemon runs, behind small interfaces its parts use: {@link TickClaims}
 * (cluster-wide schedule ticks), {@link DurableTasks} (the durable task table: claims, leases,
 * outcomes, rescue, retention), {@link TaskRecords} (the same table
 * read as requests: status by uuid, a client's requests by keyset), {@link Notifier} (NOTIFYs through the daemon's pool, e.g. control
 * replies), {@link ListenStatements} (what the listener runs on its own session), and the
 * versioned migrations of the daemon's schema ({@link SchemaMigrations}). The Postgres
 * implementations live here too; {@link PostgresStorage} builds them for the daemon.
 *
 * <p>This package depends on no other package of the daemon: the parts that use it get its
 * interfaces through their constructors.
 */
package dev.dispatcher.service.storage;
