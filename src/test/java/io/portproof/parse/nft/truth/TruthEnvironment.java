package io.portproof.parse.nft.truth;

import io.portproof.truth.Shell;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides whether this machine can run the nft kernel truth test: root, iproute2, nft, and working network
 * namespaces. Without them the test skips with the reason, except under {@code CI=true}, where a missing
 * prerequisite is a failure: CI must never go green by not testing.
 */
final class TruthEnvironment {
  private TruthEnvironment() {}

  static void require() {
    List<String> missing = new ArrayList<>();
    Optional<String> id = Shell.tool("id");
    if (id.isEmpty() || !Shell.run(null, id.get(), "-u").stdout().strip().equals("0")) {
      missing.add("root (network namespaces and nft need it)");
    }
    for (String tool : List.of("ip", "nft")) {
      if (Shell.tool(tool).isEmpty()) {
        missing.add(tool);
      }
    }
    if (missing.isEmpty()) {
      try {
        String ns = Namespaces.create("chk");
        try {
          Shell.run("table inet t {\n chain c {\n type filter hook input priority 0;\n }\n}\n",
              Namespaces.ip(), "netns", "exec", ns, Shell.tool("nft").get(), "-f", "-").orThrow();
        } finally {
          Namespaces.delete(ns);
        }
      } catch (RuntimeException e) {
        missing.add("working network namespaces with nftables (" + e.getMessage() + ")");
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String message = "nft kernel truth suite needs " + String.join(", ", missing) + " (Debian packages: iproute2, nftables)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true but " + message);
    }
    Assumptions.abort(message);
  }
}
