package dev.dispatcher.service;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Data flows one way through the daemon: no package depends, however indirectly, on one that depends on it. */
class ArchitectureTest {

  private static final JavaClasses DAEMON = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.dispatcher.service");

  @Test
  void everyPackageOfTheDaemonIsFreeOfCycles() {
    // each package its own slice (dev.dispatcher.service.producers and .producers.schedule apart)
    slices().matching("dev.dispatcher.(**)").should().beFreeOfCycles().check(DAEMON);
  }
}
