package io.portproof.analysis;

import io.portproof.diag.Diagnostic;
import io.portproof.model.Family;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.BaseChain;
import io.portproof.model.fw.Chain;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.TableOrigin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Several exports of one host, taken together. A host may run iptables-nft, iptables-legacy and native nftables
 * tables at once, and each export shows some of them, some lossily: {@code nft -j} keeps only the name of an
 * iptables-nft extension, {@code nft list ruleset} prints the ones it cannot translate by name, and
 * {@code iptables-save} prints a native table it cannot express as an empty table or not at all. A kernel table
 * seen in several exports is kept once, from the export that shows it most faithfully; where none of them carries
 * the facts, the packets those rules decide stay UNKNOWN. Tables seen once are untouched, and every table left
 * out is named in a diagnostic with the line of the rendering used instead.
 */
public final class ExportMerge {
  /** On a tie, the rendering closest to the kernel: nft prints native expressions iptables-save may drop. */
  private static final List<TableOrigin.Export> PREFERENCE =
      List.of(TableOrigin.Export.NFT, TableOrigin.Export.NFT_JSON, TableOrigin.Export.IPTABLES_SAVE);

  private ExportMerge() {}

  /**
   * The inputs taken together.
   *
   * @param rulesets every kernel table once, in input order
   * @param diagnostics the parsers' diagnostics, less those about renderings left out, plus one per kernel table
   *     seen more than once naming the rendering used and why
   */
  public record Merged(List<Ruleset> rulesets, List<Diagnostic> diagnostics) {
    public Merged {
      rulesets = List.copyOf(rulesets);
      diagnostics = List.copyOf(diagnostics);
    }
  }

  /** One rendering of a kernel table: the ruleset (by its index among the inputs) and what its export said. */
  private record Seen(int index, Ruleset ruleset, TableOrigin origin) {}

  private static final Comparator<Seen> MOST_FAITHFUL = Comparator
      .comparing((Seen s) -> !s.origin().shown())
      .thenComparingInt(s -> s.origin().lost().size())
      .thenComparingInt(s -> PREFERENCE.indexOf(s.origin().export()))
      .thenComparingInt(Seen::index);

  /**
   * Keeps every kernel table once.
   *
   * @param rulesets every firewall input of one host, as parsed
   * @param diagnostics what the parsers said about them
   */
  public static Merged merge(List<Ruleset> rulesets, List<Diagnostic> diagnostics) {
    Map<String, List<Seen>> byTable = new LinkedHashMap<>();
    for (int i = 0; i < rulesets.size(); i++) {
      Ruleset rs = rulesets.get(i);
      for (TableOrigin o : rs.tables()) {
        if (o.backend() != TableOrigin.Backend.UNKNOWN) {
          byTable.computeIfAbsent(rs.family() + " " + o.kernelTable(), k -> new ArrayList<>()).add(new Seen(i, rs, o));
        }
      }
    }
    Map<Integer, Set<String>> dropped = new LinkedHashMap<>();
    Set<SourceRef> superseded = new HashSet<>();
    // An inet table is in both families' rulesets; one diagnostic says it for both.
    Set<Diagnostic> said = new LinkedHashSet<>();
    for (List<Seen> seen : byTable.values()) {
      if (seen.size() < 2) {
        continue;
      }
      Seen used = seen.stream().min(MOST_FAITHFUL).orElseThrow();
      List<Seen> others = seen.stream().filter(s -> s != used).toList();
      for (Seen s : others) {
        dropped.computeIfAbsent(s.index(), k -> new HashSet<>()).add(s.origin().table());
        superseded.addAll(linesOf(s));
      }
      said.add(explain(used, others));
    }
    warnUnknownBackends(rulesets, said);
    List<Ruleset> out = new ArrayList<>();
    for (int i = 0; i < rulesets.size(); i++) {
      Set<String> gone = dropped.get(i);
      out.add(gone == null ? rulesets.get(i) : without(rulesets.get(i), gone));
    }
    // What a parser said about a rendering left out is moot; the merge's diagnostic names its lines instead.
    // INVALID stays: the export itself is broken, whichever rendering is used.
    List<Diagnostic> diags = new ArrayList<>();
    for (Diagnostic d : diagnostics) {
      if (d.kind() == Diagnostic.Kind.INVALID || !superseded.contains(d.source())) {
        diags.add(d);
      }
    }
    diags.addAll(said);
    return new Merged(out, diags);
  }

  /** Every line a rendering of a table consists of: the table, its chains, its rules, and what it lost. */
  private static Set<SourceRef> linesOf(Seen s) {
    Set<SourceRef> lines = new HashSet<>(s.origin().lost());
    lines.add(s.origin().source());
    for (Chain c : s.ruleset().chains().values()) {
      if (c.table().equals(s.origin().table())) {
        lines.add(c.source());
        c.rules().forEach(r -> lines.add(r.source()));
      }
    }
    return lines;
  }

  private static Diagnostic explain(Seen used, List<Seen> others) {
    TableOrigin u = used.origin();
    StringBuilder m = new StringBuilder(u.kernelTable()).append(" is in ").append(others.size() + 1)
        .append(" exports of this host; used ").append(describe(used)).append(", not ")
        .append(others.stream().map(ExportMerge::describe).collect(Collectors.joining(", "))).append(": ");
    List<String> why = new ArrayList<>();
    for (Seen s : others) {
      TableOrigin o = s.origin();
      if (!o.shown()) {
        why.add(command(s) + " could not show it (" + o.lost().get(0).location() + ")");
      } else if (!o.lost().isEmpty()) {
        why.add(command(s) + " printed the iptables-nft extensions of " + o.lost().size() + (o.lost().size() == 1 ? " rule" : " rules")
            + " by name only, without their options (" + locations(o.lost()) + ")");
      }
    }
    if (why.isEmpty()) {
      boolean overIptablesSave = u.export() != TableOrigin.Export.IPTABLES_SAVE
          && others.stream().anyMatch(s -> s.origin().export() == TableOrigin.Export.IPTABLES_SAVE);
      why.add(overIptablesSave
          ? "both show it whole, and nft prints the kernel's own expressions where iptables-save may drop the ones it cannot express"
          : "they show the same rules");
    }
    m.append(String.join("; ", why));
    if (!u.shown() || !u.lost().isEmpty()) {
      m.append("; no export carries the facts behind ").append(locations(u.lost()))
          .append(", so packets those rules decide stay UNKNOWN");
      return new Diagnostic(Diagnostic.Kind.UNSUPPORTED, m.toString(), u.lost().get(0));
    }
    return new Diagnostic(Diagnostic.Kind.RISKY, m.toString(), u.source());
  }

  /**
   * An iptables-save file without its header may be iptables-nft's view of an nftables table another export shows,
   * or an iptables-legacy table of the same name: both are evaluated, and the user is told.
   */
  private static void warnUnknownBackends(List<Ruleset> rulesets, Set<Diagnostic> said) {
    for (Ruleset rs : rulesets) {
      for (TableOrigin o : rs.tables()) {
        if (o.backend() != TableOrigin.Backend.UNKNOWN) {
          continue;
        }
        for (Ruleset other : rulesets) {
          for (TableOrigin n : other.tables()) {
            if (other.family() == rs.family() && n.backend() == TableOrigin.Backend.NF_TABLES
                && n.family().equals(o.family()) && n.name().equals(o.name())) {
              said.add(new Diagnostic(Diagnostic.Kind.RISKY, "no '# Generated by iptables-save' line says which backend table "
                  + o.name() + " is in: it may be iptables-legacy's, or iptables-nft's view of " + n.kernelTable() + " at "
                  + n.source().location() + "; both are evaluated, so if they are one table its rules count twice (keep the "
                  + "header line in the export)", o.source()));
            }
          }
        }
      }
    }
  }

  private static String describe(Seen s) {
    return s.origin().source().location() + " (" + command(s) + ")";
  }

  private static String command(Seen s) {
    TableOrigin.Export e = s.origin().export();
    if (e == TableOrigin.Export.IPTABLES_SAVE) {
      String tool = s.ruleset().family() == Family.IPV6 ? "ip6tables-save" : "iptables-save";
      return s.origin().backend() == TableOrigin.Backend.X_TABLES ? tool.replace("-save", "-legacy-save") : tool;
    }
    return e.command();
  }

  private static String locations(List<SourceRef> refs) {
    List<String> l = refs.stream().limit(5).map(SourceRef::location).toList();
    return String.join(", ", l) + (refs.size() > l.size() ? " and " + (refs.size() - l.size()) + " more" : "");
  }

  private static Ruleset without(Ruleset rs, Set<String> tables) {
    List<BaseChain> bases = rs.baseChains().stream().filter(b -> !tables.contains(b.chain().table())).toList();
    Map<String, Chain> chains = new LinkedHashMap<>();
    rs.chains().forEach((k, c) -> {
      if (!tables.contains(c.table())) {
        chains.put(k, c);
      }
    });
    List<TableOrigin> origins = rs.tables().stream().filter(o -> !tables.contains(o.table())).toList();
    return new Ruleset(rs.family(), bases, chains, rs.source(), origins);
  }
}
