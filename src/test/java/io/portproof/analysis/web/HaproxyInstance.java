package io.portproof.analysis.web;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real HAProxy started in the foreground from a relocated copy of a configuration ({@code bind}
 * and {@code server} addresses moved together). Closing stops the process it started, by PID.
 */
public final class HaproxyInstance implements AutoCloseable {
  private static final Pattern ADDRESS =
      Pattern.compile("(?m)^(\\s*(?:bind|server\\s+\\S+)\\s+)(\\S+)");

  private final Path dir;
  private final Path config;
  private Process process;

  private HaproxyInstance(Path dir, Path config) {
    this.dir = dir;
    this.config = config;
  }

  public Path config() {
    return config;
  }

  public static HaproxyInstance prepare(Path sourceDir, int octet) throws IOException {
    Path dir = Files.createTempDirectory("portproof-haproxy-");
    try (Stream<Path> files = Files.list(sourceDir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!p.getFileName().toString().equals("expected.txt")) {
          Files.copy(p, dir.resolve(p.getFileName().toString()));
        }
      }
    }
    Path config = dir.resolve("haproxy.cfg");
    Relocation relocation = new Relocation(octet);
    Matcher m = ADDRESS.matcher(Files.readString(config, StandardCharsets.UTF_8));
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      List<String> moved = new ArrayList<>();
      for (String spec : m.group(2).split(",")) {
        int colon = spec.lastIndexOf(':');
        String host = spec.substring(0, colon);
        String port = spec.substring(colon + 1);
        moved.add(host.contains(":") ? "::1:" + relocation.port(port)
            : relocation.ipv4(host) + ":" + relocation.port(port));
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + String.join(",", moved)));
    }
    m.appendTail(sb);
    Files.writeString(config, sb.toString(), StandardCharsets.UTF_8);
    return new HaproxyInstance(dir, config);
  }

  /** Starts HAProxy; null when every address accepts connections, else its output. */
  public String start(List<InetSocketAddress> waitFor) throws Exception {
    process = new ProcessBuilder(Tools.require("haproxy"), "-db", "-f", config.toString())
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("output.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<InetSocketAddress> pending = new ArrayList<>(waitFor);
    while (!pending.isEmpty() && System.nanoTime() < deadline && process.isAlive()) {
      pending.removeIf(HaproxyInstance::connects);
      if (!pending.isEmpty()) {
        Thread.sleep(50);
      }
    }
    if (!process.isAlive() || !pending.isEmpty()) {
      return "haproxy did not come up on " + pending + ": " + Files.readString(dir.resolve("output.log"));
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
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
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
