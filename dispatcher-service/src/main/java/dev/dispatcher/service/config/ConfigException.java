package dev.dispatcher.service.config;

/** A configuration value is missing or wrong; the message names the key. Start-up stops with status 2. */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  /** The dotted path of the offending key, e.g. {@code pool.max_workers}. */
  public String key() {
    return key;
  }
}
