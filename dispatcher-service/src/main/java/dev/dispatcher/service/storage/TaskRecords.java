package dev.dispatcher.service.storage;

import dev.dispatcher.status.RequestPage;
import dev.dispatcher.status.RequestQuery;
import dev.dispatcher.status.TaskStatus;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The task table read as records of requests: a task's status by uuid, and a client's requests
 * newest first, a keyset-paged page at a time (optionally in one state, or of one task), for
 * {@code ctl status|result|requests} and the HTTP API. Read as the publisher library reads them
 * ({@link dev.dispatcher.jdbc.TaskRecordQueries}). Thread-safe.
 */
public interface TaskRecords {

  /**
   * The status of the task with this uuid; empty when there is no row.
   *
   * @throws IllegalArgumentException when the text is not a uuid
   */
  Optional<TaskStatus> status(String uuid) throws SQLException;

  /** One page of a client's requests, newest first, with the cursor of the next page when there is one. */
  RequestPage requests(RequestQuery query) throws SQLException;
}
