package dev.dispatcher.service.hooks;

import javax.sql.DataSource;

/**
 * What hooks learn at start: the node id and the daemon's connection pool (the database it
 * listens on), for hooks that record what ran.
 */
public record DispatcherInfo(String nodeId, DataSource dataSource) {}
