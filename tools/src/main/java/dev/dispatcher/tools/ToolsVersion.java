package dev.dispatcher.tools;

import picocli.CommandLine.IVersionProvider;

/** Reads the version Maven wrote into the jar manifest. */
public final class ToolsVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = DispatcherTools.class.getPackage().getImplementationVersion();
    return new String[] {"dispatcher-tools " + (version == null ? "(development build)" : version)};
  }
}
