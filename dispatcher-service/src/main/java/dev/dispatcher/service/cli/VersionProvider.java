package dev.dispatcher.service.cli;

import picocli.CommandLine.IVersionProvider;

/** The version Maven wrote into the jar manifest. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = VersionProvider.class.getPackage().getImplementationVersion();
    return new String[] {"dispatcher-standalone " + (version == null ? "(development build)" : version),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
  }
}
