package dev.dispatcher.service.api;

/** What a token may do: submit tasks, read status, or administer (cancel, retry, suspend, resume). */
enum Scope {
  SUBMIT("submit"),
  READ("read"),
  ADMIN("admin");

  private final String configName;

  Scope(String configName) {
    this.configName = configName;
  }

  String configName() {
    return configName;
  }
}
