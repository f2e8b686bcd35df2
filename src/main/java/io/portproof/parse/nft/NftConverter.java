package io.portproof.parse.nft;

import io.portproof.analysis.Protocols;
import io.portproof.diag.Diagnostic;
import io.portproof.diag.Diagnostics;
import io.portproof.diag.UndecidableTally;
import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Action;
import io.portproof.model.fw.AddrType;
import io.portproof.model.fw.BaseChain;
import io.portproof.model.fw.Chain;
import io.portproof.model.fw.CtState;
import io.portproof.model.fw.Hook;
import io.portproof.model.fw.Match;
import io.portproof.model.fw.Rule;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.TableOrigin;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.ChainLoops;
import io.portproof.parse.nft.NftLexer.Kind;
import io.portproof.parse.nft.NftLexer.Tok;
import io.portproof.parse.nft.NftModel.ChainDef;
import io.portproof.parse.nft.NftModel.RuleDef;
import io.portproof.parse.nft.NftModel.SetDef;
import io.portproof.parse.nft.NftModel.Table;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the nft vendor model into one {@link Ruleset} per family. An {@code inet} (or {@code netdev}) table
 * feeds both; each rule is converted once per family, and a rule whose expressions belong to the other family
 * ({@code ip saddr} in the IPv6 ruleset) is left out, as the kernel's implicit protocol dependency would skip it.
 */
final class NftConverter {
  /** netdev ingress runs before every IP hook: below raw (-300) whatever its own priority. */
  static final int INGRESS_BASE = -10000;

  /** Statements after which a rule's verdict or the next statement starts; used to skip unknown arguments. */
  private static final Set<String> STATEMENT_WORDS = Set.of("accept", "drop", "reject", "return", "jump", "goto",
      "continue", "queue", "counter", "log", "comment", "limit", "quota", "notrack", "masquerade", "snat", "dnat",
      "redirect", "meta", "ct", "ip", "ip6", "tcp", "udp", "th", "sctp", "icmp", "icmpv6", "fib", "iifname",
      "oifname", "iif", "oif", "mark", "xt", "vmap", "tproxy", "dup", "fwd", "synproxy", "numgen", "jhash");

  /** Where a construct with arguments portproof does not parse must end. */
  private static final Set<String> VERDICT_WORDS = Set.of("accept", "drop", "reject", "return", "jump", "goto",
      "continue", "queue", "counter", "log", "comment", "dnat", "snat", "redirect", "masquerade", "notrack", "vmap",
      "limit", "quota");

  private final String file;
  private final NftModel model;
  private final TableOrigin.Export export;
  private final Diagnostics diags;
  /** Per table, the rules where the export printed an iptables-nft extension by name only. */
  private final Map<Table, Set<SourceRef>> lost = new HashMap<>();
  private final Set<Diagnostic> reported = new HashSet<>();
  /** Rules that became part of some family's ruleset, or were already reported as invalid. */
  private final Set<RuleDef> placed = new HashSet<>();

  private final UndecidableTally undecidableUses = new UndecidableTally();

  NftConverter(String file, NftModel model, TableOrigin.Export export, Diagnostics diags) {
    this.file = file;
    this.model = model;
    this.export = export;
    this.diags = diags;
  }

  List<Ruleset> convert() {
    markUpdatedSets();
    for (Table t : model.tables.values()) {
      if (t.family.equals("bridge") || t.family.equals("arp")) {
        report(Diagnostic.Kind.UNSUPPORTED, t.at, "table " + t.family + " " + t.name
            + " filters " + (t.family.equals("arp") ? "ARP" : "bridged frames") + ", not IP traffic to this host; ignored");
      }
      for (ChainDef ch : t.chains.values()) {
        checkChain(t, ch);
      }
    }
    List<Ruleset> out = new ArrayList<>();
    for (Family f : Family.values()) {
      out.add(convert(f));
    }
    undecidableUses.summarise(diags);
    for (Table t : model.tables.values()) {
      if (!applies(t, Family.IPV4) && !applies(t, Family.IPV6)) {
        continue;
      }
      for (ChainDef ch : t.chains.values()) {
        for (RuleDef r : ch.rules) {
          if (!placed.contains(r)) {
            report(Diagnostic.Kind.INVALID, r.at(), "the rule's expressions need both IPv4 and IPv6 (or the family this table is not)"
                + "; nft -f rejects it with 'conflicting protocols specified'");
          }
        }
      }
    }
    return out;
  }

  private static boolean applies(Table t, Family f) {
    return switch (t.family) {
      case "ip" -> f == Family.IPV4;
      case "ip6" -> f == Family.IPV6;
      case "inet", "netdev" -> true;
      default -> false;
    };
  }

  private void checkChain(Table t, ChainDef ch) {
    if (ch.base()) {
      if (!Set.of("filter", "nat", "route").contains(ch.type)) {
        report(Diagnostic.Kind.INVALID, ch.at, "unknown chain type " + ch.type + " (filter, nat or route)");
      }
      if (t.family.equals("netdev") && !ch.hook.equals("ingress") && !ch.hook.equals("egress")) {
        report(Diagnostic.Kind.INVALID, ch.at, "netdev chains hook ingress or egress, not " + ch.hook);
      }
      if ((ch.hook.equals("ingress") || ch.hook.equals("egress")) && ch.devices.isEmpty()) {
        report(Diagnostic.Kind.INVALID, ch.at, ch.hook + " chains need 'device NAME'");
      }
    }
    if (ch.policy != null) {
      if (!ch.base()) {
        report(Diagnostic.Kind.INVALID, ch.policyAt, "chain " + ch.name + " is not a base chain and cannot have a policy");
      } else if (!ch.policy.equals("accept") && !ch.policy.equals("drop")) {
        report(Diagnostic.Kind.INVALID, ch.policyAt, "policy must be accept or drop, not " + ch.policy);
      }
    }
  }

  private Ruleset convert(Family f) {
    List<BaseChain> bases = new ArrayList<>();
    Map<String, Chain> chains = new LinkedHashMap<>();
    List<TableOrigin> origins = new ArrayList<>();
    for (Table t : model.tables.values()) {
      if (!applies(t, f)) {
        continue;
      }
      String tkey = t.family + " " + t.name;
      for (ChainDef ch : t.chains.values()) {
        List<Rule> rules = new ArrayList<>();
        Hook hook = ch.base() ? hook(ch) : null;
        boolean ingress = ch.base() && "ingress".equals(ch.hook);
        if (ingress && !ch.devices.isEmpty()) {
          // The device binding is part of the chain: packets from other devices never enter it.
          rules.add(new Rule(List.of(new Match.Interface(true, ch.devices, true)), new Action.Accept(),
              new SourceRef(ch.at.file(), ch.at.line(), ch.at.text() + " (device " + String.join(", ", ch.devices) + " only)")));
        }
        for (RuleDef r : ch.rules) {
          rules.addAll(new RuleConverter(t, ch, r, f).convert());
        }
        Verdict policy = ch.base() ? ("drop".equals(ch.policy) ? Verdict.DROP : Verdict.ACCEPT) : null;
        SourceRef src = ch.policyAt != null ? ch.policyAt : ch.at;
        Chain chain = new Chain(Chain.key(tkey, ch.name), tkey, ch.name, policy, rules, src);
        chains.put(chain.key(), chain);
        if (hook != null) {
          int prio = ingress ? INGRESS_BASE + ch.priority : ch.priority;
          bases.add(new BaseChain(hook, prio, "nat".equals(ch.type), chain));
        }
      }
      origins.add(new TableOrigin(tkey, TableOrigin.Backend.NF_TABLES, t.family, t.name, export,
          List.copyOf(lost.getOrDefault(t, Set.of())), /* shown= */ true, t.at));
    }
    ChainLoops.find(chains, (r, loop) -> report(Diagnostic.Kind.INVALID, r.source(),
        "loop between chains: " + String.join(" -> ", loop) + "; nft -f rejects a ruleset with a loop"));
    return new Ruleset(f, bases, chains, SourceRef.ofFile(file), origins);
  }

  private Hook hook(ChainDef ch) {
    return switch (ch.hook) {
      case "prerouting", "ingress" -> Hook.PREROUTING;
      case "input" -> Hook.INPUT;
      case "forward" -> Hook.FORWARD;
      case "output" -> Hook.OUTPUT;
      case "postrouting" -> Hook.POSTROUTING;
      case "egress" -> {
        report(Diagnostic.Kind.UNSUPPORTED, ch.at, "egress chains see only packets leaving a device; ignored");
        yield null;
      }
      default -> {
        report(Diagnostic.Kind.INVALID, ch.at, "unknown hook " + ch.hook);
        yield null;
      }
    };
  }

  /** Sets that rules fill from the packet path hold runtime state no export carries. */
  private void markUpdatedSets() {
    for (Table t : model.tables.values()) {
      for (ChainDef ch : t.chains.values()) {
        for (RuleDef r : ch.rules) {
          List<Tok> ts = r.tokens();
          for (int i = 0; i + 1 < ts.size(); i++) {
            if ((ts.get(i).is("add") || ts.get(i).is("update") || ts.get(i).is("delete")) && ts.get(i + 1).kind() == Kind.SETREF) {
              SetDef s = t.sets.get(ts.get(i + 1).text());
              if (s != null && s.updatedAt == null) {
                s.updatedAt = r.at();
              }
            }
          }
        }
      }
    }
  }

  private void report(Diagnostic.Kind kind, SourceRef at, String message) {
    Diagnostic d = new Diagnostic(kind, message, at);
    if (reported.add(d)) {
      String construct = kind == Diagnostic.Kind.UNSUPPORTED ? construct(message) : null;
      if (construct == null || undecidableUses.admit(construct, at)) {
        diags.add(d);
      }
    }
  }

  /**
   * The construct an UNSUPPORTED message is about, to count its uses: an iptables-nft extension by name ({@code
   * xt match recent}), else the statement's first two words ({@code limit rate}); null for other messages.
   */
  private static String construct(String message) {
    String text;
    if (message.startsWith("'") && message.indexOf('\'', 1) > 0) {
      text = message.substring(1, message.indexOf('\'', 1));
    } else if (message.startsWith("iptables-nft target ")) {
      text = "xt target " + message.substring("iptables-nft target ".length()).split("[: ]", 2)[0];
    } else {
      return null;
    }
    String[] words = text.strip().split("\\s+");
    int n = Math.min(words.length, words[0].equals("xt") ? 3 : 2);
    return String.join(" ", java.util.Arrays.copyOf(words, n));
  }

  // -----------------------------------------------------------------------------------------------------------

  /** The rule's expressions need the other address family: the kernel never evaluates it for this one. */
  private static final class OtherFamily extends Exception {
    private static final long serialVersionUID = 1L;
  }

  /** A rule nft -f would refuse. */
  private static final class Bad extends Exception {
    private static final long serialVersionUID = 1L;

    Bad(String message) {
      super(message);
    }
  }

  private enum SelKind {
    ADDR, PORT, PROTO, NFPROTO, ETHPROTO, IIF, OIF, CTSTATE, CTSTATUS, CTDIR, MARK, TCPFLAGS, ICMPTYPE, ICMPCODE,
    TTL, FIB, PKTTYPE, UNDEC
  }

  /**
   * One selector of a match: what it reads from the packet.
   *
   * @param proto the transport protocol the selector implies (tcp dport), or -1
   * @param family the family it implies (ip saddr), or null
   */
  private record Sel(SelKind kind, Match.Side side, int proto, Family family, boolean ct, String text) {}

  /** Converts one rule for one family; vmaps expand to several model rules. */
  private final class RuleConverter {
    private final Table table;
    private final ChainDef chain;
    private final RuleDef def;
    private final Family family;
    private final List<Tok> t;
    private int i;
    private final List<Match> matches = new ArrayList<>();
    private Action action;
    /** A mark or notrack statement before the verdict ({@code meta mark set 1 accept}). */
    private Action pre;
    private String effect;
    private List<Rule> expanded;
    private final List<Diagnostic> local = new ArrayList<>();

    RuleConverter(Table table, ChainDef chain, RuleDef def, Family family) {
      this.table = table;
      this.chain = chain;
      this.def = def;
      this.family = family;
      this.t = def.tokens();
    }

    List<Rule> convert() {
      try {
        while (i < t.size()) {
          statement();
        }
        placed.add(def);
        if (expanded != null) {
          flush();
          return expanded;
        }
        Action a = action != null ? action : effect != null ? new Action.Continue(effect) : new Action.None();
        flush();
        if (pre != null) {
          return List.of(new Rule(matches, pre, def.at()), new Rule(afterPre(), a, def.at()));
        }
        return List.of(new Rule(matches, a, def.at()));
      } catch (OtherFamily e) {
        flush();
        return List.of();
      } catch (Bad e) {
        placed.add(def);
        report(Diagnostic.Kind.INVALID, def.at(), e.getMessage() + "; nft -f rejects this rule");
        return List.of();
      }
    }

    /**
     * The conditions under which the verdict after a mark statement applies: the rule's own, with the mark
     * now known. Only whole-mark writes are exact; anything else is undecidable.
     */
    private List<Match> afterPre() {
      List<Match> out = new ArrayList<>();
      if (pre instanceof Action.SetMark m && m.mask() == 0xffffffffL) {
        for (Match x : matches) {
          if (!(x instanceof Match.Mark mk && mk.conntrack() == m.conntrack())) {
            out.add(x);
          }
        }
        out.add(new Match.Mark(m.conntrack(), m.value(), 0xffffffffL, false));
        return out;
      }
      out.addAll(matches);
      if (!(pre instanceof Action.NoTrack)) {
        out.add(new Match.Undecidable("verdict after " + pre));
        unsupported("a verdict after " + pre + " in the same rule is not modelled; packets reaching it are UNKNOWN");
      }
      return out;
    }

    /** Undecidable conditions on a rule that changes nothing (counters, log) cannot change a verdict. */
    private void flush() {
      boolean harmless = action == null && expanded == null;
      for (Diagnostic d : local) {
        if (!(harmless && d.kind() == Diagnostic.Kind.UNSUPPORTED)) {
          report(d.kind(), d.source(), d.message());
        }
      }
    }

    private void unsupported(String message) {
      local.add(new Diagnostic(Diagnostic.Kind.UNSUPPORTED, message, def.at()));
    }

    private void risky(String message) {
      local.add(new Diagnostic(Diagnostic.Kind.RISKY, message, def.at()));
    }

    private Tok peek() {
      return i < t.size() ? t.get(i) : null;
    }

    private boolean peekIs(String s) {
      return peek() != null && peek().is(s);
    }

    private Tok next() throws Bad {
      if (i >= t.size()) {
        throw new Bad("the rule ends early");
      }
      return t.get(i++);
    }

    private String word() throws Bad {
      return next().text();
    }

    private void setAction(Action a) throws Bad {
      if (pre == null && expanded == null && (action instanceof Action.SetMark || action instanceof Action.CopyMark
          || action instanceof Action.NoTrack)) {
        pre = action;
        action = a;
        return;
      }
      if (action != null || expanded != null) {
        throw new Bad("a second verdict after " + describe(action));
      }
      action = a;
    }

    private String describe(Action a) {
      return a == null ? "a verdict map" : a.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** Skips a statement's arguments up to the next statement keyword; returns them as text. */
    private String skipArgs() {
      int start = i;
      int depth = 0;
      while (i < t.size()) {
        Tok x = t.get(i);
        if (depth == 0 && x.kind() == Kind.WORD && STATEMENT_WORDS.contains(x.text())) {
          break;
        }
        if (x.isSym("{") || x.isSym("(")) {
          depth++;
        } else if (x.isSym("}") || x.isSym(")")) {
          depth--;
        }
        i++;
      }
      return NftReader.render(t.subList(start, i));
    }

    private void statement() throws Bad, OtherFamily {
      Tok k = peek();
      if (k.kind() != Kind.WORD) {
        throw new Bad("unexpected '" + k.render() + "'");
      }
      switch (k.text()) {
        case "accept" -> {
          i++;
          setAction(new Action.Accept());
        }
        case "drop" -> {
          i++;
          setAction(new Action.Drop());
        }
        case "return" -> {
          i++;
          setAction(new Action.Return());
        }
        case "continue" -> {
          i++;
          setAction(new Action.Continue("continue"));
        }
        case "jump", "goto" -> {
          i++;
          setAction(jump(k.text(), word()));
        }
        case "reject" -> {
          i++;
          setAction(reject());
        }
        case "counter" -> {
          i++;
          while (peekIs("packets") || peekIs("bytes") || peekIs("name")) {
            i += 2;
          }
          noteEffect("counter");
        }
        case "log" -> {
          i++;
          while (peek() != null && Set.of("prefix", "level", "group", "snaplen", "queue-threshold", "flags").contains(peek().text())) {
            String opt = word();
            word();
            if (opt.equals("flags")) {
              while (peek() != null && peek().isSym(",")) {
                i += 2;
              }
            }
          }
          noteEffect("log");
        }
        case "comment" -> {
          i += 2;
        }
        case "notrack" -> {
          i++;
          setAction(new Action.NoTrack());
        }
        case "masquerade", "snat" -> {
          i++;
          skipArgs();
          natOnly(k.text());
          // A source rewrite ends the nat chain; it changes nothing a client's connection attempt depends on.
          setAction(new Action.Accept());
        }
        case "dnat" -> {
          i++;
          setAction(dnat());
        }
        case "redirect" -> {
          i++;
          setAction(redirect());
        }
        case "queue", "tproxy", "dup", "fwd", "synproxy" -> {
          i++;
          String args = skipArgs();
          unsupported("'" + k.text() + (args.isEmpty() ? "" : " " + args) + "' hands the packet to something outside the ruleset; its verdict is UNKNOWN");
          setAction(new Action.Unsupported(k.text()));
        }
        case "limit", "quota" -> {
          i++;
          String args = skipArgs();
          undecidable(k.text() + " " + args, "rate and volume limits depend on traffic no export carries");
        }
        case "xt" -> {
          i++;
          String type = word();
          String name = next().text();
          lost.computeIfAbsent(table, x -> new LinkedHashSet<>()).add(def.at());
          if (type.equals("target")) {
            unsupported("iptables-nft target " + name + ": the nft export lost its options (the iptables-save export of the same host carries them); packets reaching it are UNKNOWN");
            setAction(new Action.Unsupported("xt target " + name));
          } else {
            undecidable("xt match " + name, "an iptables-nft match whose options the nft export lost (the iptables-save export of the same host carries them)");
          }
        }
        case "add", "update", "delete" -> {
          if (i + 1 < t.size() && t.get(i + 1).kind() == Kind.SETREF) {
            i += 2;
            skipArgs();
            noteEffect(k.text() + " @" + t.get(i - 1).text());
          } else {
            throw new Bad("unknown statement '" + k.text() + "'");
          }
        }
        default -> relation();
      }
    }

    private void noteEffect(String name) {
      if (effect == null) {
        effect = name;
      }
    }

    private void undecidable(String construct, String why) {
      matches.add(new Match.Undecidable(construct));
      unsupported("'" + construct.strip() + "': " + why + "; packets reaching this rule are UNKNOWN unless both branches agree");
    }

    private Action jump(String kind, String target) throws Bad {
      ChainDef c = table.chains.get(target);
      if (c == null) {
        throw new Bad(kind + " to chain " + target + ", which does not exist in table " + table.family + " " + table.name);
      }
      if (c.base()) {
        throw new Bad(kind + " to base chain " + target);
      }
      String key = Chain.key(table.family + " " + table.name, target);
      return kind.equals("jump") ? new Action.Jump(key) : new Action.Goto(key);
    }

    private Action reject() throws Bad, OtherFamily {
      if (!peekIs("with")) {
        return new Action.Reject(family == Family.IPV4 ? "icmp-port-unreachable" : "icmp6-port-unreachable");
      }
      i++;
      String kind = word();
      if (kind.equals("tcp")) {
        if (!word().equals("reset")) {
          throw new Bad("reject with tcp needs 'reset'");
        }
        // nft adds the dependency itself ('meta l4proto tcp' in its listing): the rule never rejects other protocols.
        Match tcp = new Match.Protocol(Set.of(Protocols.TCP), false);
        if (!matches.contains(tcp)) {
          matches.add(tcp);
        }
        return new Action.Reject("tcp-reset");
      }
      if (peekIs("type")) {
        i++;
      }
      String code = word();
      switch (kind) {
        case "icmp" -> {
          need(Family.IPV4);
          String c = NftValues.REJECT_ICMP.get(code);
          if (c == null) {
            throw new Bad("unknown icmp reject code " + code);
          }
          return new Action.Reject(c);
        }
        case "icmpv6" -> {
          need(Family.IPV6);
          String c = NftValues.REJECT_ICMP6.get(code);
          if (c == null) {
            throw new Bad("unknown icmpv6 reject code " + code);
          }
          return new Action.Reject(c);
        }
        case "icmpx" -> {
          if (!table.family.equals("inet")) {
            throw new Bad("icmpx reject codes exist only in inet tables (nft: abstracted ICMP unreachable not supported)");
          }
          String[] c = NftValues.REJECT_ICMPX.get(code);
          if (c == null) {
            throw new Bad("unknown icmpx reject code " + code);
          }
          return new Action.Reject(c[family == Family.IPV4 ? 0 : 1]);
        }
        default -> throw new Bad("unknown reject type " + kind);
      }
    }

    /** NAT statements belong in nat base chains or the user chains they call (nft checks the latter on jump). */
    private void natOnly(String what) throws Bad {
      if (chain.base() && !"nat".equals(chain.type)) {
        throw new Bad(what + " is only allowed in nat chains");
      }
    }

    private void need(Family f) throws OtherFamily {
      if (family != f) {
        throw new OtherFamily();
      }
    }

    private Action dnat() throws Bad, OtherFamily {
      natOnly("dnat");
      if (peekIs("ip")) {
        i++;
        need(Family.IPV4);
      } else if (peekIs("ip6")) {
        i++;
        need(Family.IPV6);
      }
      if (!peekIs("to")) {
        throw new Bad("dnat needs 'to ADDRESS[:PORT]'");
      }
      i++;
      Tok first = next();
      String addr;
      String port = null;
      if (first.isSym("[")) {
        addr = word();
        if (!next().isSym("]")) {
          throw new Bad("expected ']' in dnat");
        }
        if (peek() != null && peek().kind() == Kind.WORD && peek().text().startsWith(":")) {
          port = word().substring(1);
        }
      } else {
        String w = first.text();
        if (w.startsWith(":")) {
          addr = "";
          port = w.substring(1);
        } else if (w.indexOf(':') >= 0 && w.indexOf(':') == w.lastIndexOf(':') && w.indexOf('.') >= 0) {
          addr = w.substring(0, w.indexOf(':'));
          port = w.substring(w.indexOf(':') + 1);
        } else {
          addr = w;
        }
      }
      if (peekIs("map") || (first.kind() == Kind.WORD && Set.of("ip", "ip6", "tcp", "udp", "meta", "ct", "numgen", "jhash").contains(first.text()))) {
        String args = skipArgs();
        unsupported("dnat to a computed address (" + first.text() + " " + args + ") is not modelled; packets reaching it are UNKNOWN");
        return new Action.Unsupported("dnat");
      }
      skipArgs();
      Ip ip = null;
      if (!addr.isEmpty()) {
        String a = addr.contains("-") ? addr.substring(0, addr.indexOf('-')) : addr;
        if (addr.contains("-")) {
          risky("dnat to an address range: portproof assumes the first address, " + a);
        }
        if (!Ip.isLiteral(a)) {
          throw new Bad("'" + a + "' is not an address");
        }
        ip = Ip.parse(a);
        if (ip.family() != family) {
          if (table.family.equals("inet")) {
            throw new OtherFamily();
          }
          throw new Bad(a + " is not an " + family.label() + " address");
        }
      }
      return new Action.Dnat(ip, port == null ? -1 : firstPort(port));
    }

    private int firstPort(String text) throws Bad {
      PortSet ps = ports(text);
      int p = ps.intervals().get(0)[0];
      if (!ps.equals(PortSet.of(p))) {
        risky("NAT to a port range: portproof assumes the first port, " + p);
      }
      return p;
    }

    private PortSet ports(String w) throws Bad {
      try {
        int dash = w.indexOf('-');
        if (dash > 0 && !NftValues.SERVICES.containsKey(w)) {
          return PortSet.range(port(w.substring(0, dash)), port(w.substring(dash + 1)));
        }
        return PortSet.of(port(w));
      } catch (IllegalArgumentException e) {
        throw new Bad("bad port range " + w);
      }
    }

    private int port(String w) throws Bad {
      Integer s = NftValues.SERVICES.get(w);
      if (s != null) {
        return s;
      }
      long n = NftValues.number(w);
      if (n < 0 || n > PortSet.MAX) {
        throw new Bad("'" + w + "' is not a port number or a service portproof knows");
      }
      return (int) n;
    }

    private Action redirect() throws Bad {
      natOnly("redirect");
      if (!peekIs("to")) {
        skipArgs();
        return new Action.Redirect(-1);
      }
      i++;
      String w = word();
      if (w.equals(":") || w.isEmpty()) {
        w = word();
      }
      int p = firstPort(w.startsWith(":") ? w.substring(1) : w);
      skipArgs();
      return new Action.Redirect(p);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Matches

    private Sel selector() throws Bad {
      Tok k = next();
      String w = k.text();
      switch (w) {
        case "ip", "ip6" -> {
          Family f = w.equals("ip") ? Family.IPV4 : Family.IPV6;
          String field = word();
          return switch (field) {
            case "saddr" -> new Sel(SelKind.ADDR, Match.Side.SOURCE, -1, f, false, w + " saddr");
            case "daddr" -> new Sel(SelKind.ADDR, Match.Side.DESTINATION, -1, f, false, w + " daddr");
            case "protocol", "nexthdr" -> new Sel(SelKind.PROTO, null, -1, f, false, w + " " + field);
            case "ttl", "hoplimit" -> new Sel(SelKind.TTL, null, -1, f, false, w + " " + field);
            default -> new Sel(SelKind.UNDEC, null, -1, f, false, w + " " + field);
          };
        }
        case "tcp", "udp", "sctp", "udplite", "dccp", "th" -> {
          int proto = w.equals("th") ? -1 : Protocols.number(w);
          String field = word();
          return switch (field) {
            case "dport" -> new Sel(SelKind.PORT, Match.Side.DESTINATION, proto, null, false, w + " dport");
            case "sport" -> new Sel(SelKind.PORT, Match.Side.SOURCE, proto, null, false, w + " sport");
            case "flags" -> new Sel(SelKind.TCPFLAGS, null, proto, null, false, w + " flags");
            case "option" -> new Sel(SelKind.UNDEC, null, proto, null, false, w + " option " + word() + (peekIs("size") || peekIs("kind") ? " " + word() : ""));
            default -> new Sel(SelKind.UNDEC, null, proto, null, false, w + " " + field);
          };
        }
        case "icmp", "icmpv6" -> {
          int proto = w.equals("icmp") ? Protocols.ICMP : Protocols.ICMPV6;
          String field = word();
          return switch (field) {
            case "type" -> new Sel(SelKind.ICMPTYPE, null, proto, null, false, w + " type");
            case "code" -> new Sel(SelKind.ICMPCODE, null, proto, null, false, w + " code");
            default -> new Sel(SelKind.UNDEC, null, proto, null, false, w + " " + field);
          };
        }
        case "meta" -> {
          return meta(word());
        }
        case "ct" -> {
          String key = word();
          if (key.equals("original") || key.equals("reply")) {
            key = key + " " + word();
          }
          return switch (key) {
            case "state" -> new Sel(SelKind.CTSTATE, null, -1, null, true, "ct state");
            case "status" -> new Sel(SelKind.CTSTATUS, null, -1, null, true, "ct status");
            case "mark" -> new Sel(SelKind.MARK, null, -1, null, true, "ct mark");
            case "direction" -> new Sel(SelKind.CTDIR, null, -1, null, true, "ct direction");
            default -> new Sel(SelKind.UNDEC, null, -1, null, true, "ct " + key);
          };
        }
        case "fib" -> {
          List<String> flags = new ArrayList<>();
          flags.add(word());
          while (peek() != null && peek().isSym(".")) {
            i++;
            flags.add(word());
          }
          String result = word();
          String text = "fib " + String.join(" . ", flags) + " " + result;
          if (result.equals("type") && flags.size() == 1 && (flags.get(0).equals("daddr") || flags.get(0).equals("saddr"))) {
            return new Sel(SelKind.FIB, flags.get(0).equals("daddr") ? Match.Side.DESTINATION : Match.Side.SOURCE, -1, null, false, text);
          }
          return new Sel(SelKind.UNDEC, null, -1, null, false, text);
        }
        default -> {
          if (Set.of("mark", "iif", "iifname", "oif", "oifname", "l4proto", "nfproto", "pkttype", "skuid", "skgid",
              "iiftype", "oiftype", "cpu", "cgroup", "iifgroup", "oifgroup", "nftrace", "priority", "random", "ipsec", "rtclassid").contains(w)) {
            return meta(w);
          }
          if (Set.of("numgen", "jhash", "symhash", "socket", "osf", "rt", "exthdr", "ipsec", "hbh", "frag", "srh",
              "mh", "dst", "ah", "esp", "comp", "ether", "vlan", "arp", "tunnel", "sctp", "dccp", "@th", "@nh", "@ll").contains(w)) {
            StringBuilder sb = new StringBuilder(w);
            // Their arguments may hold other selectors (jhash ip saddr mod 2): read up to the verdict.
            while (peek() != null && !(peek().kind() == Kind.WORD && VERDICT_WORDS.contains(peek().text()))) {
              sb.append(' ').append(next().render());
            }
            return new Sel(SelKind.UNDEC, null, -1, null, false, sb.toString());
          }
          throw new Bad("unknown expression '" + w + "'");
        }
      }
    }

    private Sel meta(String key) {
      return switch (key) {
        case "l4proto" -> new Sel(SelKind.PROTO, null, -1, null, false, "meta l4proto");
        case "nfproto" -> new Sel(SelKind.NFPROTO, null, -1, null, false, "meta nfproto");
        case "protocol" -> new Sel(SelKind.ETHPROTO, null, -1, null, false, "meta protocol");
        case "iif", "iifname" -> new Sel(SelKind.IIF, null, -1, null, false, key);
        case "oif", "oifname" -> new Sel(SelKind.OIF, null, -1, null, false, key);
        case "mark" -> new Sel(SelKind.MARK, null, -1, null, false, "meta mark");
        case "pkttype" -> new Sel(SelKind.PKTTYPE, null, -1, null, false, "meta pkttype");
        default -> new Sel(SelKind.UNDEC, null, -1, null, false, "meta " + key);
      };
    }

    private String whyUndecidable(String construct) {
      if (construct.startsWith("fib")) {
        return "reverse-path and route lookups depend on the host's routing table, which no export carries";
      }
      if (construct.startsWith("numgen") || construct.startsWith("jhash") || construct.startsWith("symhash")) {
        return "a random or hashed choice between branches";
      }
      if (construct.startsWith("ct count")) {
        return "connection counts are runtime state";
      }
      if (construct.startsWith("socket") || construct.startsWith("osf")) {
        return "it depends on local sockets or the client's operating system";
      }
      return "this expression is not modelled";
    }

    private boolean isOp(Tok x) {
      return x.kind() == Kind.SYM && Set.of("==", "!=", "<", ">", "<=", ">=").contains(x.text())
          || x.kind() == Kind.WORD && Set.of("eq", "ne", "lt", "gt", "le", "ge").contains(x.text());
    }

    private void relation() throws Bad, OtherFamily {
      int start = i;
      List<Sel> sels = new ArrayList<>();
      sels.add(selector());
      while (peek() != null && peek().isSym(".")) {
        i++;
        sels.add(selector());
      }
      long mask = -1;
      if (peekIs("&") || peekIs("and")) {
        i++;
        mask = maskValue(sels.get(0));
      }
      if (peekIs("set")) {
        i++;
        setStatement(sels, start);
        return;
      }
      for (Sel s : sels) {
        if (s.family() != null) {
          need(s.family());
        }
      }
      if (peekIs("vmap")) {
        i++;
        vmap(sels, start);
        return;
      }
      String op = "==";
      if (peek() != null && isOp(peek())) {
        op = switch (word()) {
          case "eq" -> "==";
          case "ne" -> "!=";
          case "lt" -> "<";
          case "gt" -> ">";
          case "le" -> "<=";
          case "ge" -> ">=";
          default -> t.get(i - 1).text();
        };
      }
      boolean implicit = !isOp(t.get(i - 1));
      if (sels.stream().anyMatch(s -> s.kind() == SelKind.UNDEC)) {
        addProtoDeps(sels);
        skipArgs();
        String construct = NftReader.render(t.subList(start, i));
        undecidable(construct, whyUndecidable(construct));
        return;
      }
      boolean neg = op.equals("!=");
      String construct = NftReader.render(t.subList(start, i));
      Tok v = peek();
      if (v == null) {
        throw new Bad("'" + construct + "' needs a value");
      }
      List<List<Tok>> elements;
      String valueText;
      if (v.isSym("{")) {
        int s0 = i;
        elements = braced();
        valueText = NftReader.render(t.subList(s0, i));
      } else if (v.kind() == Kind.SETREF) {
        i++;
        valueText = "@" + v.text();
        SetDef set = table.sets.get(v.text());
        if (set == null) {
          throw new Bad("set " + v.text() + " does not exist in table " + table.family + " " + table.name);
        }
        if (set.dynamic()) {
          addProtoDeps(sels);
          undecidable(construct + " " + valueText, "set " + v.text() + " is filled from the packet path ("
              + (set.updatedAt != null ? set.updatedAt.location() : "flags dynamic") + "), so its contents are runtime state");
          return;
        }
        elements = set.elements;
      } else {
        int s0 = i;
        elements = List.of(value(sels.get(0)));
        valueText = NftReader.render(t.subList(s0, i));
      }
      String full = construct + " " + valueText;
      addProtoDeps(sels);
      if (sels.size() > 1) {
        List<List<Match>> alts = new ArrayList<>();
        for (List<Tok> e : elements) {
          List<List<Tok>> parts = split(strip(e), ".");
          if (parts.size() != sels.size()) {
            throw new Bad("element " + NftReader.render(e) + " does not have " + sels.size() + " parts");
          }
          List<Match> alt = new ArrayList<>();
          for (int k = 0; k < sels.size(); k++) {
            Match m = single(sels.get(k), "==", List.of(parts.get(k)), -1, false, full);
            if (m != null) {
              alt.add(m);
            }
          }
          alts.add(alt);
        }
        matches.add(new Match.AnyOf(alts, neg));
        return;
      }
      if (!op.equals("==") && !op.equals("!=") && elements.size() != 1) {
        throw new Bad("'" + op + "' compares with one value");
      }
      List<List<Tok>> values = new ArrayList<>();
      for (List<Tok> e : elements) {
        values.add(strip(e));
      }
      Match m = single(sels.get(0), op, values, mask, implicit, full);
      if (m != null) {
        matches.add(m);
      }
    }

    /** The rule reads a transport header: only packets of that protocol match, negated or not. */
    private void addProtoDeps(List<Sel> sels) {
      for (Sel s : sels) {
        if (s.proto() > 0) {
          Match.Protocol dep = new Match.Protocol(Set.of(s.proto()), false);
          if (!matches.contains(dep)) {
            matches.add(dep);
          }
        }
      }
    }

    /** One value: a word, a string, or a comma list of flags ({@code established,related}). */
    private List<Tok> value(Sel sel) throws Bad {
      List<Tok> out = new ArrayList<>();
      out.add(next());
      boolean flags = sel.kind() == SelKind.CTSTATE || sel.kind() == SelKind.CTSTATUS || sel.kind() == SelKind.TCPFLAGS;
      while (flags && peek() != null && (peek().isSym(",") || peek().isSym("/") || peek().isSym("|"))) {
        out.add(next());
        out.add(next());
      }
      return out;
    }

    /** An anonymous set's elements, flattening nested braces ({@code { $web, 22 }}). */
    private List<List<Tok>> braced() throws Bad {
      int depth = 0;
      int s0 = i;
      do {
        Tok x = next();
        if (x.isSym("{")) {
          depth++;
        } else if (x.isSym("}")) {
          depth--;
        }
      } while (depth > 0);
      List<List<Tok>> out = new ArrayList<>();
      for (List<Tok> e : split(t.subList(s0 + 1, i - 1), ",")) {
        if (!e.isEmpty() && e.get(0).isSym("{")) {
          for (List<Tok> inner : split(e.subList(1, e.size() - 1), ",")) {
            out.add(inner);
          }
        } else if (!e.isEmpty()) {
          out.add(e);
        }
      }
      return out;
    }

    private long maskValue(Sel sel) throws Bad {
      if (sel.kind() == SelKind.TCPFLAGS) {
        return flagBits(flagList());
      }
      long v = NftValues.number(word());
      if (v < 0) {
        throw new Bad("bad mask in " + sel.text());
      }
      return v;
    }

    /** {@code (fin | syn)}, {@code fin,syn} or one flag. */
    private List<Tok> flagList() throws Bad {
      List<Tok> out = new ArrayList<>();
      if (peek() != null && peek().isSym("(")) {
        i++;
        while (!peek().isSym(")")) {
          out.add(next());
        }
        i++;
        return out;
      }
      out.add(next());
      while (peek() != null && (peek().isSym(",") || peek().isSym("|"))) {
        out.add(next());
        out.add(next());
      }
      return out;
    }

    private int flagBits(List<Tok> toks) throws Bad {
      int f = 0;
      for (Tok x : toks) {
        if (x.kind() == Kind.WORD) {
          Integer b = NftValues.TCP_FLAGS.get(x.text());
          if (b == null) {
            long n = NftValues.number(x.text());
            if (n < 0 || n > 255) {
              throw new Bad("unknown TCP flag " + x.text());
            }
            b = (int) n;
          }
          f |= b;
        }
      }
      return f;
    }

    /**
     * The match for one selector: {@code op} with values (a set lookup when several), {@code mask} from
     * {@code & MASK}. Returns null when the condition always holds for this family.
     */
    private Match single(Sel s, String op, List<List<Tok>> values, long mask, boolean implicit, String construct)
        throws Bad, OtherFamily {
      boolean neg = op.equals("!=");
      boolean order = !op.equals("==") && !op.equals("!=");
      switch (s.kind()) {
        case ADDR -> {
          if (order) {
            undecidable(construct, "address comparisons by order are not modelled");
            return null;
          }
          List<IpRange> rs = new ArrayList<>();
          for (List<Tok> v : values) {
            rs.add(addressRange(one(v), s.family()));
          }
          return new Match.Address(s.side(), IpSet.of(rs), neg);
        }
        case PORT -> {
          PortSet ps = PortSet.EMPTY;
          for (List<Tok> v : values) {
            ps = ps.union(ports(one(v)));
          }
          if (order) {
            int p = ps.intervals().get(0)[0];
            ps = switch (op) {
              case "<" -> p == 0 ? PortSet.EMPTY : PortSet.range(0, p - 1);
              case "<=" -> PortSet.range(0, p);
              case ">" -> p == PortSet.MAX ? PortSet.EMPTY : PortSet.range(p + 1, PortSet.MAX);
              default -> PortSet.range(p, PortSet.MAX);
            };
            neg = false;
          }
          return new Match.Port(s.side(), ps, neg);
        }
        case PROTO -> {
          Set<Integer> ps = new LinkedHashSet<>();
          for (List<Tok> v : values) {
            String w = one(v);
            // ipv6-icmp, as nft prints ICMPv6, is a name with a dash, not a range.
            if (w.contains("-") && Protocols.number(w) < 0) {
              String[] ab = w.split("-");
              for (int p = protocol(ab[0]); p <= protocol(ab[1]); p++) {
                ps.add(p);
              }
            } else {
              ps.add(protocol(w));
            }
          }
          return new Match.Protocol(ps, neg);
        }
        case NFPROTO, ETHPROTO -> {
          if (s.kind() == SelKind.NFPROTO && !table.family.equals("inet")) {
            throw new Bad("meta nfproto is only useful in the inet family");
          }
          boolean in = false;
          for (List<Tok> v : values) {
            String w = one(v);
            Family f = switch (w) {
              case "ipv4", "ip" -> Family.IPV4;
              case "ipv6", "ip6" -> Family.IPV6;
              default -> null;
            };
            in |= f == family;
          }
          if (in == neg) {
            throw new OtherFamily();
          }
          return null;
        }
        case IIF, OIF -> {
          List<String> pats = new ArrayList<>();
          for (List<Tok> v : values) {
            String w = one(v);
            pats.add(w.endsWith("*") ? w.substring(0, w.length() - 1) + "+" : w);
          }
          return new Match.Interface(s.kind() == SelKind.IIF, pats, neg);
        }
        case CTSTATE -> {
          Set<CtState> states = EnumSet.noneOf(CtState.class);
          for (List<Tok> v : values) {
            for (Tok x : v) {
              if (x.kind() == Kind.WORD) {
                CtState st = NftValues.ctState(x.text());
                if (st == null) {
                  throw new Bad("unknown ct state " + x.text());
                }
                states.add(st);
              }
            }
          }
          return new Match.ConnState(states, neg);
        }
        case CTSTATUS -> {
          List<String> words = values.stream().flatMap(List::stream).filter(x -> x.kind() == Kind.WORD).map(Tok::text).toList();
          if (words.equals(List.of("dnat"))) {
            return new Match.ConnState(EnumSet.of(CtState.DNAT), neg);
          }
          undecidable(construct, "conntrack status bits other than dnat are not modelled");
          return null;
        }
        case CTDIR -> {
          String w = one(values.get(0));
          return new Match.ConnDirection(w.equals("original"), neg);
        }
        case MARK -> {
          if (order || values.size() != 1) {
            undecidable(construct, "mark ranges and sets are not modelled");
            return null;
          }
          long v = NftValues.number(one(values.get(0)));
          if (v < 0) {
            throw new Bad("bad mark " + one(values.get(0)));
          }
          long m = mask < 0 ? 0xffffffffL : mask;
          return new Match.Mark(s.ct(), v & m, m, neg);
        }
        case TCPFLAGS -> {
          if (values.size() != 1 || order) {
            undecidable(construct, "sets of TCP flag combinations are not modelled");
            return null;
          }
          List<Tok> v = values.get(0);
          int slash = -1;
          for (int k = 0; k < v.size(); k++) {
            if (v.get(k).isSym("/")) {
              slash = k;
            }
          }
          if (slash >= 0) {
            return new Match.TcpFlags(flagBits(v.subList(slash + 1, v.size())), flagBits(v.subList(0, slash)), neg);
          }
          int bits = flagBits(v);
          if (mask >= 0) {
            return new Match.TcpFlags((int) mask, bits, neg);
          }
          if (implicit) {
            // A bare flag list tests whether any of them is set.
            return new Match.TcpFlags(bits, 0, !neg);
          }
          return new Match.TcpFlags(0xff, bits, neg);
        }
        case ICMPTYPE, ICMPCODE -> {
          boolean v6 = s.proto() == Protocols.ICMPV6;
          List<List<Match>> alts = new ArrayList<>();
          for (List<Tok> v : values) {
            String w = one(v);
            Integer n = s.kind() == SelKind.ICMPCODE ? null : (v6 ? NftValues.ICMP6 : NftValues.ICMP4).get(w);
            long num = n != null ? n : NftValues.number(w);
            if (num < 0 || num > 255) {
              throw new Bad("unknown " + s.text() + " " + w);
            }
            alts.add(List.of(s.kind() == SelKind.ICMPTYPE ? new Match.IcmpType((int) num, 0, 255, false)
                : new Match.IcmpType(-1, (int) num, (int) num, false)));
          }
          if (s.kind() == SelKind.ICMPCODE) {
            undecidable(construct, "ICMP codes alone are not modelled");
            return null;
          }
          if (alts.size() == 1) {
            Match.IcmpType it = (Match.IcmpType) alts.get(0).get(0);
            return new Match.IcmpType(it.type(), 0, 255, neg);
          }
          return new Match.AnyOf(alts, neg);
        }
        case TTL -> {
          long v = NftValues.number(one(values.get(0)));
          if (values.size() != 1 || v < 0) {
            undecidable(construct, "hop-limit sets are not modelled");
            return null;
          }
          return switch (op) {
            case "==" -> new Match.HopLimit("eq", (int) v, false);
            case "!=" -> new Match.HopLimit("eq", (int) v, true);
            case "<" -> new Match.HopLimit("lt", (int) v, false);
            case ">" -> new Match.HopLimit("gt", (int) v, false);
            case "<=" -> new Match.HopLimit("gt", (int) v, true);
            default -> new Match.HopLimit("lt", (int) v, true);
          };
        }
        case FIB -> {
          Set<AddrType> types = EnumSet.noneOf(AddrType.class);
          for (List<Tok> v : values) {
            AddrType a = NftValues.addrType(one(v));
            if (a == null) {
              throw new Bad("unknown address type " + one(v));
            }
            types.add(a);
          }
          return new Match.AddressType(s.side(), types, neg);
        }
        case PKTTYPE -> {
          boolean host = values.stream().anyMatch(v -> one(v).equals("host"));
          // A connection attempt to one of the host's addresses is a unicast frame for this host.
          return new Match.Constant(host != neg, construct + " (a connection attempt is addressed to this host)");
        }
        default -> throw new IllegalStateException(s.kind().name());
      }
    }

    private String one(List<Tok> v) {
      return v.isEmpty() ? "" : v.get(0).text();
    }

    private int protocol(String w) throws Bad {
      int p = Protocols.number(w);
      if (p < 0) {
        throw new Bad("unknown protocol " + w);
      }
      return p;
    }

    private IpRange addressRange(String w, Family f) throws Bad {
      try {
        int dash = w.indexOf('-');
        if (dash > 0 && Ip.isLiteral(w.substring(0, dash))) {
          Ip a = address(w.substring(0, dash), f);
          Ip b = address(w.substring(dash + 1), f);
          if (a.compareTo(b) > 0) {
            throw new Bad("empty address range " + w);
          }
          return new IpRange(a, b);
        }
        int slash = w.indexOf('/');
        if (slash > 0) {
          Ip a = address(w.substring(0, slash), f);
          int len = Integer.parseInt(w.substring(slash + 1));
          if (len < 0 || len > f.bits()) {
            throw new Bad("prefix length " + len + " out of range in " + w);
          }
          IpRange r = IpRange.prefix(a, len);
          if (!r.first().equals(a)) {
            risky(w + " has host bits set; nft masks it to " + r.first() + "/" + len);
          }
          return r;
        }
        return IpRange.of(address(w, f));
      } catch (NumberFormatException e) {
        throw new Bad("bad address " + w);
      }
    }

    private Ip address(String w, Family f) throws Bad {
      if (!Ip.isLiteral(w)) {
        throw new Bad("'" + w + "' is not an " + f.label() + " address (host names are resolved only when nft loads the file)");
      }
      Ip ip = Ip.parse(w);
      if (ip.family() != f) {
        throw new Bad(w + " is not an " + f.label() + " address");
      }
      return ip;
    }

    /** Elements carry options that do not change what they match. */
    private List<Tok> strip(List<Tok> e) {
      for (int k = 0; k < e.size(); k++) {
        if (e.get(k).kind() == Kind.WORD && Set.of("timeout", "expires", "counter", "comment").contains(e.get(k).text())) {
          return e.subList(0, k);
        }
      }
      return e;
    }

    private List<List<Tok>> split(List<Tok> toks, String sep) {
      List<List<Tok>> out = new ArrayList<>();
      List<Tok> cur = new ArrayList<>();
      int depth = 0;
      for (Tok x : toks) {
        if (x.isSym("{")) {
          depth++;
        } else if (x.isSym("}")) {
          depth--;
        }
        if (depth == 0 && x.isSym(sep)) {
          out.add(cur);
          cur = new ArrayList<>();
        } else {
          cur.add(x);
        }
      }
      out.add(cur);
      return out;
    }

    /** {@code KEY vmap { element : verdict, … }}: one rule per element, in element order. */
    private void vmap(List<Sel> sels, int start) throws Bad, OtherFamily {
      Tok v = peek();
      List<List<Tok>> elements;
      String construct = NftReader.render(t.subList(start, i));
      if (v != null && v.kind() == Kind.SETREF) {
        i++;
        SetDef m = table.sets.get(v.text());
        if (m == null || !m.map) {
          throw new Bad("verdict map " + v.text() + " does not exist in table " + table.family + " " + table.name);
        }
        if (m.dynamic()) {
          addProtoDeps(sels);
          undecidable(construct + " @" + v.text(), "the map is filled from the packet path");
          setAction(new Action.Unsupported("vmap @" + v.text()));
          return;
        }
        elements = m.elements;
      } else if (v != null && v.isSym("{")) {
        elements = braced();
      } else {
        throw new Bad("vmap needs a map");
      }
      addProtoDeps(sels);
      if (sels.stream().anyMatch(s -> s.kind() == SelKind.UNDEC)) {
        undecidable(construct, whyUndecidable(construct));
        setAction(new Action.Unsupported("vmap"));
        return;
      }
      if (action != null || expanded != null) {
        throw new Bad("a second verdict");
      }
      List<Rule> rules = new ArrayList<>();
      for (List<Tok> e : elements) {
        List<List<Tok>> kv = split(e, ":");
        if (kv.size() != 2 || kv.get(1).isEmpty()) {
          throw new Bad("map element " + NftReader.render(e) + " needs 'key : verdict'");
        }
        List<List<Tok>> parts = split(strip(kv.get(0)), ".");
        if (parts.size() != sels.size()) {
          throw new Bad("element " + NftReader.render(e) + " does not have " + sels.size() + " parts");
        }
        List<Match> ms = new ArrayList<>(matches);
        for (int k = 0; k < sels.size(); k++) {
          Match m = single(sels.get(k), "==", List.of(parts.get(k)), -1, false, construct);
          if (m != null) {
            ms.add(m);
          }
        }
        List<Tok> verdict = strip(kv.get(1));
        String vw = verdict.get(0).text();
        Action a = switch (vw) {
          case "accept" -> new Action.Accept();
          case "drop" -> new Action.Drop();
          case "return" -> new Action.Return();
          case "continue" -> new Action.Continue("continue");
          case "jump", "goto" -> {
            if (verdict.size() < 2) {
              throw new Bad(vw + " needs a chain");
            }
            yield jump(vw, verdict.get(1).text());
          }
          default -> throw new Bad("unknown verdict '" + vw + "' in a verdict map");
        };
        rules.add(new Rule(ms, a, def.at()));
      }
      expanded = rules;
      // The verdict map ends the rule; anything after it would be a second verdict.
      if (i < t.size()) {
        String rest = skipArgs();
        if (!rest.isEmpty() || i < t.size()) {
          throw new Bad("statements after a verdict map");
        }
      }
    }

    /** {@code meta mark set …}, {@code ct mark set …} and other header or metadata writes. */
    private void setStatement(List<Sel> sels, int start) throws Bad {
      Sel s = sels.get(0);
      int v0 = i;
      String value = skipArgs();
      String text = NftReader.render(t.subList(start, i));
      if (s.kind() == SelKind.MARK && sels.size() == 1) {
        List<Tok> vt = t.subList(v0, i);
        if (vt.size() == 1) {
          long n = NftValues.number(vt.get(0).text());
          if (n >= 0) {
            setAction(new Action.SetMark(s.ct(), n, 0xffffffffL));
            return;
          }
        }
        boolean fromCt = value.equals("ct mark");
        boolean fromMeta = value.equals("meta mark") || value.equals("mark");
        if (s.ct() && fromMeta || !s.ct() && fromCt) {
          setAction(new Action.CopyMark(s.ct(), 0xffffffffL, 0xffffffffL));
          return;
        }
        unsupported("'" + text + "' is not modelled; packets reaching it are UNKNOWN");
        setAction(new Action.Unsupported(text));
        return;
      }
      noteEffect(text);
    }
  }
}
