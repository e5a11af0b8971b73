package dev.dispatcher.status;

/**
 * Which of a client's requests to list, newest first: one page of at most {@code limit}, older than
 * the {@code cursor} of the page before (null for the first page), optionally only those in a state
 * or of a task.
 *
 * <pre>{@code
 * RequestPage page = publisher.requests(RequestQuery.of("shop", 50));
 * while (page.hasMore()) {
 *   page = publisher.requests(RequestQuery.of("shop", 50).after(page.nextCursor()));
 * }
 * }</pre>
 *
 * @param state only requests in this state, or null for all
 * @param task only requests of this task, or null for all
 * @param limit 1 to {@value #MAX_LIMIT}
 * @param cursor {@link RequestPage#nextCursor()} of the previous page, or null for the newest
 */
public record RequestQuery(String client, TaskState state, String task, int limit, String cursor) {

  /** The most requests a page holds. */
  public static final int MAX_LIMIT = 1000;

  /** @throws IllegalArgumentException naming what is wrong: the client, the limit, the task or the cursor */
  public RequestQuery {
    ClientNames.check(client);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT + ", was " + limit);
    }
    if (task != null && (task.isEmpty() || task.length() > 1000)) {
      throw new IllegalArgumentException("task must be 1 to 1000 characters, was " + task.length());
    }
    if (cursor != null) {
      RequestCursor.decode(cursor);
    }
  }

  /** The newest {@code limit} requests of a client, in any state. */
  public static RequestQuery of(String client, int limit) {
    return new RequestQuery(client, null, null, limit, null);
  }

  /** The same query, for the page after the one that returned this cursor. */
  public RequestQuery after(String nextCursor) {
    return new RequestQuery(client, state, task, limit, nextCursor);
  }

  /** The same query, for requests in this state only. */
  public RequestQuery inState(TaskState only) {
    return new RequestQuery(client, only, task, limit, cursor);
  }

  /** The same query, for requests of this task only. */
  public RequestQuery ofTask(String only) {
    return new RequestQuery(client, state, only, limit, cursor);
  }
}
