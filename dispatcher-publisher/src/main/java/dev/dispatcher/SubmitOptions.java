package dev.dispatcher;

import dev.dispatcher.wire.ChannelNames;
import java.time.Duration;

/**
 * Per-submission options; every field is optional and {@code null} means "use the task's default".
 *
 * <pre>{@code
 * SubmitOptions options = SubmitOptions.builder()
 *     .channel("email")
 *     .delay(Duration.ofSeconds(5))
 *     .timeout(Duration.ofSeconds(30))
 *     .onDuplicate(OnDuplicate.DISCARD)
 *     .build();
 *
 * // durable, whatever the task's @Task says, claimed before the rows of lower priority
 * SubmitOptions urgent = SubmitOptions.builder().durable(true).priority(10).maxAttempts(3).build();
 *
 * // on behalf of a client: publisher.requests(RequestQuery.of("shop", 50)) lists them
 * SubmitOptions forShop = SubmitOptions.builder().durable(true).client("shop").build();
 *
 * // a result of the same task and arguments at most 10 minutes old answers it instead of a run;
 * // Duration.ZERO runs it whatever the task's @Task(cacheFor) says
 * SubmitOptions cached = SubmitOptions.builder().durable(true).cacheFor(Duration.ofMinutes(10)).build();
 * }</pre>
 *
 * @param uuid message uuid; a time-ordered UUID v7 when null
 * @param channel channel to publish on; the task's or the publisher's default when null
 * @param delay time to hold the task before it may start
 * @param timeout time the task may run, counted from its start
 * @param onDuplicate duplicate policy; the task's default when null
 * @param durable whether the submission is durable ({@link Task#durable()}); the task's default when null
 * @param priority durable submissions: higher is claimed first; the task's default when null
 * @param maxAttempts durable submissions: runs before the task fails for good, 1 to 1000; the task's
 *     default when null
 * @param client who submits it (1 to 100 characters), kept on its row so that {@link
 *     Publisher#requests} lists a client's requests; for a fire-and-forget submission it travels in
 *     the message (key {@code client}) and is kept when the task is recorded ({@link Task#record()});
 *     null for none
 * @param cacheFor durable submissions: the result cache ({@link Task#cacheFor()}), how old a
 *     completed result of the same task, args and kwargs may be to answer this submission instead
 *     of a run; {@link Duration#ZERO} runs it (its result still answers later submissions); at most
 *     a year; the task's default when null. A submission with its own {@link #uuid} is never
 *     answered from the cache: that uuid is to name its row
 */
public record SubmitOptions(
    String uuid, String channel, Duration delay, Duration timeout, OnDuplicate onDuplicate,
    Boolean durable, Integer priority, Integer maxAttempts, String client, Duration cacheFor) {

  /** No options: every value comes from the task's defaults. */
  public static final SubmitOptions NONE = new SubmitOptions(null, null, null, null, null);

  /** Options that leave durability, priority and attempts to the task's defaults. */
  public SubmitOptions(String uuid, String channel, Duration delay, Duration timeout, OnDuplicate onDuplicate) {
    this(uuid, channel, delay, timeout, onDuplicate, null, null, null, null);
  }

  /** Options without a client. */
  public SubmitOptions(String uuid, String channel, Duration delay, Duration timeout, OnDuplicate onDuplicate,
      Boolean durable, Integer priority, Integer maxAttempts) {
    this(uuid, channel, delay, timeout, onDuplicate, durable, priority, maxAttempts, null);
  }

  /** Options that leave the result cache to the task's default. */
  public SubmitOptions(String uuid, String channel, Duration delay, Duration timeout, OnDuplicate onDuplicate,
      Boolean durable, Integer priority, Integer maxAttempts, String client) {
    this(uuid, channel, delay, timeout, onDuplicate, durable, priority, maxAttempts, client, null);
  }

  public SubmitOptions {
    if (uuid != null && uuid.isBlank()) {
      throw new IllegalArgumentException("uuid must not be blank");
    }
    if (channel != null) {
      ChannelNames.check(channel);
    }
    if (delay != null && delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    if (timeout != null && timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    if (maxAttempts != null && (maxAttempts < 1 || maxAttempts > TaskDefinition.MAX_ATTEMPTS_LIMIT)) {
      throw new IllegalArgumentException(
          "maxAttempts must be from 1 to " + TaskDefinition.MAX_ATTEMPTS_LIMIT + ": " + maxAttempts);
    }
    if (client != null) {
      dev.dispatcher.status.ClientNames.check(client);
    }
    if (cacheFor != null && (cacheFor.isNegative() || cacheFor.compareTo(Duration.ofSeconds((long) TaskDefinition.CACHE_FOR_LIMIT_SECONDS)) > 0)) {
      throw new IllegalArgumentException("cacheFor must be from 0 to " + (long) TaskDefinition.CACHE_FOR_LIMIT_SECONDS
          + " seconds (a year): " + cacheFor);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link SubmitOptions}. */
  public static final class Builder {
    private String uuid;
    private String channel;
    private Duration delay;
    private Duration timeout;
    private OnDuplicate onDuplicate;
    private Boolean durable;
    private Integer priority;
    private Integer maxAttempts;
    private String client;
    private Duration cacheFor;

    private Builder() {}

    public Builder uuid(String uuid) {
      this.uuid = uuid;
      return this;
    }

    public Builder channel(String channel) {
      this.channel = channel;
      return this;
    }

    public Builder delay(Duration delay) {
      this.delay = delay;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder onDuplicate(OnDuplicate onDuplicate) {
      this.onDuplicate = onDuplicate;
      return this;
    }

    /** Durable (true) or fire-and-forget (false), whatever the task's {@link Task#durable()} says. */
    public Builder durable(boolean durable) {
      this.durable = durable;
      return this;
    }

    /** For a durable submission: higher is claimed first ({@link Task#priority()}). */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /** For a durable submission: runs before it fails for good, 1 to 1000 ({@link Task#maxAttempts()}). */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Who submits it, e.g. {@code "shop"}: 1 to 100 characters, no control characters. Kept on the
     * task's row, so that {@code publisher.requests(client, …)} lists that client's requests.
     */
    public Builder client(String client) {
      this.client = client;
      return this;
    }

    /**
     * For a durable submission: a completed result of the same task, args and kwargs at most this
     * old answers it instead of a run ({@link Task#cacheFor()}); {@link Duration#ZERO} runs it
     * whatever the task's annotation says (and its result answers later submissions). At most a year.
     */
    public Builder cacheFor(Duration cacheFor) {
      this.cacheFor = cacheFor;
      return this;
    }

    /** @throws IllegalArgumentException naming the option that is out of its range */
    public SubmitOptions build() {
      return new SubmitOptions(uuid, channel, delay, timeout, onDuplicate, durable, priority, maxAttempts, client, cacheFor);
    }
  }
}
