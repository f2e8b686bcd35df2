package io.portproof.parse.firewalld;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.parse.InputText;
import io.portproof.parse.firewalld.Zone.Item;
import io.portproof.parse.firewalld.Zone.RichRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads zones from a zone XML file or from {@code firewall-cmd --list-all-zones} output. */
final class ZoneReader {
  static final Set<String> TARGETS = Set.of("default", "ACCEPT", "DROP", "REJECT", "%%REJECT%%");
  /** {@code public (default, active)}: a zone's heading line in list-all-zones output. */
  static final Pattern HEADING = Pattern.compile("^(\\S+)(?: \\(([^)]*)\\))?\\s*$");
  /** Keys whose values firewall-cmd prints on the following lines, one per line, indented by a tab. */
  private static final Set<String> MULTILINE = Set.of("rich rules", "forward-ports");

  private ZoneReader() {}

  /** A zone file: the zone every interface is in, as it is the only one given. */
  static Zone fromXml(InputText in, Diagnostics diags) {
    Xml.El root = Xml.parse(in.text(), in.name(), diags);
    if (root == null) {
      return null;
    }
    if (!root.name().equals("zone")) {
      diags.invalid(root.source(), "not a firewalld zone file: the root element is <" + root.name() + ">, expected <zone>");
      return null;
    }
    String fileName = in.path().getFileName() == null ? "zone" : in.path().getFileName().toString();
    String name = root.attr("name") != null ? root.attr("name") : fileName.replaceFirst("\\.xml$", "");
    String target = target(root.attr("target"), root.source(), diags);
    List<Item> interfaces = new ArrayList<>();
    List<Item> sources = new ArrayList<>();
    List<Item> services = new ArrayList<>();
    List<Item> ports = new ArrayList<>();
    List<Item> protocols = new ArrayList<>();
    List<Item> sourcePorts = new ArrayList<>();
    List<Item> icmpBlocks = new ArrayList<>();
    List<Item> forwardPorts = new ArrayList<>();
    List<RichRule> rules = new ArrayList<>();
    boolean inversion = false;
    for (Xml.El e : root.children()) {
      SourceRef at = e.source();
      switch (e.name()) {
        case "interface" -> interfaces.add(new Item(required(e, "name", diags), null, at));
        case "source" -> {
          String kind = e.attr("address") != null ? "address" : e.attr("mac") != null ? "mac" : "ipset";
          sources.add(new Item(required(e, kind, diags), kind, at));
        }
        case "service" -> services.add(new Item(required(e, "name", diags), null, at));
        case "port" -> ports.add(new Item(required(e, "port", diags), required(e, "protocol", diags), at));
        case "protocol" -> protocols.add(new Item(required(e, "value", diags), null, at));
        case "source-port" -> sourcePorts.add(new Item(required(e, "port", diags), required(e, "protocol", diags), at));
        case "icmp-block" -> icmpBlocks.add(new Item(required(e, "name", diags), null, at));
        case "icmp-block-inversion" -> inversion = true;
        case "forward-port" -> forwardPorts.add(new Item(required(e, "port", diags), e.attr("protocol"), at));
        case "rule" -> {
          RichRule r = RichRules.fromXml(e, diags);
          if (r != null) {
            rules.add(r);
          }
        }
        case "short", "description", "masquerade", "forward", "ingress-priority", "egress-priority" -> {
          // Labels, and settings that only concern forwarded or outgoing traffic.
        }
        default -> diags.unsupported(at, "<" + e.name() + "> is not a zone element portproof knows; it is ignored");
      }
    }
    return new Zone(name, target, inversion, true, interfaces, sources, services, ports, protocols, sourcePorts,
        icmpBlocks, forwardPorts, rules, root.source());
  }

  private static String required(Xml.El e, String attr, Diagnostics diags) {
    String v = e.attr(attr);
    if (v == null) {
      diags.invalid(e.source(), "<" + e.name() + "> needs the attribute " + attr);
      return "";
    }
    return v;
  }

  private static String target(String t, SourceRef at, Diagnostics diags) {
    if (t == null) {
      return "default";
    }
    if (!TARGETS.contains(t)) {
      diags.invalid(at, "zone target must be default, ACCEPT, DROP or %%REJECT%%, not " + t);
      return "default";
    }
    return t;
  }

  /** {@code firewall-cmd --list-all-zones}: zone headings at column 0, {@code key: value} lines indented. */
  static List<Zone> fromListing(InputText in, Diagnostics diags) {
    List<String> lines = in.lines();
    List<Zone> zones = new ArrayList<>();
    Builder cur = null;
    String multiline = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      SourceRef at = new SourceRef(in.name(), i + 1, line);
      if (line.isBlank()) {
        multiline = null;
        continue;
      }
      if (!Character.isWhitespace(line.charAt(0))) {
        Matcher m = HEADING.matcher(line);
        if (!m.matches()) {
          diags.invalid(at, "expected a zone name, as firewall-cmd --list-all-zones prints it");
          cur = null;
          continue;
        }
        if (cur != null) {
          zones.add(cur.build());
        }
        boolean dflt = m.group(2) != null && List.of(m.group(2).split(",\\s*")).contains("default");
        cur = new Builder(m.group(1), dflt, at);
        multiline = null;
        continue;
      }
      if (cur == null) {
        diags.invalid(at, "an indented line before any zone name");
        continue;
      }
      String t = line.strip();
      int colon = t.indexOf(':');
      String key = colon > 0 ? t.substring(0, colon) : null;
      if (multiline != null && (line.startsWith("\t") || key == null || !KNOWN.contains(key))) {
        cur.item(multiline, t, at, diags);
        continue;
      }
      if (key == null) {
        diags.invalid(at, "expected 'key: value'");
        continue;
      }
      String value = t.substring(colon + 1).strip();
      multiline = MULTILINE.contains(key) ? key : null;
      cur.setting(key, value, at, diags);
    }
    if (cur != null) {
      zones.add(cur.build());
    }
    if (zones.isEmpty()) {
      diags.invalid(SourceRef.ofFile(in.name()), "no zones: expected the output of firewall-cmd --list-all-zones");
    }
    return zones;
  }

  private static final Set<String> KNOWN = Set.of("target", "ingress-priority", "egress-priority", "icmp-block-inversion",
      "interfaces", "sources", "services", "ports", "protocols", "forward", "masquerade", "forward-ports", "source-ports",
      "sourceports", "icmp-blocks", "rich rules", "summary", "description");

  /** Collects one zone of a listing. */
  private static final class Builder {
    private final String name;
    private final boolean isDefault;
    private final SourceRef source;
    private String target = "default";
    private boolean inversion;
    private final List<Item> interfaces = new ArrayList<>();
    private final List<Item> sources = new ArrayList<>();
    private final List<Item> services = new ArrayList<>();
    private final List<Item> ports = new ArrayList<>();
    private final List<Item> protocols = new ArrayList<>();
    private final List<Item> sourcePorts = new ArrayList<>();
    private final List<Item> icmpBlocks = new ArrayList<>();
    private final List<Item> forwardPorts = new ArrayList<>();
    private final List<RichRule> rules = new ArrayList<>();

    Builder(String name, boolean isDefault, SourceRef source) {
      this.name = name;
      this.isDefault = isDefault;
      this.source = source;
    }

    void setting(String key, String value, SourceRef at, Diagnostics diags) {
      List<String> words = value.isEmpty() ? List.of() : List.of(value.split("\\s+"));
      switch (key) {
        case "target" -> target = target(value, at, diags);
        case "icmp-block-inversion" -> inversion = value.equals("yes");
        case "interfaces" -> words.forEach(w -> interfaces.add(new Item(w, null, at)));
        case "sources" -> words.forEach(w -> sources.add(w.startsWith("ipset:") ? new Item(w.substring(6), "ipset", at)
            : new Item(w, w.matches("(?i)([0-9a-f]{2}:){5}[0-9a-f]{2}") ? "mac" : "address", at)));
        case "services" -> words.forEach(w -> services.add(new Item(w, null, at)));
        case "ports", "source-ports", "sourceports" -> {
          for (String w : words) {
            int slash = w.indexOf('/');
            if (slash < 0) {
              diags.invalid(at, "port '" + w + "' needs a protocol (PORT/PROTOCOL)");
              continue;
            }
            (key.equals("ports") ? ports : sourcePorts).add(new Item(w.substring(0, slash), w.substring(slash + 1), at));
          }
        }
        case "protocols" -> words.forEach(w -> protocols.add(new Item(w, null, at)));
        case "icmp-blocks" -> words.forEach(w -> icmpBlocks.add(new Item(w, null, at)));
        case "forward-ports", "rich rules" -> {
          if (!value.isEmpty()) {
            item(key, value, at, diags);
          }
        }
        case "ingress-priority", "egress-priority", "forward", "masquerade", "summary", "description" -> {
          // Only forwarded or outgoing traffic depends on these, or they are labels.
        }
        default -> diags.unsupported(at, "'" + key + "' is not a zone setting portproof knows; it is ignored");
      }
    }

    void item(String key, String text, SourceRef at, Diagnostics diags) {
      if (key.equals("rich rules")) {
        RichRule r = RichRules.parse(text, at, diags);
        if (r != null) {
          rules.add(r);
        }
      } else {
        // port=80:proto=tcp:toport=8080:toaddr=
        String port = null;
        String proto = null;
        for (String kv : text.split(":")) {
          if (kv.startsWith("port=")) {
            port = kv.substring(5);
          } else if (kv.startsWith("proto=")) {
            proto = kv.substring(6);
          }
        }
        if (port == null) {
          diags.invalid(at, "forward-port needs port=");
          return;
        }
        forwardPorts.add(new Item(port, proto, at));
      }
    }

    Zone build() {
      return new Zone(name, target, inversion, isDefault, interfaces, sources, services, ports, protocols, sourcePorts,
          icmpBlocks, forwardPorts, rules, source);
    }
  }
}
