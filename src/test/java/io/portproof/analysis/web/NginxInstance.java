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
 * A real nginx started from a copy of a configuration whose {@code listen} lines were moved to
 * 127.0.0.x / ::1 and free high ports. Predictions must be made on {@link #config()}, the file the
 * server runs. Closing stops the process it started, by its PID, and deletes the copy.
 */
public final class NginxInstance implements AutoCloseable {
  private static final Pattern LISTEN = Pattern.compile("(?m)^(\\s*listen\\s+)(\\S+?)(?=[\\s;])");

  private final Path dir;
  private final Path config;
  private Process process;

  private NginxInstance(Path dir, Path config) {
    this.dir = dir;
    this.config = config;
  }

  public Path config() {
    return config;
  }

  /**
   * Copies {@code sourceDir} (and its sibling {@code certs}) into a temporary prefix, rewrites the
   * listen addresses onto {@code 127.0.0.<octet>}… and free ports, and returns the instance, not
   * yet started.
   */
  public static NginxInstance prepare(Path sourceDir, Path certs, int octet) throws IOException {
    Path dir = Files.createTempDirectory("portproof-nginx-");
    Path conf = dir.resolve("conf");
    copyTree(sourceDir, conf);
    copyTree(certs, dir.resolve("certs"));
    Files.createDirectories(conf.resolve("html/.well-known/acme-challenge"));
    Files.writeString(conf.resolve("html/index.html"), "portproof\n");
    Files.createDirectories(dir.resolve("tmp"));
    Path config = conf.resolve("nginx.conf");
    String text = Files.readString(config, StandardCharsets.UTF_8);
    Relocation relocation = new Relocation(octet);
    Matcher m = LISTEN.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + move(m.group(2), relocation)));
    }
    m.appendTail(sb);
    String temp = dir.resolve("tmp").toString();
    String moved = sb.toString().replaceFirst("(?m)^(\\s*http\\s*\\{)", "$1 client_body_temp_path " + temp
        + "/body; proxy_temp_path " + temp + "/proxy; fastcgi_temp_path " + temp + "/fastcgi; uwsgi_temp_path "
        + temp + "/uwsgi; scgi_temp_path " + temp + "/scgi; access_log " + temp + "/access.log;");
    Files.writeString(config, moved, StandardCharsets.UTF_8);
    return new NginxInstance(dir, config);
  }

  private static String move(String spec, Relocation relocation) throws IOException {
    if (spec.startsWith("unix:")) {
      return spec;
    }
    if (spec.startsWith("[")) {
      int close = spec.indexOf(']');
      return "[::1]:" + relocation.port(close + 1 < spec.length() ? spec.substring(close + 2) : "80");
    }
    int colon = spec.lastIndexOf(':');
    boolean portOnly = spec.matches("\\d+");
    String host = colon >= 0 ? spec.substring(0, colon) : portOnly ? "*" : spec;
    String port = colon >= 0 ? spec.substring(colon + 1) : portOnly ? spec : "80";
    return relocation.ipv4(host) + ":" + relocation.port(port);
  }

  /** Starts nginx in the foreground; returns null when it is up, else its error output. */
  public String start(List<InetSocketAddress> waitFor) throws Exception {
    String nginx = Tools.require("nginx");
    process = new ProcessBuilder(nginx, "-p", config.getParent() + "/", "-c", config.toString(),
        "-g", "daemon off; master_process on; worker_processes 1; pid " + dir.resolve("nginx.pid")
            + "; error_log " + dir.resolve("error.log") + " warn; user root;")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<InetSocketAddress> pending = new ArrayList<>(waitFor);
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return errors();
      }
      pending.removeIf(NginxInstance::connects);
      if (!pending.isEmpty()) {
        Thread.sleep(50);
      }
    }
    if (!process.isAlive()) {
      return errors();
    }
    if (!pending.isEmpty()) {
      return "nginx did not bind " + pending + " within 10 s: " + errors();
    }
    return null;
  }

  private String errors() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String f : new String[] {"stdout.log", "error.log"}) {
      Path p = dir.resolve(f);
      if (Files.exists(p)) {
        sb.append(Files.readString(p));
      }
    }
    return sb.toString();
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
        // SIGTERM to the master we started: nginx's fast shutdown also stops its workers
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

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("expected.txt")) {
          Files.copy(p, target);
        }
      }
    }
  }
}
