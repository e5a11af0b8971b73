package dev.dispatcher.service.api;

import dev.dispatcher.service.config.DispatcherConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks {@code Authorization: Bearer <token>} against the configured tokens. Tokens are compared
 * as SHA-256 digests with {@link MessageDigest#isEqual} (constant time, whatever the lengths), and
 * never kept or logged as text beyond the config.
 */
final class BearerTokens {

  /** A token that matched: its name (for logs and rate limits) and scopes. */
  record Caller(String name, Set<String> scopes) {
    boolean may(Scope scope) {
      return scopes.contains(scope.configName());
    }
  }

  private record Known(byte[] digest, Caller caller) {}

  private final List<Known> known = new ArrayList<>();

  BearerTokens(List<DispatcherConfig.ApiToken> tokens) {
    for (DispatcherConfig.ApiToken token : tokens) {
      known.add(new Known(digest(token.secret()), new Caller(token.name(), token.scopes())));
    }
  }

  /** The caller the header names, or empty when it is missing, not a bearer token, or unknown. */
  Optional<Caller> caller(String authorization) {
    if (authorization == null || authorization.length() > 1024 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] given = digest(authorization.substring(7).trim());
    Caller found = null;
    for (Known token : known) {
      if (MessageDigest.isEqual(token.digest(), given)) { // every token compared: no early exit to time
        found = token.caller();
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
