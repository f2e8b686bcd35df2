package io.portproof.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.portproof.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The HTML report opened in a real headless Chromium: the DOM it builds holds the verdicts, evidence, exposure
 * map and control mapping, nothing from outside is loaded, and a screenshot is kept as a test artifact
 * ({@code target/report.png}). Skips without chromium; fails instead under CI=true.
 */
class HtmlInBrowserTest {
  private static final long TIMEOUT_SECONDS = 90;

  private static Path chromium() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    String why = "chromium is not installed (apt-get install -y chromium)";
    if ("true".equals(System.getenv("CI"))) {
      fail(why + ", and CI=true forbids skipping");
    }
    Assumptions.abort(why);
    return null;
  }

  /** Runs chromium headless on {@code page} with the extra arguments; returns what it printed on stdout. */
  private static String chromium(Path page, Path profile, String... extra) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile.toAbsolutePath()));
    cmd.addAll(List.of(extra));
    cmd.add(page.toAbsolutePath().toUri().toString());
    Path stdout = Files.createTempFile(profile.getParent(), "chromium", ".out");
    Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        fail("chromium did not finish within " + TIMEOUT_SECONDS + " s");
      }
      assertThat(p.exitValue()).as("chromium's exit code").isZero();
      return Files.readString(stdout, StandardCharsets.UTF_8);
    } finally {
      // Ends only the browser this test started (and its helpers, its descendants), on every exit path.
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theBrowserShowsVerdictsEvidenceExposureAndControls() throws Exception {
    Path dir = Fixtures.dir("browser");
    Path page = dir.resolve("report.html");
    Cli run = Cli.run("check", "samples/v6-dropped", "--format", "html", "--output", page.toString());
    assertThat(run.exit()).as(run.err()).isEqualTo(1);
    assertThat(Fixtures.read(page)).as("self-contained").doesNotContain("<script", "<link", "<img", "src=", "url(", "@import", "href=\"http");

    // One browser start does both: it prints the DOM and writes the screenshot, kept as a test artifact.
    Path shot = Path.of("target", "report.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    String dom = chromium(page, dir.resolve("profile"), "--dump-dom", "--screenshot=" + shot, "--window-size=1280,2000");
    assertThat(dom).contains("<p id=\"verdict\" class=\"verdict FAIL\">FAIL</p>");
    assertThat(dom).contains("Host v6-dropped", "HTTPS-OPEN", "IPV6-PARITY");
    assertThat(dom).as("the deciding rule line").contains("samples/v6-dropped/rules.v6:13", "-A INPUT -j REJECT --reject-with icmp6-port-unreachable");
    assertThat(dom).as("the exposure map").contains("Exposure to the internet", "<caption>tcp to <span class=\"mono\">2001:db8:30::30</span></caption>");
    assertThat(dom).as("the control mapping").contains("PCI DSS 4.0 <b>1.2.5</b>");
    assertThat(dom).contains("id=\"run-time\"");

    assertThat(shot).exists();
    byte[] png = Files.readAllBytes(shot);
    assertThat(png.length).as("a real picture, not an empty file").isGreaterThan(10_000);
    assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }
}
