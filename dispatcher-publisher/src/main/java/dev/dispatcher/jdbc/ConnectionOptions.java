package dev.dispatcher.jdbc;

import java.util.Arrays;
import java.util.Set;
import org.postgresql.PGProperty;

/**
 * Checks a connection option before any connection is tried. Both drivers read options only when
 * they connect, so a value they refuse ({@code sslmode=bogus}) failed every reconnect for ever, and
 * one they ignore ({@code tcpKeepAlive=yes} is false, {@code SSLMode=require} is no option at all)
 * did nothing. The option names are pgjdbc's ({@link PGProperty}); enumerated values must be one of
 * its choices, spelled exactly (pgjdbc-ng, which the daemon's listener uses, is case-sensitive);
 * whole-number and true/false options must parse. Free-text options (paths, class names,
 * {@code options}) pass as given.
 */
final class ConnectionOptions {

  /** Part of the address, set by the URL's host, port and path, not as options. */
  private static final Set<String> ADDRESS = Set.of("PGHOST", "PGPORT", "PGDBNAME", "user", "password");

  /** pgjdbc options read as an int (pgjdbc fails the connect on anything else, or for some ignores it). */
  static final Set<String> WHOLE_NUMBERS = Set.of("adaptiveFetchMaximum", "adaptiveFetchMinimum", "cancelSignalTimeout",
      "connectTimeout", "databaseMetadataCacheFields", "databaseMetadataCacheFieldsMiB", "defaultRowFetchSize",
      "gssResponseTimeout", "hostRecheckSeconds", "loginTimeout", "maxSendBufferSize", "preparedStatementCacheQueries",
      "preparedStatementCacheSizeMiB", "prepareThreshold", "queryTimeout", "receiveBufferSize", "reWriteBatchedInsertsSize",
      "scramMaxIterations", "sendBufferSize", "socketTimeout", "sslResponseTimeout", "unknownLength");

  /** Of those, the ones a negative value makes no sense for (pgjdbc refuses a negative fetch size at connect). */
  static final Set<String> NON_NEGATIVE = Set.of("cancelSignalTimeout", "connectTimeout", "defaultRowFetchSize",
      "gssResponseTimeout", "hostRecheckSeconds", "loginTimeout", "queryTimeout", "socketTimeout", "sslResponseTimeout");

  /** pgjdbc options read as a boolean: anything but "true" silently means false. */
  static final Set<String> BOOLEANS = Set.of("adaptiveFetch", "allowEncodingChanges", "binaryTransfer", "convertBooleanToNumeric",
      "disableColumnSanitiser", "flushCacheOnDdl", "groupStartupParameters", "gssUseDefaultCreds", "hideUnprivilegedObjects",
      "jaasLogin", "loadBalanceHosts", "logServerErrorDetail", "logUnclosedConnections", "quoteReturningIdentifiers", "readOnly",
      "reWriteBatchedInserts", "ssl", "tcpKeepAlive", "tcpNoDelay", "useSpnego");

  /** Enumerated in pgjdbc but with more spellings than its list: "3.0" is a protocolVersion too. */
  private static final Set<String> CHOICES_NOT_CHECKED = Set.of("protocolVersion");

  private ConnectionOptions() {}

  /**
   * Checks one option.
   *
   * @param written the name as the URL spelled it, for the error
   * @param name its pgjdbc name
   * @throws IllegalArgumentException naming the option and saying what it accepts
   */
  static void check(String written, String name, String value) {
    PGProperty property = ADDRESS.contains(name) ? null : PGProperty.forName(name);
    if (property == null) {
      throw new IllegalArgumentException("unknown option '" + written + "' (not a pgjdbc connection property; names are"
          + " case-sensitive, e.g. sslmode, connectTimeout, ApplicationName)");
    }
    String[] choices = property.getChoices();
    if (choices != null && !CHOICES_NOT_CHECKED.contains(name)) {
      // requireAuth takes a comma-separated list of its choices
      String[] given = name.equals("requireAuth") ? value.split(",", -1) : new String[] {value};
      for (String each : given) {
        if (!Arrays.asList(choices).contains(each)) {
          throw new IllegalArgumentException(written + " '" + value + "' is not one of " + String.join(", ", choices));
        }
      }
    } else if (WHOLE_NUMBERS.contains(name)) {
      int number;
      try {
        number = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(written + " '" + value + "' is not a whole number");
      }
      if (number < 0 && NON_NEGATIVE.contains(name)) {
        throw new IllegalArgumentException(written + " '" + value + "' must be 0 or more");
      }
    } else if (BOOLEANS.contains(name) && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException(written + " '" + value + "' is not true or false");
    }
  }
}
