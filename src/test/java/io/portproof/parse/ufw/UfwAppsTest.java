package io.portproof.parse.ufw;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The bundled application profiles against the real ones packages install in /etc/ufw/applications.d (Debian's
 * nginx ships its profile whether or not ufw is installed). Skips without them, fails without them when CI=true.
 */
class UfwAppsTest {
  private static final Path NGINX = Path.of("/etc/ufw/applications.d/nginx");

  @Test
  void nginxProfilesMatchWhatNginxInstalls() throws Exception {
    if (!Files.exists(NGINX) && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but " + NGINX + " is missing: install the Debian package nginx");
    }
    Assumptions.assumeTrue(Files.exists(NGINX), NGINX + " is missing: install the Debian package nginx to compare");
    Map<String, String> real = new LinkedHashMap<>();
    String section = null;
    for (String line : Files.readAllLines(NGINX)) {
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1);
      } else if (section != null && line.startsWith("ports=")) {
        real.put(section, line.substring(6));
      }
    }
    assertThat(real.keySet()).containsAll(List.of("Nginx HTTP", "Nginx HTTPS", "Nginx Full"));
    real.forEach((name, ports) -> assertThat(UfwApps.ports(name)).as("profile %s", name).contains(ports));
  }
}
