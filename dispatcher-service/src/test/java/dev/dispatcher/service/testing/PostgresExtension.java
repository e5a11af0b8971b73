package dev.dispatcher.service.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link TestDatabase}: one per test run, started on first use and closed when the
 * run ends (it lives in the root context's store).
 */
public final class PostgresExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(TestDatabase.class, type -> new Resource(TestDatabase.start()), Resource.class)
        .database();
  }

  /** Closes the database when the root context closes. */
  private record Resource(TestDatabase database) implements AutoCloseable {
    @Override
    public void close() {
      database.close();
    }
  }
}
