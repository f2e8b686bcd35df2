package io.portproof.policy.waiver;

import io.portproof.model.SourceRef;
import io.portproof.parse.InputException;
import io.portproof.parse.InputText;
import io.portproof.policy.Yaml;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a waivers file: a YAML list of {@code {id, host, subject, expires, reason, ticket}}. Every mistake — a
 * missing expiry, an unknown key or check, a date that is not one — is an error naming file:line, so a typo
 * never silently waives nothing (or everything).
 */
public final class Waivers {
  private static final Set<String> KEYS = Set.of("id", "host", "subject", "expires", "reason", "ticket");

  private Waivers() {}

  /**
   * @param name how to call the file in messages (the path as the user wrote it)
   * @param checkIds the check ids a waiver may name: the policy checks, and any the run adds (the probe's drift)
   */
  public static List<Waiver> load(Path file, String name, List<String> checkIds) throws InputException {
    InputText text = InputText.read(file, name);
    Yaml.Doc root = Yaml.load(text);
    if (!root.isList()) {
      throw root.error("a waivers file is a list of waivers (- id: CHECK, host: NAME, expires: YYYY-MM-DD, reason: ...)");
    }
    List<Waiver> out = new ArrayList<>();
    for (Yaml.Doc item : root.list()) {
      out.add(waiver(item, text.name(), checkIds));
    }
    return List.copyOf(out);
  }

  private static Waiver waiver(Yaml.Doc item, String file, List<String> checkIds) throws InputException {
    Map<String, Yaml.Doc> m = item.map(KEYS);
    for (String required : List.of("id", "host", "expires", "reason")) {
      if (!m.containsKey(required)) {
        throw item.error("a waiver needs '" + required + "'" + (required.equals("expires")
            ? ": every waiver ends on a date (expires: YYYY-MM-DD), so accepted risks are reviewed" : ""));
      }
    }
    Yaml.Doc id = m.get("id");
    if (!checkIds.contains(id.string())) {
      throw id.error("unknown check '" + id.string() + "' (checks: " + String.join(", ", checkIds) + "; see 'portproof rules')");
    }
    Yaml.Doc expires = m.get("expires");
    LocalDate date;
    try {
      date = LocalDate.parse(expires.string().strip());
    } catch (DateTimeParseException e) {
      throw expires.error("expires: '" + expires.string() + "' is not a date (YYYY-MM-DD)");
    }
    String reason = nonEmpty(m.get("reason"), "reason");
    String host = nonEmpty(m.get("host"), "host");
    String subject = m.containsKey("subject") ? nonEmpty(m.get("subject"), "subject") : null;
    String ticket = m.containsKey("ticket") ? nonEmpty(m.get("ticket"), "ticket") : null;
    return new Waiver(id.string(), host, subject, date, reason, ticket,
        new SourceRef(file, item.line(), id.string() + " on " + host));
  }

  private static String nonEmpty(Yaml.Doc d, String key) throws InputException {
    String s = d.string().strip();
    if (s.isEmpty()) {
      throw d.error(key + " is empty");
    }
    return s;
  }
}
