package io.portproof.parse.ufw;

import io.portproof.diag.Diagnostics;
import io.portproof.model.Family;
import io.portproof.model.SourceRef;
import io.portproof.parse.FilterLayers;
import io.portproof.parse.InputText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads ufw rules from {@code ufw status [verbose]} output or from {@code user.rules} / {@code user6.rules}. */
final class UfwReader {
  /** What an input says: whether ufw filters at all, its default for incoming traffic, and the rules. */
  record Parsed(boolean active, String incoming, SourceRef incomingSource, List<UfwRule> rules, List<Family> families) {}

  private static final Pattern ACTION = Pattern.compile("(?<=\\s)(ALLOW|DENY|REJECT|LIMIT)(?: (IN|OUT|FWD))?(?=\\s|$)");
  private static final Pattern DEFAULT = Pattern.compile("^Default: (\\w+) \\(incoming\\)");
  private static final Pattern PORTS = Pattern.compile("^[0-9][0-9,:]*(/\\w+)?$");
  private static final Pattern NUMBER = Pattern.compile("^\\[\\s*\\d+\\]\\s*");
  /** {@code ufw status verbose} names an application after the ports it expanded to: {@code 22/tcp (OpenSSH (v6))}. */
  private static final Pattern VERBOSE_APP = Pattern.compile("^(.*\\S)\\s+\\(([A-Za-z][\\w .+-]*?)( \\(v6\\))?\\)$");
  /** A row's attributes after its source: its logging, which never changes a verdict. */
  private static final Pattern ATTRIBUTES = Pattern.compile("\\s+\\((log|log-all)\\)$");

  private UfwReader() {}

  static boolean sniffStatus(String head) {
    return head.startsWith("Status: active") || head.startsWith("Status: inactive");
  }

  static boolean sniffRules(String head) {
    return (head.contains("### tuple ###") || head.contains(":ufw-user-input") || head.contains(":ufw6-user-input"))
        && !head.contains(":INPUT ");
  }

  static Parsed status(InputText in, Diagnostics diags) {
    List<String> lines = in.lines();
    boolean active = false;
    String incoming = null;
    SourceRef incomingAt = SourceRef.ofFile(in.name());
    List<UfwRule> rules = new ArrayList<>();
    boolean table = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      SourceRef at = new SourceRef(in.name(), i + 1, line);
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("Status: ")) {
        active = line.substring(8).strip().equals("active");
        continue;
      }
      Matcher dm = DEFAULT.matcher(line);
      if (dm.find()) {
        incoming = dm.group(1);
        incomingAt = at;
        if (!List.of("deny", "allow", "reject").contains(incoming)) {
          diags.invalid(at, "the default for incoming traffic must be deny, allow or reject, not " + incoming);
          incoming = "deny";
        }
        continue;
      }
      if (line.startsWith("To ") && line.contains("Action") && line.contains("From")) {
        table = true;
        continue;
      }
      if (!table || line.startsWith("--")) {
        continue;
      }
      row(NUMBER.matcher(line).replaceFirst(""), at, rules, diags);
    }
    if (incoming == null) {
      diags.unsupported(SourceRef.ofFile(in.name()), "plain 'ufw status' does not say the default for incoming traffic; taking ufw's default, deny (give 'ufw status verbose' to be sure)");
      incoming = "deny";
    }
    return new Parsed(active, incoming, incomingAt, rules, List.of(Family.IPV4, Family.IPV6));
  }

  /** A status row: {@code To  Action  From}, each side possibly {@code (v6)}, {@code on IFACE}, an address, ports, an app. */
  private static void row(String line, SourceRef at, List<UfwRule> rules, Diagnostics diags) {
    Matcher m = ACTION.matcher(line);
    if (!m.find()) {
      diags.invalid(at, "expected a rule row 'To  Action  From' with ALLOW, DENY, REJECT or LIMIT");
      return;
    }
    if (m.group(2) != null && !m.group(2).equals("IN")) {
      // Outgoing and routed rules do not decide what reaches this host's services.
      return;
    }
    String to = line.substring(0, m.start()).strip();
    String from = ATTRIBUTES.matcher(line.substring(m.end()).replaceFirst("\\s+#.*$", "").strip()).replaceFirst("");
    Side t = side(to);
    Side f = side(from);
    if (t == null || f == null) {
      diags.invalid(at, "cannot read '" + (t == null ? to : from) + "' as an address, ports or application");
      return;
    }
    boolean v6 = t.v6 || f.v6 || (t.addr != null && t.addr.contains(":")) || (f.addr != null && f.addr.contains(":"));
    String proto = t.proto != null ? t.proto : f.proto != null ? f.proto : "any";
    rules.add(new UfwRule(m.group(1).toLowerCase(Locale.ROOT), proto, t.ports, t.addr, f.ports, f.addr, t.app, f.app,
        t.iface, v6 ? Family.IPV6 : Family.IPV4, at));
  }

  private record Side(String addr, String ports, String proto, String app, String iface, boolean v6) {}

  private static Side side(String text) {
    String s = text;
    boolean v6 = false;
    if (s.endsWith("(v6)")) {
      v6 = true;
      s = s.substring(0, s.length() - 4).strip();
    }
    String iface = null;
    int on = s.lastIndexOf(" on ");
    if (on >= 0) {
      iface = s.substring(on + 4).strip();
      s = s.substring(0, on).strip();
    }
    if (s.endsWith("(v6)")) {
      v6 = true;
      s = s.substring(0, s.length() - 4).strip();
    }
    Matcher app = VERBOSE_APP.matcher(s);
    if (app.matches() && PORTS.matcher(app.group(1).substring(app.group(1).lastIndexOf(' ') + 1)).matches()) {
      // One row per protocol of the profile, its ports spelled out, so the profile itself is not needed.
      v6 |= app.group(3) != null;
      s = app.group(1);
    }
    List<String> words = new ArrayList<>(Arrays.asList(s.split("\\s+")));
    String addr = null;
    if (!words.isEmpty() && words.get(0).equals("Anywhere")) {
      words.remove(0);
    } else if (!words.isEmpty() && looksLikeAddress(words.get(0))) {
      addr = words.remove(0);
    }
    String rest = String.join(" ", words);
    if (rest.isEmpty()) {
      return new Side(addr, "any", null, null, iface, v6);
    }
    if (PORTS.matcher(rest).matches()) {
      int slash = rest.indexOf('/');
      return new Side(addr, slash < 0 ? rest : rest.substring(0, slash), slash < 0 ? null : rest.substring(slash + 1), null, iface, v6);
    }
    if (rest.matches("[A-Za-z][\\w .+-]*")) {
      return new Side(addr, "any", null, rest, iface, v6);
    }
    return null;
  }

  private static boolean looksLikeAddress(String w) {
    return FilterLayers.familyOf(w) != null;
  }

  /** {@code user.rules}: ufw keeps each rule as a {@code ### tuple ###} comment above the iptables lines it generates. */
  static Parsed userRules(InputText in, Diagnostics diags) {
    List<String> lines = in.lines();
    List<UfwRule> rules = new ArrayList<>();
    boolean six = in.text().contains("ufw6-user-input") || (in.path().getFileName() != null && in.path().getFileName().toString().startsWith("user6"));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.startsWith("### tuple ###")) {
        continue;
      }
      SourceRef at = new SourceRef(in.name(), i + 1, line);
      List<String> t = new ArrayList<>(Arrays.asList(line.substring("### tuple ###".length()).strip().split("\\s+")));
      t.removeIf(w -> w.startsWith("comment="));
      if (t.size() != 7 && t.size() != 9) {
        diags.invalid(at, "a ufw tuple has 7 fields (action proto dport dst sport src direction) or 9 with applications, not " + t.size());
        continue;
      }
      if (t.get(0).startsWith("route:")) {
        continue;
      }
      String action = t.get(0).replaceFirst("_log(-all)?$", "");
      if (!List.of("allow", "deny", "reject", "limit").contains(action)) {
        diags.invalid(at, "unknown ufw action " + t.get(0));
        continue;
      }
      String direction = t.get(t.size() - 1);
      if (!direction.startsWith("in")) {
        continue;
      }
      String iface = direction.startsWith("in_") ? direction.substring(3) : null;
      boolean v6 = six || t.get(3).contains(":") || t.get(5).contains(":");
      // A tuple already holds an application's ports (ufw writes one tuple per protocol), so no profile is needed.
      rules.add(new UfwRule(action, t.get(1), t.get(2), any(t.get(3)), t.get(4), any(t.get(5)), null, null, iface,
          v6 ? Family.IPV6 : Family.IPV4, at));
    }
    SourceRef dflt = SourceRef.ofFile(in.name());
    String incoming = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.matches("-A ufw6?-after-logging-input -j LOG .*")) {
        dflt = new SourceRef(in.name(), i + 1, line);
        incoming = line.contains("[UFW ALLOW]") ? "allow" : "deny";
        break;
      }
      if (incoming == null && line.matches("-A ufw6?-logging-deny -j LOG .*")) {
        dflt = new SourceRef(in.name(), i + 1, line);
        // Logging is on, and at every level ufw logs what its default blocks in ufw-after-logging-input; at
        // level low it logs nothing there when the default allows.
        incoming = "allow";
      }
    }
    if (incoming == null) {
      diags.unsupported(dflt, "user.rules holds only the user rules, and with logging off not even a trace of the default for incoming traffic (DEFAULT_INPUT_POLICY in /etc/default/ufw); it is taken as ufw's default, deny");
      incoming = "deny";
    } else if (incoming.equals("deny")) {
      diags.unsupported(dflt, "ufw logs blocked packets here, so the default for incoming traffic blocks; whether it drops or rejects, only /etc/default/ufw says: taken as ufw's default, deny");
    }
    return new Parsed(true, incoming, dflt, rules, List.of(six ? Family.IPV6 : Family.IPV4));
  }

  private static String any(String cidr) {
    return cidr.equals("0.0.0.0/0") || cidr.equals("::/0") ? null : cidr;
  }
}
