package io.portproof.parse.nft.truth;

import io.portproof.truth.Shell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names, creates and deletes the network namespaces and child processes of this test JVM. Everything
 * it creates is remembered until deleted, and a shutdown hook removes what is left if the run ends
 * abnormally; nothing it did not create is ever touched.
 */
final class Namespaces {
  private static final long PID = ProcessHandle.current().pid();
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();
  private static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Namespaces::cleanUpAll, "truth-netns-janitor"));
  }

  private Namespaces() {}

  /** Creates {@code ppn-ROLE-PID-N}, a name unique to this JVM. Its loopback is still down. */
  static String create(String role) {
    String name = "ppn-" + role + "-" + PID + "-" + COUNTER.incrementAndGet();
    LIVE.add(name);
    Shell.run(null, ip(), "netns", "add", name).orThrow();
    return name;
  }

  static void delete(String name) {
    if (LIVE.remove(name)) {
      Shell.run(null, ip(), "netns", "delete", name);
    }
  }

  /** Starts {@code command} inside namespace {@code ns}; {@code ip netns exec} execs in place. */
  static Process start(String ns, List<String> command) {
    List<String> full = new ArrayList<>(List.of(ip(), "netns", "exec", ns));
    full.addAll(command);
    try {
      Process process = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      CHILDREN.add(process);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + full, e);
    }
  }

  /**
   * Kills a child this class started, by its PID (ip netns exec ran it in place, so the PID is the
   * child itself), and waits for it so its namespace can go.
   */
  static void stop(Process process) {
    if (process == null || !CHILDREN.remove(process)) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String ip() {
    return Shell.tool("ip").orElseThrow(() -> new IllegalStateException("ip (iproute2) not found"));
  }

  private static void cleanUpAll() {
    for (Process process : List.copyOf(CHILDREN)) {
      process.destroyForcibly();
    }
    for (String name : List.copyOf(LIVE)) {
      delete(name);
    }
  }
}
