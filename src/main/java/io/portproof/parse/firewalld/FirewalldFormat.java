package io.portproof.parse.firewalld;

import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import java.util.List;
import java.util.Map;

/**
 * firewalld zones, as a zone XML file ({@code firewalld}: the one zone every interface is in) or as {@code
 * firewall-cmd --list-all-zones} output ({@code firewall-cmd}: every zone with its interfaces and sources, the
 * default zone marked).
 *
 * @param name the registry name
 * @param listing whether this reads the firewall-cmd listing rather than a zone file
 */
public record FirewalldFormat(String name, boolean listing) implements FirewallFormat {
  /** A zone file. */
  public static FirewalldFormat zoneFile() {
    return new FirewalldFormat("firewalld", false);
  }

  /** {@code firewall-cmd --list-all-zones} output. */
  public static FirewalldFormat listAllZones() {
    return new FirewalldFormat("firewall-cmd", true);
  }

  @Override
  public String summary() {
    return listing ? "'firewall-cmd --list-all-zones' output (every zone, the default zone marked)"
        : "a firewalld zone file (/etc/firewalld/zones/NAME.xml), taken as the zone of every interface";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    if (listing) {
      return head.lines().limit(3).anyMatch(l -> l.startsWith("  target: ")) && ZoneReader.HEADING.matcher(head.lines().findFirst().orElse("")).matches();
    }
    String h = head.stripLeading();
    return h.startsWith("<") && h.contains("<zone");
  }

  @Override
  public List<Ruleset> parse(InputText in, Map<String, IpsetDefinition> ipsets, Diagnostics diags) {
    List<Zone> zones;
    if (listing) {
      zones = ZoneReader.fromListing(in, diags);
    } else {
      Zone z = ZoneReader.fromXml(in, diags);
      zones = z == null ? List.of() : List.of(z);
    }
    return new FirewalldConverter(in.name(), zones, diags).convert();
  }
}
