package io.portproof.probe;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How politely and how far to probe. Start from {@link #defaults()} and change what you need with
 * {@link #toBuilder()}.
 *
 * @param connectTimeout how long one TCP connect may take before the port counts as filtered
 * @param operationTimeout the deadline for everything after connect on one connection (a TLS
 *     handshake, an HTTP response head, a STARTTLS dialogue); a deadline, not a per-read timeout,
 *     so a server dripping one byte at a time cannot stretch it
 * @param concurrency targets probed at once
 * @param connectionsPerSecond global rate limit on new connections across all threads
 * @param retries extra connect attempts after a timeout; refusals and errors are never retried
 * @param maxRedirects redirects followed per probe path
 * @param allowedHosts hosts a redirect chain may visit besides the target's own hostname
 *     (lower-case)
 * @param allowLeavingHosts follow redirects to any host
 * @param caBundle PEM bundle of trust anchors, or null for the system store
 * @param paths paths (with query) requested on HTTP ports
 * @param errorPath a path that should not exist, requested on HTTPS ports to see the error page's
 *     headers
 * @param maxResponseBytes the most read from any one connection
 */
public record ProbeOptions(
    Duration connectTimeout,
    Duration operationTimeout,
    int concurrency,
    double connectionsPerSecond,
    int retries,
    int maxRedirects,
    Set<String> allowedHosts,
    boolean allowLeavingHosts,
    Path caBundle,
    List<String> paths,
    String errorPath,
    int maxResponseBytes) {

  public ProbeOptions {
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(operationTimeout, "operationTimeout");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1: " + concurrency);
    }
    if (!(connectionsPerSecond > 0)) {
      throw new IllegalArgumentException("connectionsPerSecond must be > 0: " + connectionsPerSecond);
    }
    if (retries < 0 || maxRedirects < 0) {
      throw new IllegalArgumentException("retries and maxRedirects must be >= 0");
    }
    allowedHosts =
        Objects.requireNonNull(allowedHosts, "allowedHosts").stream()
            .map(h -> h.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    paths = List.copyOf(paths);
    for (String p : paths) {
      requirePath(p);
    }
    requirePath(errorPath);
    if (maxResponseBytes < 1024) {
      throw new IllegalArgumentException("maxResponseBytes must be >= 1024: " + maxResponseBytes);
    }
  }

  /**
   * 3 s connect, 5 s per operation, 16 targets at once, 200 connections/s, one retry, 10 redirects,
   * only the target's own host, system trust store, the three standard paths, 256 KiB per
   * connection.
   */
  public static ProbeOptions defaults() {
    return new ProbeOptions(
        Duration.ofSeconds(3),
        Duration.ofSeconds(5),
        16,
        200,
        1,
        10,
        Set.of(),
        /* allowLeavingHosts= */ false,
        null,
        List.of("/", "/portproof/deep/path?x=1&y=2", "/.well-known/acme-challenge/portproof-test"),
        "/portproof-not-found-7d1e0c",
        256 * 1024);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  private static void requirePath(String p) {
    Objects.requireNonNull(p, "path");
    if (!p.startsWith("/") || p.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException("probe path must start with / and hold no spaces: " + p);
    }
  }

  /** Changes some options and keeps the rest. */
  public static final class Builder {
    private Duration connectTimeout;
    private Duration operationTimeout;
    private int concurrency;
    private double connectionsPerSecond;
    private int retries;
    private int maxRedirects;
    private Set<String> allowedHosts;
    private boolean allowLeavingHosts;
    private Path caBundle;
    private List<String> paths;
    private String errorPath;
    private int maxResponseBytes;

    private Builder(ProbeOptions o) {
      connectTimeout = o.connectTimeout;
      operationTimeout = o.operationTimeout;
      concurrency = o.concurrency;
      connectionsPerSecond = o.connectionsPerSecond;
      retries = o.retries;
      maxRedirects = o.maxRedirects;
      allowedHosts = o.allowedHosts;
      allowLeavingHosts = o.allowLeavingHosts;
      caBundle = o.caBundle;
      paths = o.paths;
      errorPath = o.errorPath;
      maxResponseBytes = o.maxResponseBytes;
    }

    public Builder connectTimeout(Duration v) {
      connectTimeout = v;
      return this;
    }

    public Builder operationTimeout(Duration v) {
      operationTimeout = v;
      return this;
    }

    public Builder concurrency(int v) {
      concurrency = v;
      return this;
    }

    public Builder connectionsPerSecond(double v) {
      connectionsPerSecond = v;
      return this;
    }

    public Builder retries(int v) {
      retries = v;
      return this;
    }

    public Builder maxRedirects(int v) {
      maxRedirects = v;
      return this;
    }

    public Builder allowedHosts(Set<String> v) {
      allowedHosts = v;
      return this;
    }

    public Builder allowLeavingHosts(boolean v) {
      allowLeavingHosts = v;
      return this;
    }

    public Builder caBundle(Path v) {
      caBundle = v;
      return this;
    }

    public Builder paths(List<String> v) {
      paths = v;
      return this;
    }

    public Builder errorPath(String v) {
      errorPath = v;
      return this;
    }

    public Builder maxResponseBytes(int v) {
      maxResponseBytes = v;
      return this;
    }

    public ProbeOptions build() {
      return new ProbeOptions(
          connectTimeout,
          operationTimeout,
          concurrency,
          connectionsPerSecond,
          retries,
          maxRedirects,
          allowedHosts,
          allowLeavingHosts,
          caBundle,
          paths,
          errorPath,
          maxResponseBytes);
    }
  }
}
