package dev.dispatcher.service.pool;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What makes two submissions duplicates: the same task, args and kwargs (JSON equality). The
 * hash walks the whole JSON once, when the {@link Work} is made on the submitting thread; the
 * pool's maps then only compare it under their lock, and walk the JSON again only for equal hashes.
 * The JSON of a task message is never changed after it is read, so the hash stays true.
 */
final class DuplicateKey {

  private final String task;
  private final JsonNode args;
  private final JsonNode kwargs;
  private final int hash;

  DuplicateKey(String task, JsonNode args, JsonNode kwargs) {
    this.task = task;
    this.args = args;
    this.kwargs = kwargs;
    this.hash = Objects.hash(task, args, kwargs);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DuplicateKey key && hash == key.hash && Objects.equals(task, key.task) && Objects.equals(args, key.args)
        && Objects.equals(kwargs, key.kwargs);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return task + " " + args + " " + kwargs;
  }
}
