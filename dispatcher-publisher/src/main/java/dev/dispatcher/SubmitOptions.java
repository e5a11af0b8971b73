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
 * }</pre>
 *
 * @param uuid message uuid; a random UUID v4 when null
 * @param channel channel to publish on; the task's or the publisher's default when null
 * @param delay time to hold the task before it may start
 * @param timeout time the task may run, counted from its start
 * @param onDuplicate duplicate policy; the task's default when null
 */
public record SubmitOptions(
    String uuid, String channel, Duration delay, Duration timeout, OnDuplicate onDuplicate) {

  /** No options: every value comes from the task's defaults. */
  public static final SubmitOptions NONE = new SubmitOptions(null, null, null, null, null);

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

    public SubmitOptions build() {
      return new SubmitOptions(uuid, channel, delay, timeout, onDuplicate);
    }
  }
}
