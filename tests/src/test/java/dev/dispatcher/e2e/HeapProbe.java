package dev.dispatcher.e2e;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.UndeclaredThrowableException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads the heap of another JVM on this machine (the daemon process) through the attach API and
 * its local JMX agent: bytes in use now, and the live heap, in use right after a full GC.
 */
final class HeapProbe implements AutoCloseable {

  private final VirtualMachine vm;
  private final JMXConnector connector;
  private final MemoryMXBean memory;

  private HeapProbe(VirtualMachine vm, JMXConnector connector, MemoryMXBean memory) {
    this.vm = vm;
    this.connector = connector;
    this.memory = memory;
  }

  static HeapProbe attach(long pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    try {
      JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
      MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
          ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
      return new HeapProbe(vm, connector, memory);
    } catch (Exception e) {
      vm.detach();
      throw e;
    }
  }

  /** Heap bytes in use now, garbage included. */
  long usedBytes() throws IOException {
    try {
      return memory.getHeapMemoryUsage().getUsed();
    } catch (UndeclaredThrowableException e) {
      throw new IOException("the daemon's JMX agent did not answer: " + e.getCause(), e.getCause());
    }
  }

  /** The maximum heap size (-Xmx). */
  long maxBytes() throws IOException {
    try {
      return memory.getHeapMemoryUsage().getMax();
    } catch (UndeclaredThrowableException e) {
      throw new IOException("the daemon's JMX agent did not answer: " + e.getCause(), e.getCause());
    }
  }

  /** Runs a full GC in the daemon (System.gc(): with G1 a stop-the-world full collection) and returns what is still in use. */
  long liveBytes() throws IOException {
    try {
      memory.gc();
    } catch (UndeclaredThrowableException e) {
      throw new IOException("the daemon's JMX agent did not answer: " + e.getCause(), e.getCause());
    }
    return usedBytes();
  }

  @Override
  public void close() throws IOException {
    try {
      connector.close();
    } catch (IOException e) {
      // the daemon may be gone already
    } finally {
      vm.detach();
    }
  }
}
