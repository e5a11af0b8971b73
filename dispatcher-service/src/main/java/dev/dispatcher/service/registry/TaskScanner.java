package dev.dispatcher.service.registry;

import dev.dispatcher.Task;
import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.MethodInfo;
import io.github.classgraph.ScanResult;
import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds {@code @Task} methods without loading every class: ClassGraph reads class files, and only
 * the classes that carry the annotation are loaded. Scans the configured packages and classes, and
 * every class in the extra jars and folders given with {@code --classpath}. The daemon's own
 * package ({@value #DAEMON_PACKAGE}) is never scanned: its built-in tasks (the webhook relay) are
 * registered by their config, and a jar of tasks shaded with the daemon inside (the demo's tools
 * jar, an application's fat jar) must not register them behind the operator's back.
 */
public final class TaskScanner {

  static final String DAEMON_PACKAGE = "dev.dispatcher.service";

  private final ClassLoader loader;

  public TaskScanner(ClassLoader loader) {
    this.loader = loader;
  }

  /**
   * @param packages packages (with sub-packages) to scan on the whole class path
   * @param classes single classes to scan
   * @param extraClasspath jars and folders scanned in full
   * @throws IllegalArgumentException naming a configured class that does not exist
   */
  public List<Method> scan(List<String> packages, List<String> classes, List<Path> extraClasspath) {
    Map<String, Method> found = new LinkedHashMap<>();
    if (!packages.isEmpty() || !classes.isEmpty()) {
      ClassGraph graph = base().overrideClassLoaders(loader);
      if (!packages.isEmpty()) {
        graph.acceptPackages(packages.toArray(String[]::new));
      }
      if (!classes.isEmpty()) {
        graph.acceptClasses(classes.toArray(String[]::new));
      }
      collect(graph, found);
    }
    if (!extraClasspath.isEmpty()) {
      List<String> entries = new ArrayList<>();
      for (Path entry : extraClasspath) {
        entries.add(entry.toAbsolutePath().toString());
      }
      collect(base().overrideClasspath(String.join(File.pathSeparator, entries)), found);
    }
    for (String className : classes) {
      try {
        Class.forName(className, false, loader);
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("task class '" + className + "' was not found on the class path");
      }
    }
    return new ArrayList<>(found.values());
  }

  private static ClassGraph base() {
    return new ClassGraph().enableClassInfo().enableMethodInfo().enableAnnotationInfo().ignoreMethodVisibility()
        .rejectPackages(DAEMON_PACKAGE);
  }

  private void collect(ClassGraph graph, Map<String, Method> found) {
    try (ScanResult result = graph.scan()) {
      for (ClassInfo classInfo : result.getClassesWithMethodAnnotation(Task.class)) {
        Class<?> type;
        try {
          type = Class.forName(classInfo.getName(), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
          throw new IllegalArgumentException("task class " + classInfo.getName() + " cannot be loaded: " + e, e);
        }
        for (MethodInfo methodInfo : classInfo.getDeclaredMethodInfo()) {
          if (!methodInfo.hasAnnotation(Task.class)) {
            continue;
          }
          for (Method method : type.getDeclaredMethods()) {
            if (method.isAnnotationPresent(Task.class) && method.getName().equals(methodInfo.getName())) {
              found.putIfAbsent(method.toGenericString(), method);
            }
          }
        }
      }
    }
  }
}
