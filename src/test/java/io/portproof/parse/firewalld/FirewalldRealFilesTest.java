package io.portproof.parse.firewalld;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.analysis.FirewallAnalyzer;
import io.portproof.analysis.HostContext;
import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostic;
import io.portproof.diag.Diagnostics;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.Packet;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.InputText;
import io.portproof.parse.firewalld.Services.Service;
import io.portproof.parse.firewalld.Zone.Item;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled service definitions and the zone reader against the files the real firewalld package installs
 * (Debian's {@code firewalld}: /usr/lib/firewalld). Skips without the package, fails without it when CI=true.
 */
class FirewalldRealFilesTest {
  private static final Path REAL = Path.of("/usr/lib/firewalld");
  private static final Path BUNDLED = Path.of("src/main/resources/io/portproof/parse/firewalld/services");

  @BeforeAll
  static void needsFirewalld() {
    boolean present = Files.isDirectory(REAL.resolve("services")) && Files.isDirectory(REAL.resolve("zones"));
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but " + REAL + " is missing: install the Debian package firewalld (it need not run)");
    }
    Assumptions.assumeTrue(present, REAL + " is missing: install the Debian package firewalld to compare with its files");
  }

  /** A service's ports, protocols and destinations in one comparable text. */
  private static String shape(Service s) {
    TreeSet<String> parts = new TreeSet<>();
    s.ports().forEach(p -> parts.add("port " + p.value() + "/" + p.qualifier()));
    s.sourcePorts().forEach(p -> parts.add("source-port " + p.value() + "/" + p.qualifier()));
    s.protocols().forEach(p -> parts.add("protocol " + p));
    s.includes().forEach(i -> parts.add("include " + i));
    if (s.limitedToFamilies()) {
      parts.add("destination ipv4=" + s.ipv4() + " ipv6=" + s.ipv6());
    }
    return String.join("; ", parts);
  }

  private static Service real(String name) throws Exception {
    Xml.El root = Xml.parse(Files.newInputStream(REAL.resolve("services/" + name + ".xml")), name);
    List<Item> ports = new ArrayList<>();
    List<Item> sourcePorts = new ArrayList<>();
    List<String> protocols = new ArrayList<>();
    String v4 = null;
    String v6 = null;
    boolean limited = false;
    List<String> includes = new ArrayList<>();
    for (Xml.El e : root.children()) {
      switch (e.name()) {
        case "port" -> ports.add(new Item(e.attr("port"), e.attr("protocol"), null));
        case "source-port" -> sourcePorts.add(new Item(e.attr("port"), e.attr("protocol"), null));
        case "protocol" -> protocols.add(e.attr("value"));
        case "include" -> includes.add(e.attr("service"));
        case "destination" -> {
          limited = true;
          v4 = e.attr("ipv4");
          v6 = e.attr("ipv6");
        }
        default -> { }
      }
    }
    return new Service(name, ports, protocols, sourcePorts, v4, v6, limited, includes);
  }

  @Test
  void everyBundledServiceHasTheRealDefinitionsPortsAndDestinations() throws Exception {
    List<String> names;
    try (Stream<Path> s = Files.list(BUNDLED)) {
      names = s.map(p -> p.getFileName().toString().replaceFirst("\\.xml$", "")).sorted().toList();
    }
    assertThat(names).hasSizeGreaterThan(20);
    for (String name : names) {
      assertThat(Files.exists(REAL.resolve("services/" + name + ".xml"))).as("firewalld has a service %s", name).isTrue();
      assertThat(shape(Services.get(name).orElseThrow())).as("service %s", name).isEqualTo(shape(real(name)));
    }
  }

  @Test
  void everyStockZoneReadsCleanlyAndThePublicZoneRejectsHttps() throws Exception {
    try (Stream<Path> zones = Files.list(REAL.resolve("zones"))) {
      for (Path z : zones.sorted().toList()) {
        Diagnostics d = new Diagnostics();
        FirewalldFormat.zoneFile().parse(InputText.read(z, z.toString()), Map.of(), d);
        assertThat(d.asList()).as("diagnostics for %s", z).noneMatch(x -> x.kind() == Diagnostic.Kind.INVALID);
        assertThat(d.asList()).as("every service a stock zone names is bundled: %s", z).isEmpty();
      }
    }
    Path pub = REAL.resolve("zones/public.xml");
    FirewallAnalyzer a = new FirewallAnalyzer(new HostContext(
        FirewalldFormat.zoneFile().parse(InputText.read(pub, pub.toString()), Map.of(), new Diagnostics()),
        IpSet.of(IpRange.of(Ip.parse("192.0.2.30")))));
    assertThat(a.explain(new Packet(Ip.parse("203.0.113.5"), Ip.parse("192.0.2.30"), Protocols.TCP, 443, null, null)).verdict())
        .isEqualTo(Verdict.REJECT);
    assertThat(a.explain(new Packet(Ip.parse("203.0.113.5"), Ip.parse("192.0.2.30"), Protocols.TCP, 22, null, null)).verdict())
        .isEqualTo(Verdict.ACCEPT);
  }
}
