package dev.dispatcher.jdbc;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Postgres address in one of the forms users have at hand, turned into JDBC URLs for both
 * drivers: {@code postgresql://user:pass@host:5432/db?sslmode=require}, the libpq key=value form
 * {@code host=db port=5432 dbname=app user=app password=secret}, or
 * {@code jdbc:postgresql://host/db?user=app}. Options are checked when parsed: an unknown name or
 * a value the drivers would refuse at every connect is an {@link IllegalArgumentException} here.
 *
 * @param host host name
 * @param port port
 * @param database database name
 * @param user user, or null
 * @param password password, or null
 * @param options further connection options, in pgjdbc's spelling
 */
public record DatabaseUrl(
    String host, int port, String database, String user, String password, Map<String, String> options) {

  /** libpq keys we accept, and how pgjdbc spells them. */
  private static final Map<String, String> LIBPQ_OPTIONS = Map.of(
      "sslmode", "sslmode",
      "sslrootcert", "sslrootcert",
      "sslcert", "sslcert",
      "sslkey", "sslkey",
      "application_name", "ApplicationName",
      "connect_timeout", "connectTimeout",
      "options", "options");

  private static final Set<String> LIBPQ_ADDRESS_KEYS =
      Set.of("host", "hostaddr", "port", "dbname", "user", "password");

  public DatabaseUrl {
    options = Map.copyOf(options);
  }

  /**
   * Parses any of the three forms.
   *
   * @throws IllegalArgumentException naming the problem (never the password)
   */
  public static DatabaseUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("database URL is empty");
    }
    String trimmed = url.trim();
    if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
      return parseUri(trimmed);
    }
    if (trimmed.startsWith("jdbc:postgresql://")) {
      return parseUri(trimmed.substring("jdbc:".length()));
    }
    if (trimmed.contains("=")) {
      return parseKeyValue(trimmed);
    }
    throw new IllegalArgumentException("database URL '" + redact(trimmed)
        + "' is neither postgresql://user:password@host:port/database nor key=value pairs");
  }

  /** This address with an option added unless it is already set (e.g. a default application name). */
  public DatabaseUrl withDefaultOption(String key, String value) {
    if (options.containsKey(key)) {
      return this;
    }
    Map<String, String> merged = new LinkedHashMap<>(options);
    merged.put(key, value);
    return new DatabaseUrl(host, port, database, user, password, merged);
  }

  /** URL for the official pgjdbc driver (user and password passed separately). */
  public String pgjdbcUrl() {
    StringBuilder url = new StringBuilder("jdbc:postgresql://").append(hostPort()).append('/').append(encode(database));
    appendQuery(url, options);
    return url.toString();
  }

  /** URL for pgjdbc-ng, which the listener uses. */
  public String pgjdbcNgUrl() {
    StringBuilder url = new StringBuilder("jdbc:pgsql://").append(hostPort()).append('/').append(database);
    Map<String, String> ngOptions = new LinkedHashMap<>();
    String sslmode = options.get("sslmode");
    if (sslmode != null) {
      ngOptions.put("sslMode", sslmode); // pgjdbc-ng: ssl.mode, alias sslMode
    }
    String applicationName = options.get("ApplicationName");
    if (applicationName != null) {
      ngOptions.put("application_name", applicationName); // pgjdbc-ng: application.name, alias application_name
    }
    appendQuery(url, ngOptions);
    return url.toString();
  }

  /** This address with the password hidden, for logs and errors. */
  @Override
  public String toString() {
    return "postgresql://" + (user == null ? "" : user + (password == null ? "" : ":***") + "@")
        + hostPort() + "/" + database;
  }

  private String hostPort() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static void appendQuery(StringBuilder url, Map<String, String> query) {
    char separator = '?';
    for (Map.Entry<String, String> entry : query.entrySet()) {
      url.append(separator).append(entry.getKey()).append('=')
          .append(encode(entry.getValue()));
      separator = '&';
    }
  }

  private static DatabaseUrl parseUri(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("database URL '" + redact(text) + "' is malformed: " + e.getReason());
    }
    // The authority is read here rather than by URI.getHost(): that returns null for host names
    // with underscores (common for container service names) and keeps IPv6 brackets.
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isEmpty()) {
      throw new IllegalArgumentException("database URL '" + redact(text) + "' has no host");
    }
    String user = null;
    String password = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String[] userInfo = authority.substring(0, at).split(":", 2);
      user = decode(userInfo[0]);
      password = userInfo.length > 1 ? decode(userInfo[1]) : null;
      authority = authority.substring(at + 1);
    }
    String host;
    String portText = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("database URL '" + redact(text) + "' has an unclosed IPv6 address");
      }
      host = authority.substring(1, close);
      if (close + 1 < authority.length()) {
        if (authority.charAt(close + 1) != ':') {
          throw new IllegalArgumentException("database URL '" + redact(text) + "' has text after the IPv6 address");
        }
        portText = authority.substring(close + 2);
      }
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("database URL '" + redact(text) + "' has no host");
    }
    int port = 5432;
    if (portText != null && !portText.isEmpty()) {
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("database URL '" + redact(text) + "': port '" + portText + "' is not a number");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("database URL '" + redact(text) + "': port " + port + " is out of range");
      }
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = path.startsWith("/") ? decode(path.substring(1)) : decode(path);
    Map<String, String> options = new LinkedHashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        String[] kv = pair.split("=", 2);
        String key = decode(kv[0]);
        String value = kv.length > 1 ? decode(kv[1]) : "";
        switch (key) {
          case "user" -> user = value;
          case "password" -> password = value;
          case "dbname" -> database = value;
          default -> options.put(checkedOption(key, LIBPQ_OPTIONS.getOrDefault(key, key), value), value);
        }
      }
    }
    if (database.isEmpty()) {
      database = user == null ? "postgres" : user;
    }
    return new DatabaseUrl(host, port, database, user, password, options);
  }

  private static DatabaseUrl parseKeyValue(String text) {
    Map<String, String> pairs = new LinkedHashMap<>();
    int i = 0;
    while (i < text.length()) {
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i >= text.length()) {
        break;
      }
      int eq = text.indexOf('=', i);
      if (eq < 0) {
        throw new IllegalArgumentException("database URL: '" + text.substring(i).split("\\s")[0]
            + "' is not key=value");
      }
      String key = text.substring(i, eq).trim();
      i = eq + 1;
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < text.length() && text.charAt(i) == '\'') {
        i++;
        while (i < text.length() && text.charAt(i) != '\'') {
          if (text.charAt(i) == '\\' && i + 1 < text.length()) {
            i++;
          }
          value.append(text.charAt(i++));
        }
        if (i >= text.length()) {
          throw new IllegalArgumentException("database URL: unterminated quote in value of '" + key + "'");
        }
        i++;
      } else {
        while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
          if (text.charAt(i) == '\\' && i + 1 < text.length()) {
            i++;
          }
          value.append(text.charAt(i++));
        }
      }
      if (!LIBPQ_ADDRESS_KEYS.contains(key) && !LIBPQ_OPTIONS.containsKey(key)) {
        throw new IllegalArgumentException("database URL: unsupported key '" + key + "' (supported: "
            + String.join(", ", new java.util.TreeSet<>(union())) + ")");
      }
      pairs.put(key, value.toString());
    }
    String host = pairs.getOrDefault("host", pairs.getOrDefault("hostaddr", "localhost"));
    int port;
    try {
      port = Integer.parseInt(pairs.getOrDefault("port", "5432"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("database URL: port '" + pairs.get("port") + "' is not a number");
    }
    String user = pairs.get("user");
    String database = pairs.getOrDefault("dbname", user == null ? "postgres" : user);
    Map<String, String> options = new LinkedHashMap<>();
    pairs.forEach((key, value) -> {
      if (LIBPQ_OPTIONS.containsKey(key)) {
        options.put(checkedOption(key, LIBPQ_OPTIONS.get(key), value), value);
      }
    });
    return new DatabaseUrl(host, port, database, user, pairs.get("password"), options);
  }

  /** The option's pgjdbc name, once its value is one the drivers accept (see {@link ConnectionOptions}). */
  private static String checkedOption(String written, String name, String value) {
    try {
      ConnectionOptions.check(written, name, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("database URL: " + e.getMessage());
    }
    return name;
  }

  private static Set<String> union() {
    Set<String> keys = new java.util.HashSet<>(LIBPQ_ADDRESS_KEYS);
    keys.addAll(LIBPQ_OPTIONS.keySet());
    return keys;
  }

  /** Percent-encoding for a URL path segment or query value (a space is %20, not +). */
  private static String encode(String value) {
    return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String decode(String value) {
    return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Hides a password in a URL that could not be parsed, so errors never print it. */
  private static String redact(String text) {
    return text.replaceAll("(://[^:/@]*:)[^@]*@", "$1***@").replaceAll("(password\\s*=\\s*)('[^']*'|\\S+)", "$1***");
  }
}
