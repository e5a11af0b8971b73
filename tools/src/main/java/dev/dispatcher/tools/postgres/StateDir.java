package dev.dispatcher.tools.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The files through which `postgres start`, `stop` and `status` know what an earlier command
 * started: the background server's pid and log, its postmaster's pid, or the Docker container id.
 */
final class StateDir {

  private final Path dir;

  StateDir(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** Output of the background `postgres serve` JVM. */
  Path logFile() {
    return dir.resolve("postgres.log");
  }

  /** Pid of the background `postgres serve` JVM. */
  Path serverPidFile() {
    return dir.resolve("postgres.pid");
  }

  /** Pid of the postmaster that JVM runs, written by `serve` for a forced stop. */
  Path postmasterPidFile() {
    return dir.resolve("postgres.postmaster.pid");
  }

  /** The background server's private copy of the tools jar. */
  Path serverJarFile() {
    return dir.resolve("postgres-server.jar");
  }

  /** Id of the Docker container `postgres start` ran. */
  Path containerFile() {
    return dir.resolve("postgres.container");
  }

  void createDirectory() {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DemoDatabaseException(
          "cannot create state directory " + dir + ": " + Messages.oneLine(e), e);
    }
  }

  OptionalLong readServerPid() {
    return readPid(serverPidFile());
  }

  OptionalLong readPostmasterPid() {
    return readPid(postmasterPidFile());
  }

  Optional<String> readContainer() {
    return read(containerFile()).filter(id -> !id.isEmpty());
  }

  void writeServerPid(long pid) {
    write(serverPidFile(), Long.toString(pid));
  }

  void writePostmasterPid(long pid) {
    write(postmasterPidFile(), Long.toString(pid));
  }

  void writeContainer(String container) {
    write(containerFile(), container);
  }

  /**
   * Copies {@code jar} to {@link #serverJarFile()} by write-then-rename: a server still running
   * from an earlier copy keeps its open file, the new server gets the new one.
   */
  Path installServerJar(Path jar) {
    Path target = serverJarFile();
    replace(target, temporary -> Files.copy(jar, temporary, StandardCopyOption.REPLACE_EXISTING));
    return target;
  }

  /** Forgets the background server; the log stays for reading after a failure. */
  void forgetServer() {
    delete(serverPidFile());
    delete(postmasterPidFile());
    delete(serverJarFile());
  }

  void forgetPostmaster() {
    delete(postmasterPidFile());
  }

  void forgetContainer() {
    delete(containerFile());
  }

  private OptionalLong readPid(Path file) {
    Optional<String> text = read(file);
    if (text.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text.get()));
    } catch (NumberFormatException e) {
      // A truncated or hand-edited file names no process we could safely signal.
      return OptionalLong.empty();
    }
  }

  private Optional<String> read(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file).strip());
    } catch (IOException e) {
      throw new DemoDatabaseException("cannot read " + file + ": " + Messages.oneLine(e), e);
    }
  }

  private void write(Path file, String content) {
    replace(file, temporary -> Files.writeString(temporary, content + System.lineSeparator()));
  }

  /** Fills a temporary file, then renames it over {@code file}: readers never see half of it. */
  private void replace(Path file, FileFiller filler) {
    createDirectory();
    Path temporary = null;
    try {
      temporary = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      filler.fill(temporary);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (temporary != null) {
        temporary.toFile().delete();
      }
      throw new DemoDatabaseException("cannot write " + file + ": " + Messages.oneLine(e), e);
    }
  }

  /** Writes the content of a file that is about to replace another. */
  @FunctionalInterface
  private interface FileFiller {
    void fill(Path temporary) throws IOException;
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new DemoDatabaseException("cannot delete " + file + ": " + Messages.oneLine(e), e);
    }
  }
}
