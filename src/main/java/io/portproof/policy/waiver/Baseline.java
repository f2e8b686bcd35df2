package io.portproof.policy.waiver;

import io.portproof.parse.InputException;
import io.portproof.parse.InputText;
import io.portproof.policy.Yaml;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The findings of a previous run, read from its JSON report ({@code --format json}, schema version 1), so a
 * gate can fail only on what is new. JSON is read through {@link Yaml}: a JSON document is YAML flow syntax,
 * and that reader keeps line numbers and caps size and nesting, so a damaged baseline is an error at file:line.
 *
 * @param file the report as the user named it
 * @param keys what it found, plus the checks it left INCONCLUSIVE without findings (empty subject)
 */
public record Baseline(String file, Set<FindingKey> keys) {
  private static final Set<String> ROOT = Set.of("schemaVersion", "tool", "time", "policy", "hosts", "summary", "gate");
  private static final Set<String> HOST = Set.of("name", "policy", "addresses", "checks", "endpoints", "diagnostics");
  private static final Set<String> CHECK = Set.of("id", "title", "status", "summary", "findings", "waiver", "baselineState", "blocking");
  private static final Set<String> FINDING = Set.of("check", "severity", "host", "subject", "message", "location",
      "evidence", "waiver", "baselineState", "blocking");

  public Baseline {
    keys = Set.copyOf(keys);
  }

  public boolean contains(FindingKey key) {
    return keys.contains(key);
  }

  /** @param name how to call the file in messages */
  public static Baseline load(Path path, String name) throws InputException {
    InputText text = InputText.read(path, name);
    Yaml.Doc root = Yaml.load(text);
    if (!root.isMap()) {
      throw root.error("a baseline is a JSON report of an earlier run (portproof check --format json), not this");
    }
    Map<String, Yaml.Doc> top = root.map(ROOT);
    if (!top.containsKey("schemaVersion") || !top.containsKey("hosts")) {
      throw root.error("a baseline is a JSON report of an earlier run (portproof check --format json): "
          + "'schemaVersion' or 'hosts' is missing");
    }
    Yaml.Doc version = top.get("schemaVersion");
    if (version.integer(0, Integer.MAX_VALUE) != 1) {
      throw version.error("schemaVersion " + version.string() + " is not one this portproof reads (1)");
    }
    Set<FindingKey> keys = new HashSet<>();
    for (Yaml.Doc h : top.get("hosts").list()) {
      Map<String, Yaml.Doc> host = required(h, HOST, "name", "checks");
      String hostName = host.get("name").string();
      for (Yaml.Doc c : host.get("checks").list()) {
        Map<String, Yaml.Doc> check = required(c, CHECK, "id", "status", "findings");
        String status = check.get("status").string();
        if (!Set.of("PASS", "FAIL", "INCONCLUSIVE", "SKIPPED").contains(status)) {
          throw check.get("status").error("status '" + status + "' is not PASS, FAIL, INCONCLUSIVE or SKIPPED");
        }
        if (status.equals("INCONCLUSIVE")) {
          keys.add(new FindingKey(check.get("id").string(), hostName, ""));
        }
        for (Yaml.Doc f : check.get("findings").list()) {
          Map<String, Yaml.Doc> finding = required(f, FINDING, "check", "host", "subject");
          keys.add(new FindingKey(finding.get("check").string(), finding.get("host").string(), finding.get("subject").string()));
        }
      }
    }
    return new Baseline(text.name(), keys);
  }

  private static Map<String, Yaml.Doc> required(Yaml.Doc d, Set<String> allowed, String... needed) throws InputException {
    Map<String, Yaml.Doc> m = d.map(allowed);
    for (String k : needed) {
      if (!m.containsKey(k)) {
        throw d.error("'" + k + "' is missing; is this a portproof JSON report?");
      }
    }
    return m;
  }
}
