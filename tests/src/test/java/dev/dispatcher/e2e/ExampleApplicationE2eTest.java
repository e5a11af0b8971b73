package dev.dispatcher.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dispatcher.tools.process.DaemonProcess;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example application as a user runs it (README, "Writing and publishing tasks"): built by the
 * normal build for Java 17, run on a Java 17 runtime as its own process, publishing to a real
 * Postgres; the daemon runs its tasks with nothing but the example's jar on {@code --classpath}
 * and examples/dispatcher.yml.
 *
 * <p>The Java 17 runtime is {@code $DISPATCHER_TEST_JAVA_17} (a java binary or a Java home), else
 * what {@code scripts/find-java.sh --major 17} finds. Without one the test cannot show the floor:
 * under CI ({@code CI} set) it fails, elsewhere it is skipped, saying why either way.
 */
@ExtendWith(PostgresExtension.class)
class ExampleApplicationE2eTest {

  private static final Path EXAMPLE = Path.of(System.getProperty("dispatcher.example.dir", "../examples"));
  private static final Path ROOT = Path.of(System.getProperty("dispatcher.project.root", ".."));
  private static final String VERSION = System.getProperty("dispatcher.version", "0.1.0-SNAPSHOT");
  /** The class file version of Java 17. */
  private static final int JAVA_17_CLASS_FILES = 61;
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** {@code published <uuid> <call>}, {@code committed ...}, {@code rolled-back ...}: one line per submission. */
  private static final Pattern SUBMISSION = Pattern.compile("^(published|committed|rolled-back) (\\S+) (.+)$");

  private record Submission(String what, String uuid, String call) {}

  @Test
  void theExampleAppOnJava17PublishesAndTheDaemonRunsItsTasksFromItsJar(TestDatabase database, @TempDir Path directory)
      throws Exception {
    Path java17 = java17();
    Path jar = EXAMPLE.resolve("target/dispatcher-example.jar");
    Path publisherJar = EXAMPLE.resolve("target/lib/dispatcher-publisher-" + VERSION + ".jar");
    assertThat(jar).as("the example's jar (built by the normal build)").isRegularFile();
    assertThat(publisherJar).as("the example must depend on this version of the publisher (examples/pom.xml, dispatcher.version)")
        .isRegularFile();
    assertThat(classFileMajor(jar, "com/example/shop/ShopApp.class")).isEqualTo(JAVA_17_CLASS_FILES);
    assertThat(classFileMajor(publisherJar, "dev/dispatcher/Publisher.class")).isEqualTo(JAVA_17_CLASS_FILES);

    try (DaemonProcess daemon = DaemonProcess.start(Daemon.DAEMON_JAR,
        List.of("--config", EXAMPLE.resolve("dispatcher.yml").toString(), "--classpath", jar.toString()),
        Map.of("DISPATCHER_DATABASE_URL", database.url()), directory.resolve("daemon.log"))) {
      daemon.awaitReady(Duration.ofSeconds(60));

      List<Submission> submissions = runApp(java17, jar, database.url(), directory);

      assertThat(submissions).extracting(Submission::what)
          .containsExactly("published", "published", "committed", "rolled-back", "published");
      for (Submission ran : submissions) {
        if (ran.what().equals("rolled-back")) {
          continue;
        }
        assertThat(daemon.awaitLine(line -> line.contains("task " + ran.uuid()) && line.contains("succeeded"), WAIT))
            .as("%s %s ran; daemon output:%n%s", ran.uuid(), ran.call(), daemon.output()).isTrue();
      }
      assertThat(daemon.linesContaining("task " + submissions.get(0).uuid())).singleElement().asString()
          .contains("com.example.shop.ShopTasks.audit").contains("-> audited 'shop opened' as " + submissions.get(0).uuid());
      assertThat(daemon.linesContaining("task " + submissions.get(1).uuid())).singleElement().asString()
          .contains("shop.restock").contains("-> restocked 10 x sku-42");
      Matcher order = Pattern.compile("sendReceipt\\((\\d+), ada@example.com\\)").matcher(submissions.get(2).call());
      assertThat(order.matches()).isTrue();
      assertThat(daemon.linesContaining("task " + submissions.get(2).uuid())).singleElement().asString()
          .contains("-> receipt for order " + order.group(1) + " sent to ada@example.com");
      // the last one ran, and notifications arrive in commit order: a published rollback would have too
      assertThat(daemon.output()).doesNotContain(submissions.get(3).uuid());
    }
  }

  private static List<Submission> runApp(Path java, Path jar, String url, Path directory) throws Exception {
    Path output = directory.resolve("app.log");
    Process app = new ProcessBuilder(java.toString(), "-cp", jar + File.pathSeparator + EXAMPLE.resolve("target/lib/*"),
        "com.example.shop.ShopApp", url)
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!app.waitFor(60, TimeUnit.SECONDS)) {
      app.destroyForcibly();
      fail("the example app did not finish within 60 s; its output:\n" + Files.readString(output));
    }
    String text = Files.readString(output);
    assertThat(app.exitValue()).as("exit status of the example app on %s; its output:%n%s", java, text).isZero();
    List<Submission> submissions = new ArrayList<>();
    for (String line : text.split("\\R")) {
      Matcher matcher = SUBMISSION.matcher(line);
      if (matcher.matches()) {
        submissions.add(new Submission(matcher.group(1), matcher.group(2), matcher.group(3)));
      }
    }
    return submissions;
  }

  /** The major version of one class in a jar (61 is Java 17, 65 Java 21). */
  private static int classFileMajor(Path jar, String entry) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      JarEntry found = file.getJarEntry(entry);
      assertThat(found).as("%s in %s", entry, jar).isNotNull();
      try (InputStream in = file.getInputStream(found); DataInputStream data = new DataInputStream(in)) {
        assertThat(data.readInt()).as("class file magic").isEqualTo(0xCAFEBABE);
        data.readUnsignedShort(); // minor
        return data.readUnsignedShort();
      }
    }
  }

  /** A Java 17 runtime, or the test stops here saying why (failing under CI). */
  private static Path java17() throws Exception {
    String given = System.getenv("DISPATCHER_TEST_JAVA_17");
    String problem;
    if (given != null && !given.isBlank()) {
      Path path = Path.of(given);
      Path java = Files.isDirectory(path) ? path.resolve("bin/java") : path;
      if (Files.isExecutable(java) && isJava17(java)) {
        return java;
      }
      problem = "DISPATCHER_TEST_JAVA_17=" + given + " is not a Java 17 runtime (a java binary or a Java home)";
    } else {
      Process find = new ProcessBuilder("bash", ROOT.resolve("scripts/find-java.sh").toString(), "--major", "17").start();
      String out = new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      String err = new String(find.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (find.waitFor() == 0 && !out.isEmpty()) {
        return Path.of(out);
      }
      problem = "scripts/find-java.sh --major 17: " + err;
    }
    String why = "cannot show that a Java 17 application can use the publisher library: " + problem
        + ". Install a Java 17 runtime (e.g. apt-get install openjdk-17-jre-headless) or set DISPATCHER_TEST_JAVA_17.";
    if (System.getenv("CI") != null) {
      fail(why);
    }
    System.err.println("SKIPPED " + ExampleApplicationE2eTest.class.getSimpleName() + ": " + why);
    assumeTrue(false, why);
    return null;
  }

  private static boolean isJava17(Path java) throws Exception {
    Process version = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
    String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return version.waitFor() == 0 && Pattern.compile("version \"17[.\"]").matcher(text).find();
  }
}
