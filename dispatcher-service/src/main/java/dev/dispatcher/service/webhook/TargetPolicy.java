package dev.dispatcher.service.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which addresses the webhook relay may call. With an empty allow-list: any public address, never
 * a loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10), link-local (169.254/16,
 * fe80::/10), multicast, unspecified or reserved one — a task message must not reach the daemon's
 * own network. With an allow-list: only the hosts and CIDR ranges it lists, private ones too. Every
 * address a host resolves to must pass. (A name that resolves differently between this check and
 * the connection is not caught: list addresses, not names, where that matters.)
 */
final class TargetPolicy {

  private record Range(byte[] network, int prefix) {
    boolean contains(InetAddress address) {
      byte[] bytes = address.getAddress();
      if (bytes.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (bytes[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (bytes[full] & mask) == (network[full] & mask);
    }
  }

  private final List<String> hosts = new ArrayList<>();
  private final List<Range> ranges = new ArrayList<>();

  /**
   * @param allow host names and CIDR ranges ({@code 10.0.0.0/8}, {@code 127.0.0.1/32}, {@code ::1/128})
   * @throws IllegalArgumentException naming an entry that is neither
   */
  TargetPolicy(List<String> allow) {
    for (String entry : allow) {
      int slash = entry.indexOf('/');
      if (slash < 0) {
        hosts.add(entry.toLowerCase(Locale.ROOT));
        continue;
      }
      ranges.add(range(entry, slash));
    }
  }

  private static Range range(String entry, int slash) {
    String address = entry.substring(0, slash);
    if (!address.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("'" + entry + "' is not a CIDR range such as 10.0.0.0/8");
    }
    try {
      byte[] network = InetAddress.getByName(address).getAddress(); // a literal: no lookup
      int prefix = Integer.parseInt(entry.substring(slash + 1));
      if (prefix < 0 || prefix > network.length * 8) {
        throw new IllegalArgumentException("'" + entry + "' has a prefix outside 0-" + network.length * 8);
      }
      return new Range(network, prefix);
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + entry + "' is not a CIDR range such as 10.0.0.0/8");
    }
  }

  /** Why the host may not be called, or null when it may. */
  String refusal(String host, List<InetAddress> addresses) {
    if (addresses.isEmpty()) {
      return "host " + host + " resolves to no address";
    }
    boolean listedHost = hosts.contains(host.toLowerCase(Locale.ROOT));
    for (InetAddress address : addresses) {
      boolean listed = listedHost || ranges.stream().anyMatch(range -> range.contains(address));
      if (hosts.isEmpty() && ranges.isEmpty() ? !isPublic(address) : !listed) {
        return "host " + host + " (" + address.getHostAddress() + ") is not allowed: "
            + (hosts.isEmpty() && ranges.isEmpty() ? "not a public address (list it in webhooks.allow to call it)"
                : "not in webhooks.allow");
      }
    }
    return null;
  }

  static boolean isPublic(InetAddress address) {
    if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return false;
    }
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = bytes[0] & 0xff;
      int second = bytes[1] & 0xff;
      return first != 0 && !(first == 100 && second >= 64 && second < 128) // carrier-grade NAT
          && !(first == 192 && second == 0 && (bytes[2] & 0xff) == 0) && first < 224; // IETF protocol assignments, reserved
    }
    if (address instanceof Inet6Address) {
      int first = bytes[0] & 0xff;
      return (first & 0xfe) != 0xfc; // unique local fc00::/7
    }
    return false;
  }
}
