package dev.dispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

  /** What pgjdbc itself reads from a URL (pure string parsing, no connection). */
  private static Properties pgjdbcReads(String jdbcUrl) {
    Properties properties = org.postgresql.Driver.parseURL(jdbcUrl, new Properties());
    assertThat(properties).as("pgjdbc accepts %s", jdbcUrl).isNotNull();
    return properties;
  }

  @Test
  void uriFormWithEverything() {
    DatabaseUrl url = DatabaseUrl.parse(
        "postgresql://us%40er:p%40ss%3Aw%2Fd%20x%25+@db.example.com:6543/appdb?sslmode=require");

    assertThat(url.host()).isEqualTo("db.example.com");
    assertThat(url.port()).isEqualTo(6543);
    assertThat(url.database()).isEqualTo("appdb");
    assertThat(url.user()).isEqualTo("us@er");
    assertThat(url.password()).isEqualTo("p@ss:w/d x%+");
    assertThat(url.options()).isEqualTo(Map.of("sslmode", "require"));
  }

  @Test
  void postgresSchemeIsAnAlias() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://app:secret@db.example.com/appdb");
    assertThat(url).isEqualTo(new DatabaseUrl("db.example.com", 5432, "appdb", "app", "secret", Map.of()));
  }

  @Test
  void jdbcFormWithCredentialsInTheQuery() {
    DatabaseUrl url = DatabaseUrl.parse(
        "jdbc:postgresql://db.example.com/appdb?user=app&password=s%26cret%3D&sslmode=verify-full");

    assertThat(url.host()).isEqualTo("db.example.com");
    assertThat(url.port()).isEqualTo(5432);
    assertThat(url.database()).isEqualTo("appdb");
    assertThat(url.user()).isEqualTo("app");
    assertThat(url.password()).isEqualTo("s&cret=");
    assertThat(url.options()).isEqualTo(Map.of("sslmode", "verify-full"));
  }

  @Test
  void libpqKeyValueWithQuotedValues() {
    DatabaseUrl url = DatabaseUrl.parse("host=db.local port = 5433 dbname=app user=alice"
        + " password='my \\'secret\\' pass' sslmode=verify-full application_name='nightly job' connect_timeout=10");

    assertThat(url.host()).isEqualTo("db.local");
    assertThat(url.port()).isEqualTo(5433);
    assertThat(url.database()).isEqualTo("app");
    assertThat(url.user()).isEqualTo("alice");
    assertThat(url.password()).isEqualTo("my 'secret' pass");
    assertThat(url.options()).isEqualTo(Map.of(
        "sslmode", "verify-full", "ApplicationName", "nightly job", "connectTimeout", "10"));
  }

  @Test
  void defaultsArePort5432AndDatabaseNamedAfterTheUser() {
    assertThat(DatabaseUrl.parse("postgresql://bob@db.local"))
        .isEqualTo(new DatabaseUrl("db.local", 5432, "bob", "bob", null, Map.of()));
    assertThat(DatabaseUrl.parse("postgresql://bob:pw@db.local/"))
        .isEqualTo(new DatabaseUrl("db.local", 5432, "bob", "bob", "pw", Map.of()));
    assertThat(DatabaseUrl.parse("user=bob"))
        .isEqualTo(new DatabaseUrl("localhost", 5432, "bob", "bob", null, Map.of()));
    assertThat(DatabaseUrl.parse("postgresql://db.local").database()).isEqualTo("postgres");
    assertThat(DatabaseUrl.parse("host=db.local").database()).isEqualTo("postgres");
  }

  @Test
  void unsupportedLibpqKeyIsRejectedNamingIt() {
    assertThatThrownBy(() -> DatabaseUrl.parse("host=db colour=blue"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'colour'");
  }

  @Test
  void garbageIsRejected() {
    for (String garbage : new String[] {"", "   ", "not a url", "mysql://u@h/db", "postgresql://", "postgresql:///db",
        "host=db port=fifty", "host='unterminated"}) {
      assertThatThrownBy(() -> DatabaseUrl.parse(garbage))
          .as("'%s'", garbage)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> DatabaseUrl.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toStringNeverShowsThePassword() {
    for (String text : new String[] {
        "postgresql://app:hunter2@db/app",
        "jdbc:postgresql://db/app?user=app&password=hunter2",
        "host=db user=app password='hunter2'",
        "postgresql://db/app?password=hunter2"}) {
      DatabaseUrl url = DatabaseUrl.parse(text);
      assertThat(url.password()).isEqualTo("hunter2");
      assertThat(url.toString()).as(text).doesNotContain("hunter2");
    }
    assertThat(DatabaseUrl.parse("postgresql://app:hunter2@db:5433/app").toString())
        .isEqualTo("postgresql://app:***@db:5433/app");
  }

  @Test
  void errorsNeverShowThePassword() {
    for (String text : new String[] {
        "postgresql://app:hunter2@/app",
        "postgresql://app:hun ter2@db/app",
        "host=db password=hunter2 colour=blue",
        "host=db password='hunter2"}) {
      assertThatThrownBy(() -> DatabaseUrl.parse(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }
  }

  @Test
  void pgjdbcUrlCarriesHostPortDatabaseAndOptionsButNoCredentials() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://app:secret@db.example.com:6543/appdb?sslmode=require");
    assertThat(url.pgjdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/appdb?sslmode=require");

    DatabaseUrl libpq = DatabaseUrl.parse("host=db user=app password=pw dbname=app application_name='nightly job'"
        + " sslmode=disable");
    assertThat(libpq.pgjdbcUrl()).startsWith("jdbc:postgresql://db:5432/app?").doesNotContain("pw");
    Properties read = pgjdbcReads(libpq.pgjdbcUrl());
    assertThat(read.getProperty("PGHOST")).isEqualTo("db");
    assertThat(read.getProperty("PGPORT")).isEqualTo("5432");
    assertThat(read.getProperty("PGDBNAME")).isEqualTo("app");
    assertThat(read.getProperty("ApplicationName")).isEqualTo("nightly job");
    assertThat(read.getProperty("sslmode")).isEqualTo("disable");
  }

  @Test
  void pgjdbcNgUrlUsesItsOwnSchemeAndOptionNames() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://app:secret@db.example.com:6543/appdb?sslmode=require");
    assertThat(url.pgjdbcNgUrl()).isEqualTo("jdbc:pgsql://db.example.com:6543/appdb?sslMode=require");

    DatabaseUrl named = DatabaseUrl.parse("host=db dbname=app application_name=worker");
    // pgjdbc-ng knows the application name as application.name, alias application_name
    assertThat(named.pgjdbcNgUrl()).isEqualTo("jdbc:pgsql://db:5432/app?application_name=worker");

    assertThat(DatabaseUrl.parse("host=db dbname=app connect_timeout=5").pgjdbcNgUrl())
        .isEqualTo("jdbc:pgsql://db:5432/app");
  }

  @Test
  void withDefaultOptionAddsOnlyWhenAbsent() {
    DatabaseUrl bare = DatabaseUrl.parse("postgresql://app:pw@db/app");
    DatabaseUrl named = bare.withDefaultOption("ApplicationName", "dispatcher-listener n1");
    assertThat(named.options()).isEqualTo(Map.of("ApplicationName", "dispatcher-listener n1"));
    assertThat(named.password()).isEqualTo("pw");
    assertThat(bare.options()).isEmpty();
    assertThat(named.pgjdbcNgUrl()).isEqualTo("jdbc:pgsql://db:5432/app?application_name=dispatcher-listener%20n1");

    DatabaseUrl already = DatabaseUrl.parse("host=db dbname=app application_name=mine");
    assertThat(already.withDefaultOption("ApplicationName", "other")).isSameAs(already);
  }

  @Test
  void ipv6LiteralFromKeyValueIsBracketedOnce() {
    DatabaseUrl url = DatabaseUrl.parse("host=::1 port=5433 dbname=app");
    assertThat(url.host()).isEqualTo("::1");
    assertThat(url.pgjdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/app");
  }

  /** BUG: java.net.URI.getHost() keeps the brackets of an IPv6 literal, and hostPort() adds a second pair. */
  @Test
  void ipv6LiteralFromUriIsBracketedOnce() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://app@[::1]:5433/app");
    assertThat(url.host()).isEqualTo("::1");
    assertThat(url.pgjdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/app");
    assertThat(url.pgjdbcNgUrl()).isEqualTo("jdbc:pgsql://[::1]:5433/app");
    assertThat(url.toString()).isEqualTo("postgresql://app@[::1]:5433/app");
  }

  /** BUG: java.net.URI only knows RFC 2396 host names; libpq accepts "db_primary" (e.g. a compose service). */
  @Test
  void hostNameWithUnderscoreIsAccepted() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://app:pw@db_primary:5432/app");
    assertThat(url.host()).isEqualTo("db_primary");
    assertThat(url.pgjdbcUrl()).isEqualTo("jdbc:postgresql://db_primary:5432/app");
  }

  /** BUG: the database name goes into the JDBC URL unencoded, and pgjdbc percent-decodes it. */
  @Test
  void databaseNameSurvivesTheJdbcUrl() {
    for (String name : new String[] {"my db", "a+b", "100%"}) {
      DatabaseUrl url = new DatabaseUrl("db", 5432, name, "app", null, Map.of());
      assertThat(pgjdbcReads(url.pgjdbcUrl()).getProperty("PGDBNAME")).as("database '%s'", name).isEqualTo(name);
    }
  }

  /** BUG: sslmode=bogus passed, and the daemon then failed every reconnect for ever. */
  @Test
  void anEnumeratedOptionMustBeOneOfItsValues() {
    for (String text : new String[] {"postgresql://app@db/app?sslmode=bogus", "host=db sslmode=bogus",
        "jdbc:postgresql://db/app?user=app&sslmode=bogus"}) {
      assertThatThrownBy(() -> DatabaseUrl.parse(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("database URL: sslmode 'bogus' is not one of disable, allow, prefer, require, verify-ca, verify-full");
    }
    // pgjdbc reads DISABLE, but pgjdbc-ng (the listener) refuses it at every connect
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db/app?sslmode=DISABLE")).hasMessageContaining("sslmode 'DISABLE'");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db/app?targetServerType=leader"))
        .hasMessageContaining("targetServerType 'leader' is not one of any, primary,");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db/app?requireAuth=scram-sha-256,kerberos"))
        .hasMessageContaining("requireAuth 'scram-sha-256,kerberos' is not one of password, md5,");
  }

  @Test
  void numericAndBooleanOptionsMustParse() {
    assertThatThrownBy(() -> DatabaseUrl.parse("host=db connect_timeout=soon"))
        .hasMessage("database URL: connect_timeout 'soon' is not a whole number");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db/app?connect_timeout=-1"))
        .hasMessage("database URL: connect_timeout '-1' must be 0 or more");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db/app?socketTimeout=99999999999"))
        .hasMessage("database URL: socketTimeout '99999999999' is not a whole number");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db/app?tcpKeepAlive=yes"))
        .hasMessage("database URL: tcpKeepAlive 'yes' is not true or false");
  }

  @Test
  void anUnknownOptionNameIsRefusedNamingIt() {
    for (String name : new String[] {"sslmod", "SSLMode", "PGHOST", "target_session_attrs"}) {
      assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://app@db/app?" + name + "=x"))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("database URL: unknown option '" + name + "'");
    }
  }

  @Test
  void validOptionsPassInEveryForm() {
    for (String mode : new String[] {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}) {
      assertThat(DatabaseUrl.parse("postgresql://app@db/app?sslmode=" + mode).options()).containsEntry("sslmode", mode);
      assertThat(DatabaseUrl.parse("host=db sslmode=" + mode).options()).containsEntry("sslmode", mode);
    }
    DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://db/app?user=app&connect_timeout=5&socketTimeout=0&tcpKeepAlive=TRUE"
        + "&ssl=true&sslrootcert=/etc/ssl/root.crt&sslcert=c.pem&sslkey=k.pk8&application_name=x%20y&options=-c%20search_path%3Dapp"
        + "&targetServerType=primary&requireAuth=password,scram-sha-256&loggerLevel=OFF&receiveBufferSize=-1&protocolVersion=3.0");
    assertThat(url.options()).containsEntry("connectTimeout", "5").containsEntry("ApplicationName", "x y")
        .containsEntry("options", "-c search_path=app").containsEntry("requireAuth", "password,scram-sha-256").hasSize(14);
    assertThat(pgjdbcReads(url.pgjdbcUrl())).containsEntry("tcpKeepAlive", "TRUE");
    assertThat(DatabaseUrl.parse("host=db sslrootcert=/r.crt sslcert=/c.pem sslkey=/k.pk8 application_name=a connect_timeout=10"
        + " options='-c statement_timeout=5s'").options()).hasSize(6);
  }

  /** The option lists are ours; each name must still be a pgjdbc property of that kind. */
  @Test
  void theTypedOptionListsMatchPgjdbcsProperties() {
    for (String name : ConnectionOptions.WHOLE_NUMBERS) {
      org.postgresql.PGProperty property = org.postgresql.PGProperty.forName(name);
      assertThat(property).as(name).isNotNull();
      assertThat(property.getDefaultValue()).as(name).matches("-?[0-9]+");
    }
    assertThat(ConnectionOptions.WHOLE_NUMBERS).containsAll(ConnectionOptions.NON_NEGATIVE);
    for (String name : ConnectionOptions.BOOLEANS) {
      org.postgresql.PGProperty property = org.postgresql.PGProperty.forName(name);
      assertThat(property).as(name).isNotNull();
      assertThat(property.getDefaultValue()).as(name).isIn("true", "false", null);
    }
    for (org.postgresql.PGProperty property : org.postgresql.PGProperty.values()) {
      String value = property.getDefaultValue();
      if (property.getChoices() == null && value != null && value.matches("true|false")) {
        assertThat(ConnectionOptions.BOOLEANS).as("boolean %s", property.getName()).contains(property.getName());
      }
      if (property.getChoices() == null && value != null && value.matches("-?[0-9]+") && !property.getName().equals("PGPORT")) {
        assertThat(ConnectionOptions.WHOLE_NUMBERS).as("whole number %s", property.getName()).contains(property.getName());
      }
    }
  }
}
