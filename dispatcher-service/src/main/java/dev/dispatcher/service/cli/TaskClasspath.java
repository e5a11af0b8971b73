package dev.dispatcher.service.cli;

import dev.dispatcher.service.config.ConfigException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code --classpath} entries as jars and folders: a jar; a folder of classes, and the jars
 * directly in it (a task's own dependencies shipped beside it); {@code folder/*}, Java's wildcard,
 * for the jars directly in the folder only. Every entry must exist: a typo is a configuration
 * error naming {@code --classpath}, not a daemon without its tasks.
 */
final class TaskClasspath {

  private static final String KEY = "--classpath";

  private final List<Path> entries;

  private TaskClasspath(List<Path> entries) {
    this.entries = List.copyOf(entries);
  }

  /** @throws ConfigException naming {@code --classpath} for an entry that does not exist or a wildcard Java would not take */
  static TaskClasspath of(List<Path> given) {
    List<Path> entries = new ArrayList<>();
    for (Path entry : given) {
      String text = entry.toString();
      Path name = entry.getFileName();
      if (name != null && name.toString().equals("*")) {
        Path folder = entry.getParent() == null ? Path.of(".") : entry.getParent();
        if (!Files.isDirectory(folder)) {
          throw new ConfigException(KEY, "no such folder: " + folder.toAbsolutePath() + " (in " + text + ")");
        }
        entries.addAll(jarsIn(folder));
      } else if (text.contains("*")) {
        throw new ConfigException(KEY, "'" + text + "': the only wildcard is a last '*', for every jar in a folder (e.g. 'lib/*')");
      } else if (Files.isDirectory(entry)) {
        entries.add(entry);
        entries.addAll(jarsIn(entry));
      } else if (Files.isRegularFile(entry)) {
        entries.add(entry);
      } else {
        throw new ConfigException(KEY, "no such jar or folder: " + entry.toAbsolutePath());
      }
    }
    return new TaskClasspath(entries);
  }

  /** Jars and class folders, in the order given (each folder's jars by name, after it). */
  List<Path> entries() {
    return entries;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** A loader of these entries in front of {@code parent} (which is asked first: the daemon's own libraries win). */
  ClassLoader loader(ClassLoader parent) {
    if (entries.isEmpty()) {
      return parent;
    }
    List<URL> urls = new ArrayList<>();
    for (Path entry : entries) {
      try {
        urls.add(entry.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new ConfigException(KEY, "not a usable path: " + entry);
      }
    }
    return new URLClassLoader("tasks", urls.toArray(URL[]::new), parent);
  }

  /** The jars directly in a folder, by name; as Java's {@code folder/*}, not those in sub-folders. */
  private static List<Path> jarsIn(Path folder) {
    List<Path> jars = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
      for (Path file : files) {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar") && Files.isRegularFile(file)) {
          jars.add(file);
        }
      }
    } catch (IOException e) {
      throw new ConfigException(KEY, "cannot read the folder " + folder.toAbsolutePath() + ": " + e.getMessage());
    }
    jars.sort(null);
    return jars;
  }

  @Override
  public String toString() {
    return entries.toString();
  }
}
