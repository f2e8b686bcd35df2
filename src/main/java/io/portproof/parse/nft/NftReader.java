package io.portproof.parse.nft;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.parse.InputException;
import io.portproof.parse.InputText;
import io.portproof.parse.nft.NftLexer.Kind;
import io.portproof.parse.nft.NftLexer.Tok;
import io.portproof.parse.nft.NftModel.ChainDef;
import io.portproof.parse.nft.NftModel.RuleDef;
import io.portproof.parse.nft.NftModel.SetDef;
import io.portproof.parse.nft.NftModel.Table;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the nft language ({@code nft list ruleset} output and {@code nft -f} files): tables in block form and
 * the flat {@code add …} command form, {@code define}/{@code $var}, {@code include} and {@code flush}.
 */
final class NftReader {
  static final Set<String> FAMILIES = Set.of("ip", "ip6", "inet", "arp", "bridge", "netdev");

  /** Named chain priorities of the ip, ip6, inet and netdev families. */
  static final Map<String, Integer> PRIORITIES = Map.of(
      "raw", -300, "mangle", -150, "dstnat", -100, "filter", 0, "security", 50, "srcnat", 100);

  /** Deeper include nesting than this is a mistake, not a configuration. */
  private static final int MAX_INCLUDE_DEPTH = 16;

  private final NftModel model = new NftModel();
  private final Diagnostics diags;
  private final Map<String, List<Tok>> defines = new HashMap<>();
  private final Deque<Path> including = new ArrayDeque<>();
  private Path root;

  private NftReader(Diagnostics diags) {
    this.diags = diags;
  }

  static NftModel read(InputText in, Diagnostics diags) {
    NftReader r = new NftReader(diags);
    Path p = in.path().toAbsolutePath().normalize();
    r.root = p.getParent();
    r.including.push(p);
    r.statements(new Cursor(lexFile(in.name(), in.text(), diags)), p.getParent(), in.name());
    return r.model;
  }

  static List<Tok> lexFile(String name, String text, Diagnostics diags) {
    List<String> lines = text.lines().toList();
    SourceRef[] refs = new SourceRef[lines.size() + 2];
    return NftLexer.lex(text, line -> {
      if (refs[line] == null) {
        refs[line] = new SourceRef(name, line, line <= lines.size() ? lines.get(line - 1) : "");
      }
      return refs[line];
    }, diags);
  }

  /** A position in a token list. */
  static final class Cursor {
    final List<Tok> toks;
    int i;

    Cursor(List<Tok> toks) {
      this.toks = toks;
    }

    boolean done() {
      return i >= toks.size();
    }

    Tok peek() {
      return i < toks.size() ? toks.get(i) : null;
    }

    Tok next() {
      return toks.get(i++);
    }

    boolean peekIs(String s) {
      return peek() != null && peek().is(s);
    }

    void skipSeparators() {
      while (!done() && peek().endsStatement()) {
        i++;
      }
    }
  }

  // -----------------------------------------------------------------------------------------------------------
  // Top level

  private void statements(Cursor c, Path dir, String file) {
    while (true) {
      c.skipSeparators();
      if (c.done()) {
        return;
      }
      Tok t = c.next();
      if (t.isSym("}")) {
        diags.invalid(t.at(), "'}' without a matching '{'");
        continue;
      }
      switch (t.kind() == Kind.WORD ? t.text() : "") {
        case "table" -> table(c, t, null);
        case "define", "redefine" -> define(c, t);
        case "undefine" -> {
          List<Tok> s = statement(c, false);
          if (!s.isEmpty()) {
            defines.remove(s.get(0).text());
          }
        }
        case "include" -> include(c, t, dir);
        case "flush" -> flush(c, t);
        case "add", "create", "insert", "replace" -> command(c, t);
        case "delete", "destroy", "reset", "rename", "list", "monitor", "export", "import", "describe", "get" -> {
          List<Tok> s = statement(c, true);
          diags.unsupported(t.at(), "'" + t.text() + "' commands are not applied; the ruleset is read as if this line were absent ("
              + render(s) + ")");
        }
        default -> {
          statement(c, false);
          diags.invalid(t.at(), "unknown statement '" + t.render() + "'; nft -f rejects this file");
        }
      }
    }
  }

  private void define(Cursor c, Tok at) {
    List<Tok> s = statement(c, true);
    if (s.size() < 3 || s.get(0).kind() != Kind.WORD || !s.get(1).isSym("=")) {
      diags.invalid(at.at(), "a define reads 'define NAME = VALUE'");
      return;
    }
    defines.put(s.get(0).text(), s.subList(2, s.size()));
  }

  private void include(Cursor c, Tok at, Path dir) {
    List<Tok> s = statement(c, false);
    if (s.size() != 1 || s.get(0).kind() != Kind.STRING) {
      diags.invalid(at.at(), "include needs one quoted file name");
      return;
    }
    String name = s.get(0).text();
    List<Path> files = new ArrayList<>();
    Path target = dir.resolve(name).normalize();
    if (!target.startsWith(root)) {
      diags.invalid(at.at(), "include \"" + name + "\" leaves the directory of the input (" + root
          + "); portproof reads only files beside the export");
      return;
    }
    if (name.contains("*") || name.contains("?")) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(target.getParent(), target.getFileName().toString())) {
        ds.forEach(files::add);
      } catch (IOException e) {
        diags.invalid(at.at(), "include \"" + name + "\": cannot list " + target.getParent());
        return;
      }
      files.sort(null);
    } else {
      files.add(target);
    }
    for (Path f : files) {
      if (including.contains(f)) {
        diags.invalid(at.at(), "include \"" + name + "\" includes itself (through " + including.peek().getFileName() + "); nft -f rejects the cycle");
        continue;
      }
      if (including.size() >= MAX_INCLUDE_DEPTH) {
        diags.invalid(at.at(), "includes nested deeper than " + MAX_INCLUDE_DEPTH);
        continue;
      }
      String display = root.relativize(f).toString();
      InputText in;
      try {
        in = InputText.read(f, display);
      } catch (InputException e) {
        diags.invalid(at.at(), "include \"" + name + "\": " + e.getMessage());
        continue;
      }
      including.push(f);
      try {
        statements(new Cursor(lexFile(display, in.text(), diags)), f.getParent(), display);
      } finally {
        including.pop();
      }
    }
  }

  private void flush(Cursor c, Tok at) {
    List<Tok> s = statement(c, true);
    if (s.isEmpty()) {
      diags.invalid(at.at(), "flush what? (ruleset, table, chain, set or map)");
      return;
    }
    String what = s.get(0).text();
    List<Tok> args = s.subList(1, s.size());
    switch (what) {
      case "ruleset" -> model.tables.clear();
      case "table" -> {
        Table t = existingTable(args, at);
        if (t != null) {
          t.chains.values().forEach(ch -> ch.rules.clear());
        }
      }
      case "chain" -> {
        Target tg = target(args, at, 2);
        ChainDef ch = tg == null ? null : tg.table.chains.get(tg.name);
        if (ch != null) {
          ch.rules.clear();
        } else if (tg != null) {
          diags.invalid(at.at(), "flush chain: no chain " + tg.name + " in table " + tg.table.family + " " + tg.table.name);
        }
      }
      case "set", "map" -> {
        Target tg = target(args, at, 2);
        SetDef sd = tg == null ? null : tg.table.sets.get(tg.name);
        if (sd != null) {
          sd.elements.clear();
        }
      }
      default -> diags.invalid(at.at(), "cannot flush '" + what + "'");
    }
  }

  /** {@code add table|chain|rule|set|map|element …} and friends. */
  private void command(Cursor c, Tok verb) {
    if (c.done() || c.peek().kind() != Kind.WORD) {
      statement(c, false);
      diags.invalid(verb.at(), verb.text() + " what?");
      return;
    }
    Tok what = c.next();
    switch (what.text()) {
      case "table" -> table(c, verb, verb);
      case "chain" -> {
        List<Tok> head = words(c);
        Target tg = target(head, verb, 2);
        if (tg == null) {
          skipBlockOrStatement(c);
          return;
        }
        ChainDef ch = tg.table.chains.computeIfAbsent(tg.name, n -> new ChainDef(n, verb.at()));
        if (c.peekIs("{")) {
          c.next();
          chainBody(c, tg.table, ch);
        } else {
          statement(c, false);
        }
      }
      case "rule" -> {
        List<Tok> s = statement(c, true);
        Target tg = target(s, verb, 2);
        if (tg == null) {
          return;
        }
        ChainDef ch = tg.table.chains.get(tg.name);
        if (ch == null) {
          diags.invalid(verb.at(), "no chain " + tg.name + " in table " + tg.table.family + " " + tg.table.name + "; nft -f rejects this rule");
          return;
        }
        List<Tok> rule = new ArrayList<>(s.subList(tg.used, s.size()));
        // A position only matters for rules the export does not contain.
        if (rule.size() >= 2 && (rule.get(0).is("position") || rule.get(0).is("handle") || rule.get(0).is("index"))) {
          diags.unsupported(verb.at(), "rule positions refer to handles of a live ruleset; the rule is placed at the "
              + (verb.is("insert") ? "start" : "end") + " of " + tg.name);
          rule = rule.subList(2, rule.size());
        }
        RuleDef r = new RuleDef(rule, verb.at());
        if (verb.is("insert")) {
          ch.rules.add(0, r);
        } else {
          ch.rules.add(r);
        }
      }
      case "set", "map" -> {
        List<Tok> head = words(c);
        Target tg = target(head, verb, 2);
        if (tg == null) {
          skipBlockOrStatement(c);
          return;
        }
        SetDef sd = tg.table.sets.computeIfAbsent(tg.name, n -> new SetDef(n, what.is("map"), verb.at()));
        if (c.peekIs("{")) {
          c.next();
          setBody(c, sd);
        } else {
          statement(c, false);
        }
      }
      case "element" -> {
        List<Tok> head = words(c);
        Target tg = target(head, verb, 2);
        if (tg == null) {
          skipBlockOrStatement(c);
          return;
        }
        SetDef sd = tg.table.sets.get(tg.name);
        List<Tok> s = statement(c, true);
        if (sd == null) {
          diags.invalid(verb.at(), "no set " + tg.name + " in table " + tg.table.family + " " + tg.table.name + "; nft -f rejects this");
          return;
        }
        sd.elements.addAll(elements(s, verb));
      }
      case "flowtable", "counter", "quota", "ct", "limit", "secmark", "synproxy" -> {
        skipBlockOrStatement(c);
        diags.unsupported(verb.at(), "'" + verb.text() + " " + what.text() + "' objects do not decide verdicts; ignored");
      }
      default -> {
        statement(c, false);
        diags.invalid(verb.at(), "unknown command '" + verb.text() + " " + what.text() + "'");
      }
    }
  }

  /** A table/set/chain name given as {@code [family] table [name]}. */
  private record Target(Table table, String name, int used) {}

  private Target target(List<Tok> args, Tok at, int words) {
    int i = 0;
    String family = "ip";
    if (args.size() > words - 1 + 1 && FAMILIES.contains(args.get(0).text()) && args.get(1).kind() == Kind.WORD) {
      family = args.get(0).text();
      i = 1;
    }
    if (args.size() < i + words) {
      diags.invalid(at.at(), "expected [family] table" + (words > 1 ? " name" : ""));
      return null;
    }
    String tname = args.get(i).text();
    Table t = model.tables.get(family + " " + tname);
    if (t == null) {
      diags.invalid(at.at(), "no table " + family + " " + tname + "; nft -f rejects this");
      return null;
    }
    return new Target(t, words > 1 ? args.get(i + 1).text() : null, i + words);
  }

  private Table existingTable(List<Tok> args, Tok at) {
    Target tg = target(args, at, 1);
    return tg == null ? null : tg.table;
  }

  // -----------------------------------------------------------------------------------------------------------
  // Blocks

  /** {@code table [family] name { … }}; {@code add} is set for {@code add table}, where the block is optional. */
  private void table(Cursor c, Tok at, Tok add) {
    List<Tok> head = words(c);
    String family = "ip";
    String name;
    if (head.size() == 2 && FAMILIES.contains(head.get(0).text())) {
      family = head.get(0).text();
      name = head.get(1).text();
    } else if (head.size() == 1) {
      name = head.get(0).text();
    } else {
      diags.invalid(at.at(), "expected 'table [family] name {'");
      skipBlockOrStatement(c);
      return;
    }
    String fam = family;
    Table t = model.tables.computeIfAbsent(family + " " + name, k -> new Table(fam, name, at.at()));
    if (!c.peekIs("{")) {
      if (add == null) {
        diags.invalid(at.at(), "table " + name + " needs a '{ … }' block");
      }
      statement(c, false);
      return;
    }
    c.next();
    while (true) {
      c.skipSeparators();
      if (c.done()) {
        diags.invalid(at.at(), "table " + name + " is not closed: '}' missing at the end of the file");
        return;
      }
      Tok t0 = c.next();
      if (t0.isSym("}")) {
        return;
      }
      switch (t0.text()) {
        case "chain" -> {
          List<Tok> n = words(c);
          if (n.size() != 1 || !c.peekIs("{")) {
            diags.invalid(t0.at(), "expected 'chain NAME {'");
            skipBlockOrStatement(c);
            continue;
          }
          c.next();
          ChainDef ch = t.chains.computeIfAbsent(n.get(0).text(), k -> new ChainDef(k, t0.at()));
          chainBody(c, t, ch);
        }
        case "set", "map" -> {
          List<Tok> n = words(c);
          if (n.size() != 1 || !c.peekIs("{")) {
            diags.invalid(t0.at(), "expected '" + t0.text() + " NAME {'");
            skipBlockOrStatement(c);
            continue;
          }
          c.next();
          SetDef sd = t.sets.computeIfAbsent(n.get(0).text(), k -> new SetDef(k, t0.is("map"), t0.at()));
          setBody(c, sd);
        }
        case "flags", "comment" -> statement(c, false);
        case "flowtable", "counter", "quota", "ct", "limit", "secmark", "synproxy" -> {
          skipBlockOrStatement(c);
          diags.unsupported(t0.at(), "'" + t0.text() + "' objects do not decide verdicts; ignored");
        }
        default -> {
          statement(c, false);
          diags.invalid(t0.at(), "unknown statement '" + t0.render() + "' in table " + name);
        }
      }
    }
  }

  private void chainBody(Cursor c, Table t, ChainDef ch) {
    while (true) {
      c.skipSeparators();
      if (c.done()) {
        diags.invalid(ch.at, "chain " + ch.name + " is not closed: '}' missing");
        return;
      }
      if (c.peek().isSym("}")) {
        c.next();
        return;
      }
      Tok first = c.peek();
      List<Tok> s = statement(c, true);
      if (s.isEmpty()) {
        continue;
      }
      if (first.is("type") && s.size() > 1) {
        hookSpec(s, ch);
      } else if (first.is("policy") && s.size() == 2) {
        ch.policy = s.get(1).text();
        ch.policyAt = first.at();
      } else if (first.is("comment") || (first.is("devices") && s.size() > 1 && s.get(1).isSym("="))) {
        if (first.is("devices")) {
          s.subList(2, s.size()).stream().filter(x -> x.kind() == Kind.WORD || x.kind() == Kind.STRING).forEach(x -> ch.devices.add(x.text()));
        }
      } else {
        ch.rules.add(new RuleDef(s, first.at()));
      }
    }
  }

  /** {@code type filter hook input [device eth0] priority filter + 10}. */
  private void hookSpec(List<Tok> s, ChainDef ch) {
    SourceRef at = s.get(0).at();
    ch.type = s.get(1).text();
    int i = 2;
    while (i < s.size()) {
      String k = s.get(i).text();
      if (k.equals("hook") && i + 1 < s.size()) {
        ch.hook = s.get(i + 1).text();
        i += 2;
      } else if (k.equals("device") && i + 1 < s.size()) {
        ch.devices.add(s.get(i + 1).text());
        i += 2;
      } else if (k.equals("devices") && i + 1 < s.size() && s.get(i + 1).isSym("=")) {
        i += 2;
        if (i < s.size() && s.get(i).isSym("{")) {
          i++;
          while (i < s.size() && !s.get(i).isSym("}")) {
            if (!s.get(i).isSym(",")) {
              ch.devices.add(s.get(i).text());
            }
            i++;
          }
          i++;
        } else if (i < s.size()) {
          ch.devices.add(s.get(i++).text());
        }
      } else if (k.equals("priority") && i + 1 < s.size()) {
        Integer p = priority(s.get(i + 1).text());
        i += 2;
        if (p != null && i + 1 < s.size() && (s.get(i).is("+") || s.get(i).is("-"))) {
          Integer d = priority(s.get(i + 1).text());
          p = d == null ? null : s.get(i).is("+") ? p + d : p - d;
          i += 2;
        }
        if (p == null) {
          diags.invalid(at, "unknown chain priority '" + s.get(i - 1).text() + "'");
          p = 0;
        }
        ch.priority = p;
      } else {
        diags.invalid(at, "unexpected '" + k + "' in the chain's type statement");
        i++;
      }
    }
    if (ch.hook == null) {
      diags.invalid(at, "a base chain needs 'hook NAME'");
    }
  }

  private static Integer priority(String text) {
    Integer named = PRIORITIES.get(text);
    if (named != null) {
      return named;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void setBody(Cursor c, SetDef sd) {
    while (true) {
      c.skipSeparators();
      if (c.done()) {
        diags.invalid(sd.at, "set " + sd.name + " is not closed: '}' missing");
        return;
      }
      if (c.peek().isSym("}")) {
        c.next();
        return;
      }
      Tok first = c.peek();
      List<Tok> s = statement(c, true);
      if (s.isEmpty()) {
        continue;
      }
      switch (first.text()) {
        case "type", "typeof" -> {
          sd.type.clear();
          sd.type.addAll(s.subList(1, s.size()));
        }
        case "flags" -> s.subList(1, s.size()).stream().filter(x -> x.kind() == Kind.WORD).forEach(x -> sd.flags.add(x.text()));
        case "elements" -> {
          if (s.size() < 2 || !s.get(1).isSym("=")) {
            diags.invalid(first.at(), "expected 'elements = { … }'");
          } else {
            sd.elements.addAll(elements(s.subList(2, s.size()), first));
          }
        }
        case "size", "timeout", "gc-interval", "policy", "auto-merge", "counter", "comment" -> {
          // Capacity, ageing and accounting do not change which packets an element matches.
        }
        default -> diags.invalid(first.at(), "unknown set statement '" + first.render() + "'");
      }
    }
  }

  /** The comma-separated items of {@code { a, b, c }} (or a single value without braces). */
  List<List<Tok>> elements(List<Tok> s, Tok at) {
    List<List<Tok>> out = new ArrayList<>();
    if (s.isEmpty()) {
      return out;
    }
    boolean braced = s.get(0).isSym("{");
    int end = s.size();
    if (braced) {
      if (!s.get(s.size() - 1).isSym("}")) {
        diags.invalid(at.at(), "element list is not closed with '}'");
      } else {
        end--;
      }
    }
    int depth = 0;
    List<Tok> cur = new ArrayList<>();
    for (int i = braced ? 1 : 0; i < end; i++) {
      Tok t = s.get(i);
      if (t.isSym("{") || t.isSym("(")) {
        depth++;
      } else if (t.isSym("}") || t.isSym(")")) {
        depth--;
      }
      if (depth == 0 && t.isSym(",")) {
        if (!cur.isEmpty()) {
          out.add(cur);
        }
        cur = new ArrayList<>();
      } else {
        cur.add(t);
      }
    }
    if (!cur.isEmpty()) {
      out.add(cur);
    }
    return out;
  }

  // -----------------------------------------------------------------------------------------------------------
  // Tokens

  /** Words up to the next separator or '{', not consumed. */
  private List<Tok> words(Cursor c) {
    List<Tok> out = new ArrayList<>();
    while (!c.done() && !c.peek().endsStatement() && !c.peek().isSym("{") && !c.peek().isSym("}")) {
      out.add(substituted(c.next(), out));
    }
    return out;
  }

  /**
   * The tokens of one statement: up to a newline or ';' outside braces, or a '}' closing the enclosing
   * block (left for the caller). Newlines inside braces belong to the statement, as in nft.
   */
  private List<Tok> statement(Cursor c, boolean substitute) {
    List<Tok> out = new ArrayList<>();
    int depth = 0;
    SourceRef start = c.peek() == null ? null : c.peek().at();
    while (!c.done()) {
      Tok t = c.peek();
      if (depth == 0 && (t.endsStatement() || t.isSym("}"))) {
        break;
      }
      c.next();
      if (t.kind() == Kind.NL) {
        continue;
      }
      if (t.isSym("{")) {
        depth++;
      } else if (t.isSym("}")) {
        depth--;
      }
      if (substitute && t.kind() == Kind.VAR) {
        substitute(t, out, 0);
      } else {
        out.add(t);
      }
    }
    if (depth > 0) {
      diags.invalid(start, "unbalanced braces: " + depth + " '{' not closed");
    }
    return out;
  }

  private Tok substituted(Tok t, List<Tok> out) {
    if (t.kind() != Kind.VAR) {
      return t;
    }
    List<Tok> value = defines.get(t.text());
    if (value == null || value.size() != 1) {
      diags.invalid(t.at(), value == null ? "undefined variable $" + t.text() : "$" + t.text() + " must be a single word here");
      return new Tok(Kind.WORD, t.text(), t.at());
    }
    return new Tok(value.get(0).kind(), value.get(0).text(), t.at());
  }

  /** Substitutes a define, keeping the use site's line so diagnostics point at the rule. */
  private void substitute(Tok var, List<Tok> out, int depth) {
    List<Tok> value = defines.get(var.text());
    if (value == null) {
      diags.invalid(var.at(), "undefined variable $" + var.text() + "; nft -f rejects this");
      out.add(new Tok(Kind.WORD, "$" + var.text(), var.at()));
      return;
    }
    if (depth > 10) {
      diags.invalid(var.at(), "$" + var.text() + " is defined in terms of itself");
      return;
    }
    boolean splice = out.size() > 0 && out.get(out.size() - 1).isSym("{") && value.get(0).isSym("{");
    List<Tok> v = splice ? value.subList(1, value.size() - 1) : value;
    for (Tok x : v) {
      if (x.kind() == Kind.VAR) {
        substitute(new Tok(Kind.VAR, x.text(), var.at()), out, depth + 1);
      } else {
        out.add(new Tok(x.kind(), x.text(), var.at()));
      }
    }
  }

  private void skipBlockOrStatement(Cursor c) {
    statement(c, false);
    if (c.peekIs("{")) {
      int depth = 0;
      while (!c.done()) {
        Tok t = c.next();
        if (t.isSym("{")) {
          depth++;
        } else if (t.isSym("}") && --depth == 0) {
          return;
        }
      }
    }
  }

  static String render(List<Tok> toks) {
    StringBuilder sb = new StringBuilder();
    for (Tok t : toks) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(t.render());
    }
    return sb.toString();
  }
}
