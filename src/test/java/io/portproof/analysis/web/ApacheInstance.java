package io.portproof.analysis.web;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Apache httpd with its own ServerRoot, PidFile and logs in a temporary directory, from a
 * relocated copy of a configuration ({@code Listen} and {@code <VirtualHost>} ports moved
 * together). Closing stops the process it started, by PID.
 */
public final class ApacheInstance implements AutoCloseable {
  private static final Pattern LISTEN = Pattern.compile("(?mi)^(\\s*Listen\\s+)(\\S+)");
  private static final Pattern VHOST = Pattern.compile("(?mi)^(\\s*<VirtualHost\\s+)([^>]+)>");

  private final Path dir;
  private final Path config;
  private Process process;

  private ApacheInstance(Path dir, Path config) {
    this.dir = dir;
    this.config = config;
  }

  public Path config() {
    return config;
  }

  public static ApacheInstance prepare(Path sourceDir, int octet) throws IOException {
    Path dir = Files.createTempDirectory("portproof-apache-");
    // workers run as www-data and must read the document root
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> files = Files.list(sourceDir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!p.getFileName().toString().equals("expected.txt")) {
          Files.copy(p, dir.resolve(p.getFileName().toString()));
        }
      }
    }
    Files.createDirectories(dir.resolve("html"));
    Files.writeString(dir.resolve("html/index.html"), "portproof\n");
    Path config = dir.resolve("apache2.conf");
    Relocation relocation = new Relocation(octet);
    String text = Files.readString(config, StandardCharsets.UTF_8);
    Matcher m = LISTEN.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String spec = m.group(2);
      int colon = spec.lastIndexOf(':');
      String port = colon >= 0 ? spec.substring(colon + 1) : spec;
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + relocation.ipv4("*") + ":" + relocation.port(port)));
    }
    m.appendTail(sb);
    m = VHOST.matcher(sb.toString());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      List<String> moved = new ArrayList<>();
      for (String a : m.group(2).trim().split("\\s+")) {
        int colon = a.lastIndexOf(':');
        moved.add(colon >= 0 ? a.substring(0, colon + 1) + relocation.port(a.substring(colon + 1)) : a);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + String.join(" ", moved) + ">"));
    }
    m.appendTail(out);
    Files.writeString(config, out.toString(), StandardCharsets.UTF_8);
    return new ApacheInstance(dir, config);
  }

  /** Starts httpd in the foreground; null when every address accepts connections. */
  public String start(List<InetSocketAddress> waitFor) throws Exception {
    process = new ProcessBuilder(Tools.require("apache2"), "-d", dir.toString(), "-f", config.toString(),
        "-DFOREGROUND", "-c", "PidFile " + dir.resolve("httpd.pid"), "-c", "ErrorLog " + dir.resolve("error.log"),
        "-c", "DefaultRuntimeDir " + dir, "-c", "Mutex file:" + dir + " default",
        "-c", "User www-data", "-c", "Group www-data")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("output.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    List<InetSocketAddress> pending = new ArrayList<>(waitFor);
    while (!pending.isEmpty() && System.nanoTime() < deadline && process.isAlive()) {
      pending.removeIf(ApacheInstance::connects);
      if (!pending.isEmpty()) {
        Thread.sleep(50);
      }
    }
    if (!process.isAlive() || !pending.isEmpty()) {
      Path err = dir.resolve("error.log");
      return "httpd did not come up on " + pending + ": " + Files.readString(dir.resolve("output.log"))
          + (Files.exists(err) ? Files.readString(err) : "");
    }
    return null;
  }

  private static boolean connects(InetSocketAddress a) {
    try (Socket s = new Socket()) {
      s.connect(a, 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (process != null) {
        // SIGTERM to the parent we started: httpd stops its children itself
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
