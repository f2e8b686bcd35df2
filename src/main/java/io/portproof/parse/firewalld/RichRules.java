package io.portproof.parse.firewalld;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.parse.firewalld.Zone.Addr;
import io.portproof.parse.firewalld.Zone.Element;
import io.portproof.parse.firewalld.Zone.RichRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rich rules in both spellings: the rich language firewall-cmd prints, and the {@code <rule>} element of a zone file. */
final class RichRules {
  private static final Set<String> ELEMENTS = Set.of("service", "port", "protocol", "icmp-block", "icmp-type",
      "source-port", "masquerade", "forward-port", "tcp-mss-clamp");
  private static final Set<String> ACTIONS = Set.of("accept", "reject", "drop", "mark");
  private static final Set<String> LOGGING = Set.of("log", "audit", "nflog");

  private RichRules() {}

  /** One clause of the rich language: a keyword, whether NOT preceded it, and its attributes. */
  private record Clause(String keyword, boolean not, Map<String, String> attrs) {}

  /** Parses {@code rule family="ipv4" source address="…" service name="http" accept}; null with a diagnostic if bad. */
  static RichRule parse(String text, SourceRef at, Diagnostics diags) {
    List<Clause> clauses = new ArrayList<>();
    int i = 0;
    boolean not = false;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int start = i;
      while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '=') {
        i++;
      }
      String word = text.substring(start, i);
      if (i < text.length() && text.charAt(i) == '=') {
        i++;
        String value;
        if (i < text.length() && (text.charAt(i) == '"' || text.charAt(i) == '\'')) {
          char q = text.charAt(i);
          int end = text.indexOf(q, i + 1);
          if (end < 0) {
            diags.invalid(at, "unterminated quote in rich rule");
            return null;
          }
          value = text.substring(i + 1, end);
          i = end + 1;
        } else {
          int s = i;
          while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
            i++;
          }
          value = text.substring(s, i);
        }
        if (clauses.isEmpty()) {
          diags.invalid(at, "rich rule must start with 'rule'");
          return null;
        }
        clauses.get(clauses.size() - 1).attrs.put(word, value);
      } else if (word.equalsIgnoreCase("not")) {
        Clause last = clauses.isEmpty() ? null : clauses.get(clauses.size() - 1);
        // firewall-cmd prints "source NOT address=…": the NOT belongs to the clause it follows.
        if (last != null && last.attrs.isEmpty() && (last.keyword.equals("source") || last.keyword.equals("destination"))) {
          clauses.set(clauses.size() - 1, new Clause(last.keyword, true, last.attrs));
        } else {
          not = true;
        }
      } else {
        clauses.add(new Clause(word, not, new LinkedHashMap<>()));
        not = false;
      }
    }
    if (clauses.isEmpty() || !clauses.get(0).keyword.equals("rule")) {
      diags.invalid(at, "rich rule must start with 'rule'");
      return null;
    }
    return build(clauses, at, diags);
  }

  /** Converts a zone file's {@code <rule>} element. */
  static RichRule fromXml(Xml.El rule, Diagnostics diags) {
    List<Clause> clauses = new ArrayList<>();
    clauses.add(new Clause("rule", false, new LinkedHashMap<>(rule.attributes())));
    for (Xml.El c : rule.children()) {
      Map<String, String> attrs = new LinkedHashMap<>(c.attributes());
      String invert = attrs.remove("invert");
      boolean not = "true".equalsIgnoreCase(invert) || "yes".equalsIgnoreCase(invert);
      clauses.add(new Clause(c.name(), not, attrs));
      Xml.El limit = c.first("limit");
      if (limit != null) {
        clauses.add(new Clause("limit", false, new LinkedHashMap<>(limit.attributes())));
      }
    }
    return build(clauses, rule.source(), diags);
  }

  private static RichRule build(List<Clause> clauses, SourceRef at, Diagnostics diags) {
    Map<String, String> head = clauses.get(0).attrs;
    String family = head.get("family");
    if (family != null && !family.equals("ipv4") && !family.equals("ipv6")) {
      diags.invalid(at, "rich rule family must be ipv4 or ipv6, not " + family);
      return null;
    }
    int priority = 0;
    if (head.containsKey("priority")) {
      try {
        priority = Integer.parseInt(head.get("priority"));
      } catch (NumberFormatException e) {
        diags.invalid(at, "rich rule priority must be a number, not " + head.get("priority"));
        return null;
      }
    }
    Addr from = null;
    Addr to = null;
    Element element = null;
    String action = null;
    String rejectType = null;
    String limit = null;
    String last = null;
    for (Clause c : clauses.subList(1, clauses.size())) {
      String k = c.keyword;
      if (k.equals("source") || k.equals("destination")) {
        Addr a = addr(c, at, diags);
        if (a == null) {
          return null;
        }
        if (k.equals("source")) {
          from = a;
        } else {
          to = a;
        }
      } else if (ELEMENTS.contains(k)) {
        if (element != null) {
          diags.invalid(at, "a rich rule has one element, not " + element.kind() + " and " + k);
          return null;
        }
        String value = switch (k) {
          case "service", "icmp-block", "icmp-type" -> c.attrs.get("name");
          case "protocol" -> c.attrs.get("value");
          case "port", "source-port", "forward-port" -> c.attrs.get("port");
          default -> "";
        };
        if (value == null) {
          diags.invalid(at, k + " needs its " + (k.equals("protocol") ? "value" : k.contains("port") ? "port" : "name"));
          return null;
        }
        element = new Element(k, value, c.attrs.get("protocol"));
      } else if (ACTIONS.contains(k)) {
        if (action != null) {
          diags.invalid(at, "a rich rule has one action, not " + action + " and " + k);
          return null;
        }
        action = k;
        rejectType = k.equals("reject") ? c.attrs.get("type") : null;
      } else if (k.equals("limit")) {
        if (last != null && ACTIONS.contains(last)) {
          limit = c.attrs.get("value");
        }
      } else if (!LOGGING.contains(k)) {
        diags.invalid(at, "unknown rich rule keyword '" + k + "'");
        return null;
      }
      if (!k.equals("limit")) {
        last = k;
      }
    }
    if (action == null && element != null && element.kind().equals("icmp-block")) {
      action = "reject";
    }
    return new RichRule(family, priority, from, to, element, action, rejectType, limit, at);
  }

  private static Addr addr(Clause c, SourceRef at, Diagnostics diags) {
    for (String kind : List.of("address", "mac", "ipset")) {
      String v = c.attrs.get(kind);
      if (v != null) {
        boolean invert = c.not || "true".equalsIgnoreCase(c.attrs.get("invert"));
        return new Addr(kind, v, invert);
      }
    }
    diags.invalid(at, c.keyword + " needs an address, mac or ipset");
    return null;
  }
}
