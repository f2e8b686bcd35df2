package io.portproof.probetruth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server namespace and a client namespace joined by a veth: the server runs real rules (loaded
 * with the real iptables-restore) and a real nginx, the client runs {@code portproof check --probe}
 * in a child JVM. Everything it creates is removed by {@link #close}, and by a shutdown hook if the
 * test JVM dies first; nothing it did not create is touched.
 *
 * <p>Lifecycle: construct, {@link #loadRules} once, {@link #startNginx} once, {@link #check} any
 * number of times, then {@link #close}.
 */
final class WebLab implements AutoCloseable {
  static final String SERVER_V4 = "198.18.0.1";
  static final String SERVER_V6 = "2001:db8::1";
  /** The name the exports' {@code -i} and the inventory's {@code interface:} refer to. */
  static final String SERVER_IF = "eth0";

  private static final String CLIENT_V4 = "198.18.1.10";
  private static final String CLIENT_V6 = "2001:db8:1::10";
  private static final String CLIENT_IF = "ppC";
  /** ip, iptables-restore and ss finish in milliseconds; anything slower is broken, not busy. */
  private static final Duration SHORT = Duration.ofSeconds(20);
  /** A whole check with probes: JVM start, 4 targets, filtered ones wait out two connect timeouts. */
  private static final Duration CHECK = Duration.ofSeconds(90);
  private static final Duration NGINX_READY = Duration.ofSeconds(10);

  private static final long PID = ProcessHandle.current().pid();
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Set<String> LIVE_NAMESPACES = ConcurrentHashMap.newKeySet();
  private static final Set<Process> LIVE_CHILDREN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(WebLab::cleanUpAll, "probetruth-janitor"));
  }

  /**
   * Kernel settings of the server namespace. REJECT's ICMP errors are rate limited per peer and
   * globally; unlimited they stay deterministic instead of decaying into timeouts.
   */
  private static final Map<String, String> SERVER_SYSCTLS = Map.of(
      "net/ipv4/icmp_ratelimit", "0",
      "net/ipv4/icmp_msgs_per_sec", "1000000",
      "net/ipv4/icmp_msgs_burst", "1000000",
      "net/ipv6/icmp/ratelimit", "0",
      "net/ipv6/conf/all/accept_dad", "0",
      "net/ipv6/conf/default/accept_dad", "0");

  private final String serverNs;
  private final String clientNs;
  private final Path dir;
  private Process nginx;

  WebLab() {
    this.serverNs = createNamespace("srv");
    try {
      this.clientNs = createNamespace("cli");
      // nginx's workers run as nobody and must reach the document root inside it.
      this.dir = Files.createTempDirectory("probetruth-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      wire();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** A scratch directory for this lab's inputs, removed on close. */
  Path dir() {
    return dir;
  }

  private void wire() {
    StringBuilder sysctls = new StringBuilder("set -e\n");
    SERVER_SYSCTLS.forEach((key, value) ->
        sysctls.append("echo ").append(value).append(" > /proc/sys/").append(key).append('\n'));
    run(sysctls.toString(), ip(), "netns", "exec", serverNs, "/bin/sh", "-s").orThrow();
    run("set -e\necho 0 > /proc/sys/net/ipv6/conf/all/accept_dad\n"
            + "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad\n",
        ip(), "netns", "exec", clientNs, "/bin/sh", "-s").orThrow();
    run("link add " + CLIENT_IF + " type veth peer name " + SERVER_IF + " netns " + serverNs + "\n"
            + "link set lo up\nlink set " + CLIENT_IF + " up\n"
            + "addr add " + CLIENT_V4 + "/15 dev " + CLIENT_IF + "\n"
            + "addr add " + CLIENT_V6 + "/32 dev " + CLIENT_IF + " nodad\n",
        ip(), "-n", clientNs, "-batch", "-").orThrow();
    run("link set lo up\nlink set " + SERVER_IF + " up\n"
            + "addr add " + SERVER_V4 + "/15 dev " + SERVER_IF + "\n"
            + "addr add " + SERVER_V6 + "/32 dev " + SERVER_IF + " nodad\n",
        ip(), "-n", serverNs, "-batch", "-").orThrow();
  }

  /** Loads both families' rules into the server namespace's kernel, exactly as the files say. */
  void loadRules(Path v4, Path v6) {
    for (var load : List.of(Map.entry("iptables-restore", v4), Map.entry("ip6tables-restore", v6))) {
      try {
        run(Files.readString(load.getValue()), ip(), "netns", "exec", serverNs, tool(load.getKey()))
            .orThrow();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Starts nginx in the server namespace on {@code conf} (its includes and certificates resolve
   * beside it, its document root {@code html} under the lab's prefix) and waits, bounded, until every port in {@code ports} listens on both families.
   */
  void startNginx(Path conf, Set<Integer> ports) {
    Path prefix = dir.resolve("nginx-prefix");
    try {
      Files.createDirectories(prefix.resolve("logs"));
      // A deployed site has content under its root ("root html;" is relative to the prefix); the
      // inputs describe configuration, not content, so the lab supplies the page a real host serves.
      Files.createDirectories(prefix.resolve("html"));
      Files.writeString(prefix.resolve("html/index.html"), "<!doctype html><title>portproof lab</title>\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path errorLog = prefix.resolve("logs/error.log");
    // The config sets no access_log, so nginx writes to its compiled-in path (the host's
    // /var/log/nginx on Debian). ip netns exec runs the command in its own mount namespace, so a
    // bind mount there sends those writes to this lab's directory without touching the host's files.
    // The shell execs nginx in place: the child's PID stays nginx's master.
    String accessLogDir = compiledAccessLogDir();
    List<String> command = List.of(ip(), "netns", "exec", serverNs, "/bin/sh", "-c",
        "if [ -d \"$1\" ]; then mount --bind \"$2\" \"$1\" || exit 1; fi; shift 2; exec \"$@\"", "sh",
        accessLogDir, prefix.resolve("logs").toString(), tool("nginx"),
        "-p", prefix.toString(), "-c", conf.toAbsolutePath().toString(), "-e", errorLog.toString(),
        "-g", "daemon off; pid " + prefix.resolve("nginx.pid") + ";");
    try {
      nginx = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    LIVE_CHILDREN.add(nginx);
    long deadline = System.nanoTime() + NGINX_READY.toNanos();
    while (!listening(ports)) {
      if (!nginx.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("nginx did not come up listening on " + ports + " in "
            + NGINX_READY + ": " + readQuietly(errorLog) + readQuietly(prefix.resolve("logs/stdout.log")));
      }
      sleep(50);
    }
  }

  /** The directory of nginx's built-in access log ({@code --http-log-path} of {@code nginx -V}). */
  private static String compiledAccessLogDir() {
    String version = run(null, tool("nginx"), "-V").orThrow().stderr();
    return java.util.Arrays.stream(version.split("\\s+")).filter(w -> w.startsWith("--http-log-path="))
        .map(w -> Path.of(w.substring("--http-log-path=".length())).getParent().toString())
        .findFirst().orElseThrow(() -> new IllegalStateException("nginx -V names no --http-log-path: " + version));
  }

  private boolean listening(Set<Integer> ports) {
    String out = run(null, ip(), "netns", "exec", serverNs, tool("ss"), "-Htln").orThrow().stdout();
    return ports.stream().allMatch(p -> out.contains("0.0.0.0:" + p + " ") && out.contains("[::]:" + p + " "));
  }

  /** What nginx logged as served so far (the combined format of its built-in access log). */
  String accessLog() {
    return readQuietly(dir.resolve("nginx-prefix/logs/access.log"));
  }

  /** What one {@code portproof check} run printed and returned. */
  record CheckRun(int exitCode, String stdout, String stderr) {}

  /** Runs {@code portproof check ARGS} in a child JVM inside the client namespace. */
  CheckRun check(String... args) {
    List<String> command = new ArrayList<>(List.of(ip(), "netns", "exec", clientNs,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "io.portproof.cli.Main", "check"));
    command.addAll(List.of(args));
    Result r = run(null, CHECK, command.toArray(String[]::new));
    return new CheckRun(r.exitCode(), r.stdout(), r.stderr());
  }

  @Override
  public void close() {
    stop(nginx);
    nginx = null;
    deleteNamespace(clientNs);
    deleteNamespace(serverNs);
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // A leftover temp file is harmless; the namespaces and processes are what must not leak.
      }
    }
  }

  /**
   * Why the lab cannot run here, or empty when it can: root, the tools, and working namespaces.
   */
  static Optional<String> missingPrerequisites() {
    List<String> missing = new ArrayList<>();
    if (ProcessHandle.current().info().user().map(u -> !u.equals("root")).orElse(true)) {
      missing.add("root (network namespaces and iptables need it)");
    }
    for (String t : List.of("ip", "iptables-restore", "ip6tables-restore", "nginx", "ss")) {
      if (findTool(t).isEmpty()) {
        missing.add(t);
      }
    }
    if (missing.isEmpty()) {
      try {
        deleteNamespace(createNamespace("chk"));
      } catch (RuntimeException e) {
        missing.add("working network namespaces (" + e.getMessage() + ")");
      }
    }
    return missing.isEmpty() ? Optional.empty()
        : Optional.of("live-probe truth test needs " + String.join(", ", missing)
            + " (Debian packages: iproute2, iptables, nginx)");
  }

  private static String createNamespace(String role) {
    String name = "pp-pt" + role + "-" + PID + "-" + COUNTER.incrementAndGet();
    LIVE_NAMESPACES.add(name);
    run(null, ip(), "netns", "add", name).orThrow();
    return name;
  }

  private static void deleteNamespace(String name) {
    if (name != null && LIVE_NAMESPACES.remove(name)) {
      run(null, ip(), "netns", "delete", name);
    }
  }

  /**
   * Stops a child this class started, by its PID (ip netns exec execs in place, so that is nginx's
   * master). SIGTERM first: a killed master would orphan its workers, which keep their sockets and
   * the namespace alive; a terminated one takes them down with it.
   */
  private static void stop(Process process) {
    if (process == null || !LIVE_CHILDREN.remove(process)) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static void cleanUpAll() {
    List.copyOf(LIVE_CHILDREN).forEach(WebLab::stop);
    List.copyOf(LIVE_NAMESPACES).forEach(WebLab::deleteNamespace);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String ip() {
    return tool("ip");
  }

  private static String tool(String name) {
    return findTool(name).orElseThrow(() -> new IllegalStateException(name + " not found"));
  }

  /** Test JVMs often run with a PATH that lacks the sbin directories, so those are searched too. */
  private static Optional<String> findTool(String name) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
        .filter(Files::isExecutable).map(Path::toString).findFirst();
  }

  /** What a finished command said. */
  private record Result(List<String> command, int exitCode, String stdout, String stderr) {
    Result orThrow() {
      if (exitCode != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + exitCode + ": "
            + stderr.strip() + stdout.strip());
      }
      return this;
    }
  }

  private static Result run(String stdin, String... command) {
    return run(stdin, SHORT, command);
  }

  private static Result run(String stdin, Duration timeout, String... command) {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
    }
    try {
      // Both streams drain concurrently so a chatty command never blocks on a full pipe.
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeout);
      }
      return new Result(List.of(command), process.exitValue(), out.get(5, TimeUnit.SECONDS),
          err.get(5, TimeUnit.SECONDS));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("lost the output of " + String.join(" ", command), e);
    } finally {
      process.destroyForcibly();
    }
  }

  /** Readers get their own daemon threads: the common pool has one thread on two cores. */
  private static CompletableFuture<String> drain(InputStream stream) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (stream) {
        result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        result.completeExceptionally(e);
      }
    }, "probetruth-reader");
    reader.setDaemon(true);
    reader.start();
    return result;
  }
}
