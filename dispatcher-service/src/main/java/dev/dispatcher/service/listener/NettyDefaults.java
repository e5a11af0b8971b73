package dev.dispatcher.service.listener;

/**
 * Netty settings for the one listener connection, applied before pgjdbc-ng loads Netty. On JDK 24+
 * Netty's use of {@code sun.misc.Unsafe} memory methods and of native transports prints
 * warnings at start-up; a single low-volume connection gains nothing from either, so both are off
 * unless the operator set the properties explicitly.
 */
public final class NettyDefaults {

  private NettyDefaults() {}

  public static void apply() {
    setIfAbsent("io.netty.noUnsafe", "true");
    setIfAbsent("io.netty.transport.noNative", "true");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
