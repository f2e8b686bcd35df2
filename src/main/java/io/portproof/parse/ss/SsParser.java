package io.portproof.parse.ss;

import com.google.common.base.Splitter;
import com.google.common.net.InetAddresses;
import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.model.Family;
import io.portproof.model.web.ListenerRef;
import io.portproof.model.web.ServerModel;
import io.portproof.parse.ServerConfigParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code ss -tlnp}, {@code ss -ltnH}, {@code ss -ulnp} or {@code ss -tulnp} output as
 * evidence of the sockets really bound, to catch a configuration that is not the one running.
 * Rows in state LISTEN are TCP, UNCONN are UDP unless a Netid column says otherwise; {@code *} is
 * an IPv6 wildcard that also accepts IPv4.
 */
public final class SsParser implements ServerConfigParser {
  static final long MAX_FILE_BYTES = 64L << 20;

  private static final Pattern ROW = Pattern.compile(
      "(?m)^(?:(?:tcp|udp)\\s+)?(?:LISTEN|UNCONN)\\s+\\d+\\s+\\d+\\s+\\S+:\\S+\\s+\\S+");
  private static final Set<String> STATES = Set.of("LISTEN", "UNCONN");
  /** Service names ss prints without {@code -n}. */
  private static final Map<String, Integer> SERVICES =
      Map.of("http", 80, "https", 443, "ssh", 22, "domain", 53, "smtp", 25, "http-alt", 8080);

  @Override
  public String summary() {
    return "ss -tlnp / -ltnH / -ulnp output: the sockets really bound";
  }

  @Override
  public String name() {
    return "ss";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return head.contains("Local Address:Port") || ROW.matcher(head).find();
  }

  @Override
  public ServerModel parse(Path file, Diagnostics diagnostics) {
    String name = file.toString();
    String text;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        diagnostics.invalid(SourceRef.ofFile(name), file + " is " + size + " bytes, over the "
            + MAX_FILE_BYTES + "-byte limit; not read");
        return new ServerModel(name(), name, List.of(), List.of());
      }
      text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      diagnostics.invalid(SourceRef.ofFile(name), "cannot read " + file + ": " + e.getMessage());
      return new ServerModel(name(), name, List.of(), List.of());
    }
    List<ListenerRef> sockets = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank() || line.startsWith("State") || line.startsWith("Netid")) {
        continue;
      }
      SourceRef at = new SourceRef(name, i + 1, line);
      List<String> f = Splitter.onPattern("\\s+").omitEmptyStrings().splitToList(line.strip());
      int s = f.size() > 1 && STATES.contains(f.get(1)) ? 1 : 0;
      if (f.size() < s + 5 || !STATES.contains(f.get(s))) {
        diagnostics.unsupported(at, "not a listening-socket row of ss output; skipped");
        continue;
      }
      String transport = s == 1 ? f.get(0) : f.get(s).equals("LISTEN") ? "tcp" : "udp";
      if (!transport.equals("tcp") && !transport.equals("udp")) {
        diagnostics.unsupported(at, transport + " sockets are not modelled");
        continue;
      }
      ListenerRef l = socket(f.get(s + 3), transport, at, diagnostics);
      if (l != null) {
        sockets.add(l);
      }
    }
    if (sockets.isEmpty()) {
      diagnostics.invalid(SourceRef.ofFile(name), "no listening sockets in the ss output:"
          + " nothing could be analyzed");
    }
    return new ServerModel(name(), name, List.of(), sockets);
  }

  private static ListenerRef socket(String local, String transport, SourceRef at, Diagnostics d) {
    int colon = local.lastIndexOf(':');
    if (colon < 0) {
      d.invalid(at, "local address without a port: " + local);
      return null;
    }
    String host = local.substring(0, colon);
    String portText = local.substring(colon + 1);
    int port;
    if (SERVICES.containsKey(portText)) {
      port = SERVICES.get(portText);
    } else {
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        d.unsupported(at, "service name \"" + portText + "\": run ss with -n");
        return null;
      }
    }
    if (port < 1 || port > 65535) {
      d.invalid(at, "invalid port " + portText);
      return null;
    }
    if (host.equals("*")) {
      return new ListenerRef(Family.IPV6, "::", port, transport, false, false, false, false, true, at);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int scope = host.indexOf('%');
    if (scope >= 0) {
      // 127.0.0.53%lo, fe80::1%eth0: bound to an interface as well; the address is what matters
      host = host.substring(0, scope);
    }
    if (!InetAddresses.isInetAddress(host)) {
      d.invalid(at, "not an IP address: " + host);
      return null;
    }
    java.net.InetAddress address = InetAddresses.forString(host);
    Family family = address instanceof java.net.Inet6Address ? Family.IPV6 : Family.IPV4;
    return new ListenerRef(family, InetAddresses.toAddrString(address), port, transport, false,
        false, false, false, false, at);
  }
}
