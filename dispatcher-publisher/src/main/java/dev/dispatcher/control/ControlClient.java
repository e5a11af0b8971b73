package dev.dispatcher.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.dispatcher.jdbc.ConnectionPools;
import dev.dispatcher.jdbc.DatabaseUrl;
import dev.dispatcher.jdbc.NotifySender;
import dev.dispatcher.wire.ChannelNames;
import dev.dispatcher.wire.ChunkAssembler;
import dev.dispatcher.wire.Chunker;
import dev.dispatcher.wire.Notification;
import dev.dispatcher.wire.WireFormat;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends control messages to dispatcher daemons (Java or Python dispatcherd) and collects their
 * replies. Thread-safe: every {@link #send} uses its own connection for its whole exchange.
 *
 * <pre>{@code
 * try (ControlClient control = ControlClient.fromUrl("postgresql://app:secret@localhost:5432/app")) {
 *   // ask every daemon on "tasks" what runs or waits; two daemons are expected to answer
 *   List<ControlReply> replies = control.send("tasks", "running", Map.of(), 2, Duration.ofSeconds(5));
 *   for (ControlReply reply : replies) {
 *     System.out.println(reply.nodeId() + ": " + reply.body());
 *   }
 *   // cancel a task by uuid without waiting for an answer
 *   control.sendNoReply("tasks", "cancel", Map.of("uuid", uuid));
 * }
 * }</pre>
 *
 * <p>A {@link #send} takes a connection, switches it to auto-commit, {@code LISTEN}s on a fresh
 * {@code reply_to_<32 hex>} channel, then sends
 * {@code {"control": command, "reply_to": channel, "control_data": {...}}} with {@code pg_notify}
 * (chunked when 8000 bytes or more) and waits for replies, reassembling chunked ones. It needs
 * pgjdbc ({@code org.postgresql}) connections; a pooled one is unwrapped, and handed back with
 * {@code UNLISTEN *} done and its auto-commit setting restored.
 *
 * <p>Daemons that require signed acting commands ({@code DISPATCHER_CONTROL_SECRET} set on them)
 * need a client made with {@link #withSecret}: it signs every message it sends (see
 * {@link ControlSignature}; the daemon checks the signature of acting commands only).
 */
public final class ControlClient implements AutoCloseable {

  /** Prefix of the reply channels this client listens on. */
  public static final String REPLY_CHANNEL_PREFIX = "reply_to_";

  private static final Logger log = LoggerFactory.getLogger(ControlClient.class);
  /** 64 MiB of reply text as the assembler accounts it: two bytes a character, plus its overheads. */
  private static final long MAX_BUFFERED_BYTES = 160L * 1024 * 1024;
  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {};

  private final DataSource dataSource;
  private final HikariDataSource ownedPool;
  private final ControlSignature signature;
  private final Clock clock;
  private final ObjectMapper mapper = WireFormat.newObjectMapper();
  private final Chunker chunker = new Chunker();

  private ControlClient(DataSource dataSource, HikariDataSource ownedPool, ControlSignature signature, Clock clock) {
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.signature = signature;
    this.clock = clock;
  }

  private ControlClient(DataSource dataSource, HikariDataSource ownedPool) {
    this(dataSource, ownedPool, null, Clock.systemUTC());
  }

  /** A client borrowing connections from the application's pool, which stays open on {@link #close()}. */
  public static ControlClient of(DataSource dataSource) {
    return new ControlClient(Objects.requireNonNull(dataSource, "dataSource"), null);
  }

  /**
   * A client with its own small pool for a database address: {@code postgresql://user:pass@host/db},
   * libpq {@code key=value} pairs or a {@code jdbc:postgresql:} URL. {@link #close()} closes the pool.
   *
   * @throws IllegalArgumentException when the address cannot be parsed
   */
  public static ControlClient fromUrl(String url) {
    return fromUrl(DatabaseUrl.parse(url));
  }

  /** A client with its own small pool for a parsed address; {@link #close()} closes the pool. */
  public static ControlClient fromUrl(DatabaseUrl url) {
    HikariDataSource pool = ConnectionPools.create(Objects.requireNonNull(url, "url"), "dispatcher-control", 2);
    return new ControlClient(pool, pool);
  }

  /**
   * A client that signs every message with HMAC-SHA256 under this secret (the daemons' {@code
   * DISPATCHER_CONTROL_SECRET}), for daemons that require signed acting commands. It uses this
   * client's connections: closing either closes a pool made by {@link #fromUrl}, e.g.
   * {@code try (ControlClient control = ControlClient.fromUrl(url).withSecret(secret)) {...}}.
   *
   * @throws IllegalArgumentException when the secret is shorter than {@value ControlSignature#MIN_SECRET_LENGTH} characters
   */
  public ControlClient withSecret(String secret) {
    return new ControlClient(dataSource, ownedPool, new ControlSignature(secret), clock);
  }

  /** The same client reading the time of signing from this clock (for tests). */
  ControlClient withClock(Clock signingClock) {
    return new ControlClient(dataSource, ownedPool, signature, signingClock);
  }

  /**
   * Sends a control command and waits for replies.
   *
   * @param channel the channel the daemons listen on
   * @param command the command, e.g. {@code alive}, {@code running}, {@code status}
   * @param controlData the command's {@code control_data} (e.g. {@code task}, {@code uuid}); null or
   *     empty for none
   * @param expectedReplies how many replies to wait for (one per daemon on the channel); at least 1
   * @param timeout how long to wait for them in all
   * @return the replies that arrived, in arrival order; fewer than expected when the timeout passed
   *     first (the caller decides what that means)
   * @throws IllegalArgumentException for an invalid channel, command, count or timeout
   * @throws ControlException when the database cannot be reached or the notify fails
   */
  public List<ControlReply> send(String channel, String command, Map<String, ?> controlData, int expectedReplies, Duration timeout) {
    ChannelNames.check(channel);
    if (expectedReplies < 1) {
      throw new IllegalArgumentException("expectedReplies must be at least 1: " + expectedReplies);
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    String replyChannel = newReplyChannel();
    List<Notification> notifications = notifications(channel, controlMessage(channel, command, replyChannel, controlData));
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Connection connection = dataSource.getConnection()) {
      PGConnection pg = unwrap(connection);
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(true);
      try {
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN " + ChannelNames.quoteIdentifier(replyChannel));
        }
        NotifySender.send(connection, notifications);
        return collect(pg, replyChannel, expectedReplies, deadline, timeout);
      } finally {
        cleanUp(connection, pg, autoCommit);
      }
    } catch (SQLException e) {
      throw new ControlException("control '" + command + "' on channel '" + channel + "' failed: " + describe(e), e);
    }
  }

  /**
   * Sends a control command without {@code reply_to}: the daemons run it and answer nothing.
   *
   * @throws IllegalArgumentException for an invalid channel or command
   * @throws ControlException when the database cannot be reached or the notify fails
   */
  public void sendNoReply(String channel, String command, Map<String, ?> controlData) {
    ChannelNames.check(channel);
    List<Notification> notifications = notifications(channel, controlMessage(channel, command, null, controlData));
    try (Connection connection = dataSource.getConnection()) {
      NotifySender.send(connection, notifications);
      if (!connection.getAutoCommit()) {
        connection.commit();
      }
    } catch (SQLException e) {
      throw new ControlException("control '" + command + "' on channel '" + channel + "' failed: " + describe(e), e);
    }
  }

  /** Closes the pool built by {@link #fromUrl}; a given DataSource stays open. */
  @Override
  public void close() {
    if (ownedPool != null) {
      ownedPool.close();
    }
  }

  /** A fresh reply channel, {@code reply_to_} and 32 lower-case hex digits. */
  static String newReplyChannel() {
    return REPLY_CHANNEL_PREFIX + UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * The control message text: {@code {"control": ..., "reply_to": ..., "control_data": {...}}},
   * without {@code reply_to} when it is null; {@code control_data} is always present (empty object
   * when there is none), as dispatcherd sends it.
   */
  String controlMessage(String command, String replyTo, Map<String, ?> controlData) {
    return controlMessage(null, command, replyTo, controlData);
  }

  /** The control message text for a channel: signed (with a fresh nonce) when this client has a secret. */
  String controlMessage(String channel, String command, String replyTo, Map<String, ?> controlData) {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("control command must not be empty");
    }
    ObjectNode message = mapper.createObjectNode();
    message.put(WireFormat.CONTROL, command);
    if (replyTo != null) {
      message.put("reply_to", ChannelNames.check(replyTo));
    }
    message.set("control_data", controlData == null ? mapper.createObjectNode() : mapper.valueToTree(controlData));
    if (signature != null && channel != null) {
      message = signature.sign(message, channel, clock.instant().getEpochSecond(), UUID.randomUUID().toString().replace("-", ""));
    }
    try {
      return mapper.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("control_data cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The notifications carrying this text: one, or its chunk envelopes. */
  List<Notification> notifications(String channel, String text) {
    return chunker.split(text).stream().map(payload -> new Notification(channel, payload)).toList();
  }

  /**
   * Turns one received payload into a reply when it completes one: a plain JSON object, or the last
   * missing chunk of one. Malformed payloads are logged and skipped.
   */
  Optional<ControlReply> accept(String payload, ChunkAssembler chunks, long nowNanos) {
    try {
      JsonNode node = mapper.readTree(payload);
      if (node != null && node.isObject() && ChunkAssembler.isChunk(node)) {
        Optional<String> whole = chunks.accept(node, nowNanos);
        if (whole.isEmpty()) {
          return Optional.empty();
        }
        node = mapper.readTree(whole.get());
      }
      if (node == null || !node.isObject()) {
        log.warn("control reply is not a JSON object, skipped: {}", abbreviate(payload));
        return Optional.empty();
      }
      Map<String, Object> body = mapper.convertValue(node, OBJECT);
      Object nodeId = body.get("node_id");
      return Optional.of(new ControlReply(nodeId == null ? null : nodeId.toString(), body));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      log.warn("control reply skipped ({}): {}", e.getMessage(), abbreviate(payload));
      return Optional.empty();
    }
  }

  private List<ControlReply> collect(PGConnection pg, String replyChannel, int expected, long deadline, Duration timeout)
      throws SQLException {
    ChunkAssembler chunks = new ChunkAssembler(timeout.toNanos(), MAX_BUFFERED_BYTES);
    List<ControlReply> replies = new ArrayList<>();
    while (replies.size() < expected) {
      long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
      if (remainingMillis <= 0) {
        break;
      }
      // 0 would mean "wait forever": remainingMillis is at least 1 here
      PGNotification[] received = pg.getNotifications((int) Math.min(remainingMillis, Integer.MAX_VALUE));
      if (received == null) {
        continue;
      }
      for (PGNotification notification : received) {
        if (replyChannel.equals(notification.getName())) {
          accept(notification.getParameter(), chunks, System.nanoTime()).ifPresent(replies::add);
        }
      }
    }
    return replies;
  }

  /** Leaves a pooled connection as it was: no LISTEN, no pending notification, its auto-commit. */
  private static void cleanUp(Connection connection, PGConnection pg, boolean autoCommit) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("UNLISTEN *");
      pg.getNotifications(); // drop what came in meanwhile
      connection.setAutoCommit(autoCommit);
    } catch (SQLException e) {
      // a broken connection: the pool notices and discards it; do not hide the outcome of the send
      log.debug("control connection clean-up failed: {}", e.getMessage());
    }
  }

  private static PGConnection unwrap(Connection connection) throws SQLException {
    if (!connection.isWrapperFor(PGConnection.class)) {
      throw new SQLException("the control client needs a pgjdbc (org.postgresql) connection, got "
          + connection.getClass().getName());
    }
    return connection.unwrap(PGConnection.class);
  }

  /** The error and, when a pool wrapped it, what actually went wrong (e.g. connection refused). */
  private static String describe(SQLException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e || root.getMessage() == null ? e.getMessage() : e.getMessage() + " (" + root.getMessage() + ")";
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
