package io.portproof.policy;

import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.SourceRef;
import io.portproof.parse.InputException;
import io.portproof.parse.InputText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a policy by built-in name ({@code web-baseline}, from {@code rules/} in the jar) or from a YAML file,
 * following {@code extends}. Every mistake — unknown key, unknown check, wrong type — is an error naming
 * file:line.
 */
public final class PolicyLoader {
  private static final Set<String> TOP = Set.of("policy", "version", "title", "description", "extends", "internet", "checks");
  private static final Set<String> CHECK_KEYS = Set.of("severity", "enabled");
  /** The built-in policies, in the order {@code portproof rules} lists them. */
  public static final List<String> BUILT_IN = List.of("web-baseline", "hsts-preload", "mozilla-intermediate-6.0", "mozilla-modern-6.0", "pci-dss-4.0");

  private PolicyLoader() {}

  /** A policy by name or path. */
  public static Policy load(String nameOrPath) throws InputException {
    return load(nameOrPath, new HashSet<>());
  }

  private static Policy load(String nameOrPath, Set<String> seen) throws InputException {
    if (!seen.add(nameOrPath)) {
      throw new InputException("policy " + nameOrPath + " extends itself (through " + String.join(" -> ", seen) + ")");
    }
    InputText text = read(nameOrPath);
    Yaml.Doc root = Yaml.load(text);
    Map<String, Yaml.Doc> top = root.map(TOP);
    if (!top.containsKey("policy")) {
      throw root.error("a policy needs a 'policy:' name");
    }
    Policy parent = top.containsKey("extends") ? load(top.get("extends").string(), seen) : null;
    String name = top.get("policy").string();
    int version = top.containsKey("version") ? top.get("version").integer(0, Integer.MAX_VALUE) : 1;
    String title = top.containsKey("title") ? top.get("title").string() : parent != null ? parent.title() : name;
    String description = top.containsKey("description") ? top.get("description").string() : parent != null ? parent.description() : "";
    IpSet internet = top.containsKey("internet") ? internet(top.get("internet"))
        : parent != null ? parent.internet() : IpSet.all();
    Map<String, Policy.CheckConfig> checks = new LinkedHashMap<>();
    Map<String, Map<String, Yaml.Doc>> rawParams = new LinkedHashMap<>();
    if (parent != null) {
      checks.putAll(parent.checks());
    }
    if (top.containsKey("checks")) {
      Map<String, Yaml.Doc> keys = top.get("checks").keys();
      for (Map.Entry<String, Yaml.Doc> e : top.get("checks").map(null).entrySet()) {
        String id = e.getKey();
        Check<?> check = Checks.byId(id).orElseThrow(() -> keys.get(id).error("unknown check '" + id + "'"
            + Yaml.suggestion(id, new HashSet<>(Checks.ALL.stream().map(Check::id).toList())) + "; see 'portproof rules'"));
        Set<String> allowed = new HashSet<>(CHECK_KEYS);
        allowed.addAll(check.parameters());
        Yaml.Doc body = e.getValue();
        Map<String, Yaml.Doc> fields = body.isScalar() && body.string().isEmpty() ? Map.of() : body.map(allowed);
        if (fields.containsKey("enabled") && !fields.get("enabled").bool()) {
          checks.remove(id);
          continue;
        }
        Policy.CheckConfig inherited = checks.get(id);
        Severity sev = inherited != null ? inherited.severity() : check.defaultSeverity();
        if (fields.containsKey("severity")) {
          Yaml.Doc s = fields.get("severity");
          try {
            sev = Severity.parse(s.string());
          } catch (IllegalArgumentException ex) {
            throw s.error("severity must be one of info, low, medium, high, critical, not '" + s.string() + "'");
          }
        }
        Map<String, Yaml.Doc> params = new LinkedHashMap<>(fields);
        params.remove("severity");
        params.remove("enabled");
        rawParams.put(id, params);
        Object settings = inherited != null && params.isEmpty() ? inherited.settings() : check.configure(params);
        checks.put(id, new Policy.CheckConfig(check, sev, settings, new SourceRef(text.name(), body.line(), id)));
      }
    }
    // INCONCLUSIVE reviews what the others computed, so it runs last whatever the file's order.
    Policy.CheckConfig inconclusive = checks.remove("INCONCLUSIVE");
    if (inconclusive != null) {
      checks.put("INCONCLUSIVE", inconclusive);
    }
    return new Policy(name, version, title, description, internet, checks, SourceRef.ofFile(text.name()));
  }

  private static IpSet internet(Yaml.Doc d) throws InputException {
    IpSet s = IpSet.EMPTY;
    for (Map.Entry<String, Yaml.Doc> fam : d.map(Set.of("ipv4", "ipv6")).entrySet()) {
      Map<String, Yaml.Doc> f = fam.getValue().map(Set.of("include", "exclude"));
      IpSet in = f.containsKey("include") ? Params.cidrs(f.get("include")) : IpSet.EMPTY;
      IpSet out = f.containsKey("exclude") ? Params.cidrs(f.get("exclude")) : IpSet.EMPTY;
      io.portproof.model.Family family = fam.getKey().equals("ipv4") ? io.portproof.model.Family.IPV4 : io.portproof.model.Family.IPV6;
      for (IpRange r : in.union(out).ranges()) {
        if (r.family() != family) {
          throw fam.getValue().error(r + " is not an " + family.label() + " range");
        }
      }
      s = s.union(in.minus(out));
    }
    return s;
  }

  private static InputText read(String nameOrPath) throws InputException {
    Path p = Path.of(nameOrPath);
    if (nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml") || Files.exists(p)) {
      return InputText.read(p, nameOrPath);
    }
    String resource = "/rules/" + nameOrPath + ".yaml";
    try (InputStream in = PolicyLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new InputException("no policy named '" + nameOrPath + "' (built in: " + String.join(", ", BUILT_IN)
            + "; or give a path to a .yaml file)");
      }
      return new InputText(Path.of("rules", nameOrPath + ".yaml"), "rules/" + nameOrPath + ".yaml",
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new InputException("cannot read built-in policy " + nameOrPath + ": " + e.getMessage());
    }
  }
}
