package io.portproof.cli;

import io.portproof.analysis.ExportMerge;
import io.portproof.diag.Diagnostic;
import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.web.ServerModel;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputException;
import io.portproof.parse.InputFormat;
import io.portproof.parse.InputText;
import io.portproof.parse.ServerConfigParser;
import io.portproof.parse.ipset.IpsetParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the firewall inputs named on the command line or in a host file: {@code PATH} (type sniffed) or
 * {@code TYPE:PATH}. ipset files are read first so rules can use them.
 */
final class Inputs {
  /** What was read: the rulesets, the server configurations, and every diagnostic on the way. */
  record Loaded(List<Ruleset> rulesets, List<ServerModel> servers, List<Diagnostic> diagnostics) {
    boolean invalid() {
      return diagnostics.stream().anyMatch(d -> d.kind() == Diagnostic.Kind.INVALID);
    }
  }

  /** A named input: its type (null to sniff), path, and how to call it in messages. */
  record Spec(String type, Path path, String display) {
    static Spec parse(String arg, Path base) {
      String type = null;
      String p = arg;
      int colon = arg.indexOf(':');
      if (colon > 0 && Formats.named(arg.substring(0, colon)).isPresent()) {
        type = arg.substring(0, colon);
        p = arg.substring(colon + 1);
      }
      Path path = base == null ? Path.of(p) : base.resolve(p);
      return new Spec(type, path, base == null ? p : display(path));
    }

    /** Relative to the working directory when below it: what the user would type to open the file. */
    static String display(Path path) {
      Path cwd = Path.of("").toAbsolutePath();
      Path abs = path.toAbsolutePath().normalize();
      return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
  }

  private Inputs() {}

  /** Each format joins its own inputs; the joined rulesets take the place of the first of them. */
  private static List<Ruleset> combine(List<Ruleset> rulesets, Map<FirewallFormat, List<Ruleset>> byFormat) {
    List<Ruleset> out = new ArrayList<>(rulesets);
    for (Map.Entry<FirewallFormat, List<Ruleset>> e : byFormat.entrySet()) {
      List<Ruleset> joined = e.getKey().combine(e.getValue());
      if (joined.equals(e.getValue())) {
        continue;
      }
      Set<Ruleset> parts = Collections.newSetFromMap(new IdentityHashMap<>());
      parts.addAll(e.getValue());
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        if (parts.contains(out.get(i))) {
          at = at < 0 ? i : at;
        }
      }
      out.removeIf(parts::contains);
      out.addAll(at, joined);
    }
    return out;
  }

  static Loaded load(List<Spec> specs) throws InputException {
    Diagnostics diags = new Diagnostics();
    List<InputText> texts = new ArrayList<>();
    List<InputFormat> formats = new ArrayList<>();
    for (Spec s : specs) {
      InputText t = InputText.read(s.path(), s.display());
      InputFormat f = s.type() != null ? Formats.named(s.type()).orElseThrow()
          : Formats.sniff(t.text().substring(0, Math.min(t.text().length(), 65536)),
              s.path().getFileName() == null ? "" : s.path().getFileName().toString())
              .orElseThrow(() -> new InputException(s.display() + ": not a format portproof knows (" + String.join(", ", Formats.names())
                  + "); name the type as TYPE:" + s.display() + " if it is one of them"));
      texts.add(t);
      formats.add(f);
    }
    Map<String, IpsetDefinition> ipsets = new LinkedHashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      if (formats.get(i) == Formats.IPSET) {
        ipsets.putAll(IpsetParser.parse(texts.get(i), diags));
      }
    }
    List<Ruleset> rulesets = new ArrayList<>();
    Map<FirewallFormat, List<Ruleset>> byFormat = new LinkedHashMap<>();
    List<ServerModel> servers = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      if (formats.get(i) instanceof FirewallFormat ff) {
        List<Ruleset> got = ff.parse(texts.get(i), ipsets, diags);
        rulesets.addAll(got);
        byFormat.computeIfAbsent(ff, k -> new ArrayList<>()).addAll(got);
      } else if (formats.get(i) instanceof ServerConfigParser sp) {
        Diagnostics own = new Diagnostics();
        // Parsed by the name the user gave, so every file:line reads as they would type it.
        ServerModel m = sp.parse(Path.of(texts.get(i).name()), own);
        diags.addAll(own.asList());
        if (!m.analyzable()) {
          StringBuilder why = new StringBuilder();
          own.asList().forEach(d -> why.append("\n  ").append(d));
          throw new InputException(texts.get(i).name() + ": nothing in this " + sp.name() + " configuration could be analysed:" + why);
        }
        servers.add(m);
      }
    }
    rulesets = combine(rulesets, byFormat);
    // Several exports of one host may show the same kernel table; each is evaluated once.
    ExportMerge.Merged merged = ExportMerge.merge(rulesets, diags.asList());
    return new Loaded(merged.rulesets(), servers, merged.diagnostics());
  }
}
