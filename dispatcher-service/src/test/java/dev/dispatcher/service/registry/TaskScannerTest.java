package dev.dispatcher.service.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dispatcher.service.webhook.WebhookDelivery;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskScannerTest {

  /**
   * BUG: {@code make demo} and {@code make run} exited 2: the tools jar has the daemon shaded in, so
   * scanning it with --classpath found the webhook relay's task class (instance methods, no
   * no-argument constructor) and refused the config.
   */
  @Test
  void theDaemonsOwnTasksAreNotFoundInAScannedJarOrFolder() throws Exception {
    Path daemonClasses = Path.of(WebhookDelivery.class.getProtectionDomain().getCodeSource().getLocation().toURI());

    List<Method> found = new TaskScanner(getClass().getClassLoader()).scan(List.of("dev.dispatcher"), List.of(), List.of(daemonClasses));

    assertThat(found).noneMatch(method -> method.getDeclaringClass().getName().startsWith(TaskScanner.DAEMON_PACKAGE + "."));
  }
}
