package dev.dispatcher.status;

import java.util.List;

/**
 * One page of a client's requests, newest first.
 *
 * @param requests at most the limit asked for
 * @param nextCursor the cursor of the next (older) page, or null when this page is the last
 */
public record RequestPage(List<RequestSummary> requests, String nextCursor) {

  public RequestPage {
    requests = List.copyOf(requests);
  }

  /** Whether an older page follows. */
  public boolean hasMore() {
    return nextCursor != null;
  }
}
