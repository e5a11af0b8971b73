package dev.dispatcher.service.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dispatcher.service.config.ConfigException;
import dev.dispatcher.service.registry.TaskScanner;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --classpath} as users ship tasks: a jar of tasks and the jars it depends on in one folder,
 * given as the folder or as Java's {@code folder/*}. The jars are compiled here, so that nothing of
 * them is on the test's own class path.
 */
class TaskClasspathTest {

  @TempDir
  Path directory;

  private Path lib;

  @BeforeEach
  void buildJars() throws IOException {
    Path sources = Files.createDirectories(directory.resolve("src"));
    Path classes = Files.createDirectories(directory.resolve("classes"));
    Files.createDirectories(sources.resolve("shipped/dep"));
    Files.createDirectories(sources.resolve("shipped/tasks"));
    Files.writeString(sources.resolve("shipped/dep/Greeting.java"),
        "package shipped.dep; public final class Greeting { public static String of(String who) { return \"hello \" + who; } }");
    Files.writeString(sources.resolve("shipped/tasks/ShippedTasks.java"), """
        package shipped.tasks;
        public final class ShippedTasks {
          @dev.dispatcher.Task(name = "shipped.greet")
          public static String greet(String who) { return shipped.dep.Greeting.of(who); }
        }
        """);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, null, "-d", classes.toString(), "-classpath", System.getProperty("java.class.path"),
        sources.resolve("shipped/dep/Greeting.java").toString(), sources.resolve("shipped/tasks/ShippedTasks.java").toString());
    assertThat(status).as("javac").isZero();
    lib = Files.createDirectories(directory.resolve("lib"));
    jar(classes, "shipped/dep", lib.resolve("greeting-1.0.jar"));
    jar(classes, "shipped/tasks", lib.resolve("app-tasks.jar"));
    Files.writeString(lib.resolve("README.txt"), "not a jar");
  }

  /** BUG: --classpath 'lib/*' was refused ("no such jar or folder"). */
  @Test
  void theJavaWildcardBringsEveryJarInTheFolder() throws Exception {
    TaskClasspath classpath = TaskClasspath.of(List.of(lib.resolve("*")));

    assertThat(classpath.entries()).containsExactly(lib.resolve("app-tasks.jar"), lib.resolve("greeting-1.0.jar"));
    assertTaskRunsWithItsDependency(classpath);
  }

  /** BUG: a folder of jars was scanned for class files only, and its jars were not on the task class path. */
  @Test
  void aFolderBringsItsClassesAndTheJarsInIt() throws Exception {
    TaskClasspath classpath = TaskClasspath.of(List.of(lib));

    assertThat(classpath.entries()).containsExactly(lib, lib.resolve("app-tasks.jar"), lib.resolve("greeting-1.0.jar"));
    assertTaskRunsWithItsDependency(classpath);
  }

  @Test
  void aJarIsTakenAsItIs() {
    assertThat(TaskClasspath.of(List.of(lib.resolve("app-tasks.jar"))).entries()).containsExactly(lib.resolve("app-tasks.jar"));
    assertThat(TaskClasspath.of(List.of()).loader(getClass().getClassLoader())).isSameAs(getClass().getClassLoader());
  }

  @Test
  void whatDoesNotExistOrIsNoJavaWildcardIsAConfigErrorNamingTheOption() {
    assertThatThrownBy(() -> TaskClasspath.of(List.of(directory.resolve("nope/*")))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("--classpath").hasMessageContaining("no such folder");
    assertThatThrownBy(() -> TaskClasspath.of(List.of(lib.resolve("missing.jar")))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("--classpath: no such jar or folder");
    assertThatThrownBy(() -> TaskClasspath.of(List.of(lib.resolve("*.jar")))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("the only wildcard is a last '*'");
  }

  private void assertTaskRunsWithItsDependency(TaskClasspath classpath) throws Exception {
    ClassLoader loader = classpath.loader(getClass().getClassLoader());
    List<Method> tasks = new TaskScanner(loader).scan(List.of(), List.of(), classpath.entries());
    assertThat(tasks).singleElement().extracting(Method::getName).isEqualTo("greet");
    assertThat(tasks.get(0).invoke(null, "you")).as("the task's own dependency loads from the same folder").isEqualTo("hello you");
  }

  private static void jar(Path classes, String packagePath, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
        Stream<Path> files = Files.walk(classes.resolve(packagePath))) {
      for (Path classFile : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(classFile).toString().replace('\\', '/')));
        Files.copy(classFile, out);
        out.closeEntry();
      }
    }
  }
}
