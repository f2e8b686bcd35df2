package io.portproof.truth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A client namespace with a long-lived prober in it. Each {@link #run} builds a fresh server
 * namespace, wires it to the client with a veth pair, loads the case's rules with the real {@code
 * iptables-restore}, starts listeners there, probes across the veth and tears the server down again.
 *
 * <p>Lifecycle: construct, call {@link #run} any number of times from one thread, then {@link
 * #close}.
 */
final class Lab implements AutoCloseable {
  /** The server side of the veth; a fresh namespace per case, so the realistic name is free. */
  static final String SERVER_IF = "eth0";

  static final List<String> SERVER_V4 = List.of("198.18.0.1", "198.18.0.2");
  static final List<String> SERVER_V6 = List.of("2001:db8::1", "2001:db8::2");
  static final List<String> CLIENT_V4 =
      List.of("198.18.1.10", "198.18.1.200", "198.19.200.5", "198.19.255.250");
  static final List<String> CLIENT_V6 =
      List.of("2001:db8:1::10", "2001:db8:1::ff00", "2001:db8:8000::1", "2001:db8:ffff::5");

  private static final String CLIENT_IF = "ppC";
  private static final String SERVER_MAC = "02:70:70:00:00:01";
  private static final String CLIENT_MAC = "02:70:70:00:00:02";
  private static final long LIFETIME_SECONDS = 1800;

  /** Kernel settings of the server namespace, and why. */
  private static final Map<String, String> SERVER_SYSCTLS =
      Map.ofEntries(
          // A new namespace inherits IPv4 settings from the host's; pin what decides delivery.
          // The server is a host, not a router: a DNAT elsewhere is not forwarded.
          Map.entry("net/ipv4/ip_forward", "0"),
          Map.entry("net/ipv6/conf/all/forwarding", "0"),
          // Strict reverse-path filtering; routes are symmetric here, so it must not change a
          // single outcome (a run with 0 saw the same ones).
          Map.entry("net/ipv4/conf/all/rp_filter", "1"),
          Map.entry("net/ipv4/conf/default/rp_filter", "1"),
          // Link-local addresses would otherwise sit in duplicate address detection for a second.
          Map.entry("net/ipv6/conf/all/accept_dad", "0"),
          Map.entry("net/ipv6/conf/default/accept_dad", "0"),
          // REJECT's ICMP errors are rate limited per peer and globally; unlimited they stay
          // deterministic instead of decaying into timeouts after a burst of probes.
          Map.entry("net/ipv4/icmp_ratelimit", "0"),
          Map.entry("net/ipv4/icmp_msgs_per_sec", "1000000"),
          Map.entry("net/ipv4/icmp_msgs_burst", "1000000"),
          Map.entry("net/ipv6/icmp/ratelimit", "0"));

  private final String clientNs;
  private final Path scratch;
  private final ProbeClient prober;
  private final Path classpath;
  private final boolean staticNeighbours;
  private final int connectTimeoutMillis;

  /**
   * @param staticNeighbours pin IPv6 neighbour entries on both sides so ICMPv6 neighbour discovery,
   *     which the rules may drop, never decides a TCP outcome
   */
  Lab(Path classpath, int connectTimeoutMillis, boolean staticNeighbours) {
    this.classpath = classpath;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.staticNeighbours = staticNeighbours;
    this.clientNs = Namespaces.create("cli");
    try {
      this.scratch = Files.createTempDirectory(clientNs);
      Shell.run(
              "set -e\n" + sysctls(Map.of(
                  "net/ipv6/conf/all/accept_dad", "0", "net/ipv6/conf/default/accept_dad", "0"))
                  + Namespaces.ip() + " link set lo up\n",
              Namespaces.ip(), "netns", "exec", clientNs, "/bin/sh", "-s")
          .orThrow();
      this.prober = new ProbeClient(clientNs, classpath, LIFETIME_SECONDS, 160);
    } catch (IOException e) {
      Namespaces.delete(clientNs);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      Namespaces.delete(clientNs);
      throw e;
    }
  }

  /** What the client saw for one probe. {@code outcome} is null when the probe itself failed. */
  record Observation(Outcome outcome, long millis, String detail) {}

  /** Loads the case into a fresh server namespace and probes every tuple once. */
  Map<Probe, Observation> run(TruthCase truthCase) {
    return run(truthCase, "", serverNs -> {});
  }

  /**
   * Like {@link #run(TruthCase)}, with more to load and a look at the loaded kernel before the probes.
   *
   * @param setup shell commands run in the server namespace before the case's rules are restored, as a host
   *     restores its ipsets first (nft -f, ipset restore, a second iptables backend); {@code set -e} holds
   * @param beforeProbes called with the server namespace's name once its listeners are up and before any probe,
   *     so what it reads (iptables-save, nft list ruleset) is the loaded state with zero counters
   */
  Map<Probe, Observation> run(TruthCase truthCase, String setup, java.util.function.Consumer<String> beforeProbes) {
    String serverNs = Namespaces.create("srv");
    Process server = null;
    try {
      wireClient(serverNs);
      server = startServer(serverNs, truthCase, setup);
      beforeProbes.accept(serverNs);
      return prober.probeAll(truthCase.probes(), connectTimeoutMillis);
    } finally {
      Namespaces.stop(server);
      // Namespace deletion is asynchronous; deleting the veth explicitly frees the client-side name
      // (and the client addresses) before the next case wires a new pair.
      Shell.run(null, Namespaces.ip(), "-n", clientNs, "link", "del", CLIENT_IF);
      Namespaces.delete(serverNs);
    }
  }

  /** Creates the veth pair (its server end lands in the server namespace, still down). */
  private void wireClient(String serverNs) {
    StringBuilder batch = new StringBuilder();
    batch.append("link add ").append(CLIENT_IF).append(" address ").append(CLIENT_MAC)
        .append(" type veth peer name ").append(SERVER_IF).append(" address ").append(SERVER_MAC)
        .append(" netns ").append(serverNs).append('\n');
    batch.append("link set ").append(CLIENT_IF).append(" up\n");
    CLIENT_V4.forEach(a -> batch.append("addr add ").append(a).append("/15 dev ppC\n"));
    CLIENT_V6.forEach(a -> batch.append("addr add ").append(a).append("/32 dev ppC nodad\n"));
    if (staticNeighbours) {
      SERVER_V6.forEach(a -> batch.append("neigh replace ").append(a)
          .append(" lladdr " + SERVER_MAC + " dev ppC nud permanent\n"));
    }
    Shell.run(batch.toString(), Namespaces.ip(), "-n", clientNs, "-batch", "-").orThrow();
  }

  /**
   * One shell inside the server namespace sets the sysctls, brings the veth up with its addresses,
   * loads the rules and then execs the listener, which says READY: one process start per case
   * instead of a dozen, which is most of what a case costs.
   */
  private Process startServer(String serverNs, TruthCase truthCase, String setup) {
    StringBuilder script = new StringBuilder("set -e\n").append(sysctls(SERVER_SYSCTLS));
    StringBuilder batch = new StringBuilder("link set lo up\nlink set " + SERVER_IF + " up\n");
    SERVER_V4.forEach(a -> batch.append("addr add ").append(a).append("/15 dev eth0\n"));
    SERVER_V6.forEach(a -> batch.append("addr add ").append(a).append("/32 dev eth0 nodad\n"));
    if (staticNeighbours) {
      CLIENT_V6.forEach(a -> batch.append("neigh replace ").append(a)
          .append(" lladdr " + CLIENT_MAC + " dev eth0 nud permanent\n"));
    }
    String ip = Namespaces.ip();
    script.append(ip).append(" -batch - <<'BATCH'\n").append(batch).append("BATCH\n");
    script.append("i=0\nuntil ").append(ip).append(" link show dev eth0 2>/dev/null | grep -q LOWER_UP; do\n")
        .append("  i=$((i+1)); [ $i -lt 100 ] || { echo 'FAILED: no carrier on eth0'; exit 1; }\n")
        .append("  sleep 0.02\ndone\n");
    if (!setup.isEmpty()) {
      // A shell of its own: set -e would not hold inside the if, and a failure must reach the one line read here.
      Path file = scratch.resolve("setup.sh");
      try {
        Files.writeString(file, setup);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      script.append("if ! err=$(/bin/sh -e ").append(file).append(" 2>&1); then echo FAILED: setup: $err; exit 1; fi\n");
    }
    for (TruthCase.Load load : truthCase.loads()) {
      restore(script, load);
    }
    List<Object> args = new ArrayList<>(List.of(LIFETIME_SECONDS));
    args.addAll(truthCase.listenerPorts());
    script.append("exec");
    ProbeClient.childJava(classpath, "ListenerMain", args.toArray()).forEach(word -> script.append(' ').append(word));
    script.append('\n');
    Process server = Namespaces.start(serverNs, List.of("/bin/sh", "-c", script.toString()));
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      // Bounded: the script either fails fast or execs a listener with a lifetime.
      String line = out.readLine();
      if (!"READY".equals(line)) {
        throw new IllegalStateException("server namespace " + serverNs + " for " + truthCase.name()
            + ": " + line + "\n" + rulesOf(truthCase));
      }
      return server;
    } catch (IOException e) {
      Namespaces.stop(server);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      Namespaces.stop(server);
      throw e;
    }
  }

  private void restore(StringBuilder script, TruthCase.Load load) {
    String path = Shell.tool(load.tool()).orElseThrow(() -> new IllegalStateException(load.tool() + " not found"));
    Path file = scratch.resolve(load.fileName());
    try {
      Files.writeString(file, load.text());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // The unquoted $err folds the tool's multi-line complaint into the one line the harness reads.
    script.append("if ! err=$(").append(path).append(load.stdin() ? " < " : " -f ").append(file).append(" 2>&1); then echo FAILED: ")
        .append(load.tool()).append(" rejected ").append(load.fileName()).append(": $err; exit 1; fi\n");
  }

  private static String rulesOf(TruthCase truthCase) {
    return (truthCase.rulesV4() == null ? "" : truthCase.rulesV4())
        + (truthCase.rulesV6() == null ? "" : truthCase.rulesV6());
  }

  private static String sysctls(Map<String, String> settings) {
    StringBuilder out = new StringBuilder();
    settings.forEach((key, value) -> out.append("echo ").append(value).append(" > /proc/sys/")
        .append(key).append('\n'));
    return out.toString();
  }

  @Override
  public void close() {
    prober.close();
    Namespaces.delete(clientNs);
    try (var files = Files.list(scratch)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
      Files.delete(scratch);
    } catch (IOException e) {
      // A leftover temp file is harmless; the namespaces are what must not leak.
    }
  }
}
