package io.portproof.truth;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether this machine can run kernel truth tests: root, iproute2, the iptables
 * restore tools, and working network namespaces. Without them the tests skip with the reason, except
 * under {@code CI=true}, where a missing prerequisite is a failure: CI must never go green by not
 * testing.
 */
final class TruthEnvironment {
  private TruthEnvironment() {}

  /** Skips (or, on CI, fails) the calling test unless the iptables kernel suite can run here. */
  static void require() {
    require(List.of("iptables-nft-restore", "ip6tables-nft-restore"), "iptables");
  }

  /** The same for the nftables suite. */
  static void requireNft() {
    require(List.of("nft"), "nftables");
  }

  /** The same for the ufw suite: the real ufw, run in a private mount namespace inside a network namespace. */
  static void requireUfw() {
    require(List.of("ufw", "unshare", "mount", "install", "iptables-save", "ip6tables-save"), "ufw, util-linux, coreutils, iptables");
  }

  private static void require(List<String> tools, String packages) {
    List<String> missing = new ArrayList<>();
    Optional<String> id = Shell.tool("id");
    if (id.isEmpty() || !Shell.run(null, id.get(), "-u").stdout().strip().equals("0")) {
      missing.add("root (network namespaces and iptables need it)");
    }
    List<String> needed = new ArrayList<>(List.of("ip", "sh", "grep"));
    needed.addAll(tools);
    for (String tool : needed) {
      if (Shell.tool(tool).isEmpty()) {
        missing.add(tool);
      }
    }
    if (missing.isEmpty()) {
      try {
        Namespaces.delete(Namespaces.create("chk"));
      } catch (RuntimeException e) {
        missing.add("working network namespaces (" + e.getMessage() + ")");
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String message =
        "kernel truth suite needs " + String.join(", ", missing)
            + " (Debian packages: iproute2, " + packages + ")";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true but " + message);
    }
    Assumptions.abort(message);
  }

  /**
   * The iptables flavours that can load rules into a namespace here, the system default ({@code
   * iptables-restore}'s target) first.
   */
  static List<TruthCase.Backend> backends() {
    List<TruthCase.Backend> usable = new ArrayList<>();
    String probe = "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n";
    for (TruthCase.Backend backend : TruthCase.Backend.values()) {
      if (!backend.iptables() || Shell.tool(backend.restoreV4).isEmpty() || Shell.tool(backend.restoreV6).isEmpty()) {
        continue;
      }
      String ns = Namespaces.create("chk");
      try {
        boolean ok =
            Shell.run(probe, Namespaces.ip(), "netns", "exec", ns, Shell.tool(backend.restoreV4).get()).ok()
                && Shell.run(probe, Namespaces.ip(), "netns", "exec", ns, Shell.tool(backend.restoreV6).get()).ok();
        if (ok) {
          usable.add(backend);
        }
      } finally {
        Namespaces.delete(ns);
      }
    }
    String defaultTool =
        Shell.tool("iptables-restore")
            .map(path -> {
              try {
                return java.nio.file.Path.of(path).toRealPath().toString();
              } catch (java.io.IOException e) {
                return path;
              }
            })
            .orElse("");
    if (defaultTool.contains("legacy") && usable.remove(TruthCase.Backend.LEGACY)) {
      usable.add(0, TruthCase.Backend.LEGACY);
    }
    if (usable.isEmpty()) {
      throw new IllegalStateException("neither iptables-nft nor iptables-legacy can load rules here");
    }
    return usable;
  }
}
