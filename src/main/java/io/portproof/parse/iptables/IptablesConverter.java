package io.portproof.parse.iptables;

import io.portproof.analysis.Protocols;
import io.portproof.analysis.RejectTypes;
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
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Match;
import io.portproof.model.fw.Rule;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.TableOrigin;
import io.portproof.model.fw.Verdict;
import io.portproof.parse.ChainLoops;
import io.portproof.parse.iptables.IptablesParser.IptChain;
import io.portproof.parse.iptables.IptablesParser.IptRule;
import io.portproof.parse.iptables.IptablesParser.IptTable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Turns parsed iptables tables into the vendor-independent {@link Ruleset}. */
final class IptablesConverter {
  /** Built-in chains per table with the hook and priority the kernel registers them at. */
  private static final Map<String, Map<String, int[]>> BUILTIN = Map.of(
      "raw", ordered("PREROUTING", -300, "OUTPUT", -300),
      "mangle", ordered("PREROUTING", -150, "INPUT", -150, "FORWARD", -150, "OUTPUT", -150, "POSTROUTING", -150),
      "nat", ordered("PREROUTING", -100, "INPUT", 100, "OUTPUT", -100, "POSTROUTING", 100),
      "filter", ordered("INPUT", 0, "FORWARD", 0, "OUTPUT", 0),
      "security", ordered("INPUT", 50, "FORWARD", 50, "OUTPUT", 50));

  /** Targets that never change a verdict: traversal continues after them. */
  private static final Set<String> CONTINUING = Set.of("LOG", "NFLOG", "ULOG", "TRACE", "AUDIT", "TCPMSS", "TOS", "DSCP",
      "TTL", "HL", "ECN", "CLASSIFY", "SECMARK", "CONNSECMARK", "CHECKSUM", "IDLETIMER", "LED", "RATEEST", "SET", "TEE",
      "HMARK", "NFACCT");

  /** Matches whose outcome depends on state or payload no export carries. */
  private static final Set<String> UNDECIDABLE = Set.of("limit", "hashlimit", "recent", "string", "u32", "bpf",
      "connlimit", "statistic", "time", "owner", "length", "dscp", "tos", "ecn", "tcpmss", "socket",
      "rpfilter", "quota", "connbytes", "realm", "cpu", "ipvs", "cgroup", "physdev", "helper", "osf", "devgroup",
      "ipv6header", "l2tp", "cluster", "connlabel", "condition", "geoip", "account", "psd", "lscan", "ipp2p");

  /**
   * Matches on a header a connection attempt does not carry (IPv6 extension headers, IPsec): the kernel
   * returns false when the header is missing, whatever the options say.
   */
  private static final Set<String> ABSENT_HEADER = Set.of("rt", "frag", "hbh", "dst", "mh", "esp", "ah");

  /** Options that end a match module's option list. */
  private static final Set<String> MAIN_OPTIONS = Set.of("-m", "--match", "-j", "--jump", "-g", "--goto", "-p", "--protocol",
      "-s", "--source", "-d", "--destination", "-i", "--in-interface", "-o", "--out-interface", "-f", "--fragment");

  private final String file;
  private final Family family;
  private final Map<String, IpsetDefinition> ipsets;
  /** Swapped per rule so diagnostics about conditions that cannot matter are dropped. */
  private Diagnostics diags;

  IptablesConverter(String file, Family family, Map<String, IpsetDefinition> ipsets, Diagnostics diags) {
    this.file = file;
    this.family = family;
    this.ipsets = ipsets;
    this.diags = diags;
  }

  private static Map<String, int[]> ordered(Object... kv) {
    Map<String, int[]> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], new int[] {(Integer) kv[i + 1]});
    }
    return m;
  }

  Ruleset convert(List<IptTable> tables) {
    List<BaseChain> bases = new ArrayList<>();
    Map<String, Chain> chains = new LinkedHashMap<>();
    Set<String> seenTables = new HashSet<>();
    Map<String, TableOrigin> origins = new LinkedHashMap<>();
    for (IptTable t : tables) {
      Map<String, int[]> builtin = BUILTIN.get(t.name());
      if (builtin == null) {
        diags.invalid(t.source(), "unknown table " + t.name() + " (iptables has raw, mangle, nat, filter, security); its rules are ignored");
        continue;
      }
      if (!seenTables.add(t.name())) {
        diags.invalid(t.source(), "table " + t.name() + " appears twice; the later block replaces the earlier, as iptables-restore does");
        chains.keySet().removeIf(k -> k.startsWith(t.name() + "/"));
        bases.removeIf(b -> b.chain().table().equals(t.name()));
      }
      convertTable(t, builtin, bases, chains);
      origins.put(t.name(), new TableOrigin(t.name(), t.backend(), family == Family.IPV4 ? "ip" : "ip6", t.name(),
          TableOrigin.Export.IPTABLES_SAVE, t.hidden() == null ? List.of() : List.of(t.hidden()), t.hidden() == null, t.source()));
    }
    ChainLoops.find(chains, (r, loop) -> diags.invalid(r.source(),
        "loop between chains: " + String.join(" -> ", loop) + "; the kernel rejects a ruleset with a loop"));
    undecidableUses.summarise(diags);
    return new Ruleset(family, bases, chains, SourceRef.ofFile(file), List.copyOf(origins.values()));
  }

  private void convertTable(IptTable t, Map<String, int[]> builtin, List<BaseChain> bases, Map<String, Chain> chains) {
    Map<String, List<Rule>> rulesByChain = new LinkedHashMap<>();
    Map<String, IptChain> declared = t.chains();
    for (IptChain c : declared.values()) {
      boolean isBuiltin = builtin.containsKey(c.name());
      if (isBuiltin && c.policy().equals("-")) {
        diags.invalid(c.source(), "built-in chain " + c.name() + " needs a policy (ACCEPT or DROP)");
      } else if (!isBuiltin && !c.policy().equals("-")) {
        if (Hook.class.getEnumConstants() != null && isHookName(c.name())) {
          diags.invalid(c.source(), "table " + t.name() + " has no built-in chain " + c.name());
        } else {
          diags.invalid(c.source(), "user-defined chain " + c.name() + " cannot have a policy (" + c.policy() + ")");
        }
      } else if (isBuiltin && !c.policy().equals("ACCEPT") && !c.policy().equals("DROP")) {
        diags.invalid(c.source(), "policy must be ACCEPT or DROP, not " + c.policy());
      }
      rulesByChain.put(c.name(), new ArrayList<>());
    }
    for (String b : builtin.keySet()) {
      rulesByChain.putIfAbsent(b, new ArrayList<>());
    }
    if (t.hidden() != null) {
      diags.unsupported(t.hidden(), "iptables-save could not show (all of) table " + t.name() + ": it holds native nftables "
          + "chains or rules iptables cannot express; packets through it are UNKNOWN unless the 'nft list ruleset' export "
          + "of the same host is among the inputs");
      // Whatever the kernel's chains do comes first; the ACCEPT chains iptables-save prints instead are not facts.
      for (String b : builtin.keySet()) {
        rulesByChain.get(b).add(new Rule(List.of(), new Action.Unsupported("table " + t.name() + " as iptables-save could not show it"), t.hidden()));
      }
    }
    Set<String> known = rulesByChain.keySet();
    for (IptRule r : t.rules()) {
      if (!known.contains(r.chain())) {
        diags.invalid(r.source(), "chain " + r.chain() + " does not exist in table " + t.name() + " (declare it with :" + r.chain() + " - [0:0]); iptables-restore rejects this");
        continue;
      }
      Rule rule = convertRule(t.name(), r, known, builtin.containsKey(r.chain()) ? r.chain() : null);
      if (rule != null) {
        rulesByChain.get(r.chain()).add(rule);
      }
    }
    for (Map.Entry<String, List<Rule>> e : rulesByChain.entrySet()) {
      String name = e.getKey();
      IptChain decl = declared.get(name);
      boolean isBuiltin = builtin.containsKey(name);
      Verdict policy = null;
      if (isBuiltin) {
        policy = decl != null && "DROP".equals(decl.policy()) ? Verdict.DROP : Verdict.ACCEPT;
      }
      SourceRef ref = decl != null ? decl.source() : new SourceRef(file, t.source().line(), t.source().text() + " (" + name + " not declared: policy ACCEPT)");
      Chain chain = new Chain(Chain.key(t.name(), name), t.name(), name, policy, e.getValue(), ref);
      chains.put(chain.key(), chain);
      if (isBuiltin) {
        int prio = builtin.get(name)[0];
        bases.add(new BaseChain(Hook.valueOf(name), prio, t.name().equals("nat"), chain));
      }
    }
  }

  private static boolean isHookName(String name) {
    for (Hook h : Hook.values()) {
      if (h.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  // -----------------------------------------------------------------------------------------------------------
  // One rule

  /** Option values consumed by the current -m module; reset when another -m or -j comes. */
  private Rule convertRule(String table, IptRule r, Set<String> chainsInTable, String builtinChain) {
    Diagnostics outer = diags;
    diags = new Diagnostics();
    try {
      Rule rule = convertRuleWith(table, r, chainsInTable, builtinChain);
      for (io.portproof.diag.Diagnostic d : diags.asList()) {
        // An undecidable condition on a rule that changes nothing (LOG, counters) cannot change a verdict.
        boolean harmless = rule != null && d.kind() == io.portproof.diag.Diagnostic.Kind.UNSUPPORTED
            && (rule.action() instanceof Action.Continue || rule.action() instanceof Action.None)
            && rule.matches().stream().anyMatch(m -> m instanceof Match.Undecidable);
        if (harmless) {
          continue;
        }
        java.util.regex.Matcher m = UNDECIDABLE_DIAG.matcher(d.message());
        if (d.kind() == io.portproof.diag.Diagnostic.Kind.UNSUPPORTED && m.lookingAt()) {
          if (!undecidableUses.admit("-m " + m.group(1), d.source())) {
            continue;
          }
        }
        outer.add(d);
      }
      return rule;
    } finally {
      diags = outer;
    }
  }

  private Rule convertRuleWith(String table, IptRule r, Set<String> chainsInTable, String builtinChain) {
    List<String> a = r.args();
    List<Match> matches = new ArrayList<>();
    Action action = new Action.None();
    String module = null;
    int proto = -1;
    boolean ok = true;
    int i = 0;
    while (i < a.size()) {
      String opt = a.get(i);
      boolean neg = false;
      if (opt.equals("!")) {
        neg = true;
        i++;
        if (i >= a.size()) {
          diags.invalid(r.source(), "'!' at the end of the rule");
          return null;
        }
        opt = a.get(i);
      }
      String val = i + 1 < a.size() ? a.get(i + 1) : null;
      // Old syntax: "-s ! 1.2.3.4".
      if ("!".equals(val) && i + 2 < a.size()) {
        neg = true;
        i++;
        val = a.get(i + 1);
      }
      try {
        switch (opt) {
          case "-s", "--source", "--src" -> {
            matches.add(new Match.Address(Match.Side.SOURCE, addresses(need(val, opt), r.source()), neg));
            i += 2;
          }
          case "-d", "--destination", "--dst" -> {
            matches.add(new Match.Address(Match.Side.DESTINATION, addresses(need(val, opt), r.source()), neg));
            i += 2;
          }
          case "-p", "--protocol" -> {
            String p = need(val, opt).toLowerCase(Locale.ROOT);
            if (p.equals("all") || p.equals("0")) {
              matches.add(new Match.Protocol(Set.of(), neg));
            } else {
              int n = Protocols.number(p);
              if (n < 0) {
                throw new BadRule("unknown protocol " + p);
              }
              proto = neg ? -1 : n;
              matches.add(new Match.Protocol(Set.of(n), neg));
            }
            i += 2;
          }
          case "-i", "--in-interface" -> {
            matches.add(new Match.Interface(true, List.of(need(val, opt)), neg));
            i += 2;
          }
          case "-o", "--out-interface" -> {
            matches.add(new Match.Interface(false, List.of(need(val, opt)), neg));
            i += 2;
          }
          case "-f", "--fragment" -> {
            matches.add(new Match.Fragment(neg));
            i += 1;
          }
          case "-m", "--match" -> {
            module = need(val, opt).toLowerCase(Locale.ROOT);
            i += 2;
            if (ABSENT_HEADER.contains(module) || UNDECIDABLE.contains(module) || !knownModule(module)) {
              int end = i;
              while (end < a.size() && !MAIN_OPTIONS.contains(a.get(end))
                  && !(a.get(end).equals("!") && end + 1 < a.size() && MAIN_OPTIONS.contains(a.get(end + 1)))) {
                end++;
              }
              String construct = "-m " + module + (end > i ? " " + String.join(" ", a.subList(i, end)) : "");
              if (ABSENT_HEADER.contains(module)) {
                matches.add(new Match.Constant(false, construct + " (a connection attempt carries no such header)"));
              } else if (UNDECIDABLE.contains(module)) {
                matches.add(undecidableMatch(construct, r.source()));
              } else {
                diags.unsupported(r.source(), "match module '" + module + "' is not modelled; packets reaching this rule are UNKNOWN");
                matches.add(new Match.Undecidable(construct));
              }
              i = end;
              module = null;
            }
          }
          case "-j", "--jump" -> {
            String target = need(val, opt);
            int end = i + 2;
            while (end < a.size() && !(a.get(end).equals("-m") || a.get(end).equals("--match"))) {
              end++;
            }
            action = target(table, target, a.subList(i + 2, end), chainsInTable, r.source(), builtinChain);
            if (action == null) {
              return null;
            }
            i = end;
          }
          case "-g", "--goto" -> {
            String target = need(val, opt);
            if (!chainsInTable.contains(target) || BUILTIN.get(table).containsKey(target)) {
              diags.invalid(r.source(), "goto to chain " + target + ", which does not exist in table " + table + " as a user chain");
              return null;
            }
            action = new Action.Goto(Chain.key(table, target));
            i += 2;
          }
          case "-c", "--set-counters" -> i += 3;
          default -> {
            int used = moduleOption(module, proto, opt, neg, a, i, matches, r.source());
            if (used <= 0) {
              throw new BadRule("unknown option " + opt + (module == null ? "" : " (after -m " + module + ")"));
            }
            i += used;
          }
        }
      } catch (BadRule e) {
        diags.invalid(r.source(), e.getMessage() + "; iptables-restore rejects this rule, so portproof ignores it");
        ok = false;
        break;
      }
    }
    if (ok && action instanceof Action.Reject rj && rj.with().equals("tcp-reset") && proto != Protocols.TCP) {
      // xt_REJECT's check: a TCP reset answers only a rule that matches TCP alone.
      diags.invalid(r.source(), "REJECT --reject-with tcp-reset needs -p tcp; iptables-restore refuses this rule "
          + "(RULE_APPEND failed: Invalid argument), so the kernel would not load the ruleset");
    }
    return ok ? new Rule(matches, action, r.source()) : null;
  }

  private static final Set<String> KNOWN_MODULES = Set.of("ttl", "hl", "tcp", "udp", "udplite", "icmp", "icmp6", "icmpv6",
      "ipv6-icmp", "multiport", "state", "conntrack", "iprange", "addrtype", "comment", "mac", "set", "mark", "connmark",
      "pkttype", "policy", "dccp", "sctp");
  private static final Set<String> HOP_OPS = Set.of("eq", "lt", "gt");
  private final UndecidableTally undecidableUses = new UndecidableTally();
  private static final java.util.regex.Pattern UNDECIDABLE_DIAG = java.util.regex.Pattern.compile("'-m (\\S+)");

  private static boolean knownModule(String m) {
    return KNOWN_MODULES.contains(m);
  }

  private Match undecidableMatch(String construct, SourceRef at) {
    diags.unsupported(at, "'" + construct + "' depends on runtime state or packet content the exports do not carry; affected packets are UNKNOWN unless every branch agrees");
    return new Match.Undecidable(construct);
  }

  /** Options of the current -m module (and of -p's implicit module). Returns how many tokens it used. */
  private int moduleOption(String module, int proto, String opt, boolean neg, List<String> a, int i, List<Match> out, SourceRef at)
      throws BadRule {
    String val = i + 1 < a.size() ? a.get(i + 1) : null;
    String m = module;
    if (m == null && proto >= 0) {
      m = Protocols.name(proto);
    }
    if (m == null) {
      return 0;
    }
    switch (m) {
      case "tcp", "udp", "udplite", "dccp", "sctp" -> {
        switch (opt) {
          case "--dport", "--destination-port", "--dports" -> {
            out.add(new Match.Port(Match.Side.DESTINATION, ports(need(val, opt)), neg));
            return 2;
          }
          case "--sport", "--source-port", "--sports" -> {
            out.add(new Match.Port(Match.Side.SOURCE, ports(need(val, opt)), neg));
            return 2;
          }
          case "--tcp-flags" -> {
            if (i + 2 >= a.size()) {
              throw new BadRule("--tcp-flags needs a mask and the flags that must be set");
            }
            out.add(new Match.TcpFlags(flags(a.get(i + 1)), flags(a.get(i + 2)), neg));
            return 3;
          }
          case "--syn" -> {
            int mask = Match.TcpFlags.SYN | Match.TcpFlags.RST | Match.TcpFlags.ACK | Match.TcpFlags.FIN;
            out.add(new Match.TcpFlags(mask, Match.TcpFlags.SYN, neg));
            return 1;
          }
          case "--tcp-option" -> {
            out.add(undecidableMatch("--tcp-option " + need(val, opt), at));
            return 2;
          }
          default -> {
            if (m.equals("sctp") || m.equals("dccp")) {
              out.add(undecidableMatch("-m " + m + " " + opt, at));
              return val != null && !val.startsWith("-") ? 2 : 1;
            }
            return 0;
          }
        }
      }
      case "icmp", "icmp6", "icmpv6", "ipv6-icmp" -> {
        if (opt.equals("--icmp-type") || opt.equals("--icmpv6-type")) {
          out.add(icmpType(need(val, opt), neg, opt.equals("--icmpv6-type") || family == Family.IPV6));
          return 2;
        }
        return 0;
      }
      case "multiport" -> {
        switch (opt) {
          case "--dports", "--destination-ports" -> {
            out.add(new Match.Port(Match.Side.DESTINATION, ports(need(val, opt)), neg));
            return 2;
          }
          case "--sports", "--source-ports" -> {
            out.add(new Match.Port(Match.Side.SOURCE, ports(need(val, opt)), neg));
            return 2;
          }
          case "--ports" -> {
            out.add(new Match.EitherPort(ports(need(val, opt)), neg));
            return 2;
          }
          default -> {
            return 0;
          }
        }
      }
      case "state", "conntrack" -> {
        switch (opt) {
          case "--state", "--ctstate" -> {
            Set<CtState> states = EnumSet.noneOf(CtState.class);
            for (String s : need(val, opt).split(",")) {
              try {
                states.add(CtState.valueOf(s.toUpperCase(Locale.ROOT)));
              } catch (IllegalArgumentException e) {
                throw new BadRule("unknown conntrack state " + s);
              }
            }
            out.add(new Match.ConnState(states, neg));
            return 2;
          }
          case "--ctdir" -> {
            String d = need(val, opt).toUpperCase(Locale.ROOT);
            if (!d.equals("ORIGINAL") && !d.equals("REPLY")) {
              throw new BadRule("--ctdir takes ORIGINAL or REPLY");
            }
            out.add(new Match.ConnDirection(d.equals("ORIGINAL"), neg));
            return 2;
          }
          case "--ctproto" -> {
            int n = Protocols.number(need(val, opt));
            out.add(new Match.Protocol(Set.of(n), neg));
            return 2;
          }
          default -> {
            // --ctorigsrc, --ctstatus, --ctexpire …: facts about the entry beyond its state.
            out.add(undecidableMatch("-m conntrack " + (neg ? "! " : "") + opt + " " + need(val, opt), at));
            return 2;
          }
        }
      }
      case "iprange" -> {
        if (opt.equals("--src-range") || opt.equals("--dst-range")) {
          out.add(new Match.Address(opt.equals("--src-range") ? Match.Side.SOURCE : Match.Side.DESTINATION, range(need(val, opt)), neg));
          return 2;
        }
        return 0;
      }
      case "addrtype" -> {
        switch (opt) {
          case "--src-type", "--dst-type" -> {
            Set<AddrType> types = EnumSet.noneOf(AddrType.class);
            for (String s : need(val, opt).split(",")) {
              try {
                types.add(AddrType.valueOf(s.toUpperCase(Locale.ROOT)));
              } catch (IllegalArgumentException e) {
                throw new BadRule("unknown address type " + s);
              }
            }
            out.add(new Match.AddressType(opt.equals("--src-type") ? Match.Side.SOURCE : Match.Side.DESTINATION, types, neg));
            return 2;
          }
          case "--limit-iface-in", "--limit-iface-out" -> {
            diags.risky(at, opt + " is analysed as if the address type were looked up on every interface");
            return 1;
          }
          default -> {
            return 0;
          }
        }
      }
      case "comment" -> {
        return opt.equals("--comment") ? 2 : 0;
      }
      case "mac" -> {
        if (opt.equals("--mac-source")) {
          diags.unsupported(at, "-m mac matches the previous hop's MAC address, which no export carries; packets reaching this rule are UNKNOWN");
          out.add(new Match.Undecidable("-m mac " + (neg ? "! " : "") + "--mac-source " + need(val, opt)
              + " (the MAC of the previous hop, unknown from the inputs)"));
          return 2;
        }
        return 0;
      }
      case "mark", "connmark" -> {
        if (opt.equals("--mark")) {
          long[] vm = valueMask(need(val, opt));
          out.add(new Match.Mark(m.equals("connmark"), vm[0] & vm[1], vm[1], neg));
          return 2;
        }
        return 0;
      }
      case "ttl", "hl" -> {
        String o = opt.replaceFirst("^--(ttl|hl)-", "");
        if (!HOP_OPS.contains(o)) {
          return 0;
        }
        int v = (int) number(need(val, opt));
        out.add(new Match.HopLimit(o, v, neg));
        return 2;
      }
      case "pkttype" -> {
        if (opt.equals("--pkt-type")) {
          String t = need(val, opt).toLowerCase(Locale.ROOT);
          // A connection to one of the host's addresses arrives as unicast.
          if (t.equals("unicast") == neg) {
            out.add(new Match.Constant(false, "--pkt-type " + (neg ? "! " : "") + t + " (never true for a unicast connection)"));
          }
          return 2;
        }
        return 0;
      }
      case "policy" -> {
        // Without IPsec in the inputs, traffic is plain: "--pol none" holds, "--pol ipsec" does not.
        switch (opt) {
          case "--dir" -> {
            return 2;
          }
          case "--pol" -> {
            String p = need(val, opt);
            if (p.equals("ipsec") != neg) {
              out.add(new Match.Constant(false, "-m policy --pol " + p + " (no IPsec in the inputs)"));
            }
            diags.risky(at, "-m policy is analysed assuming no IPsec protects the traffic");
            return 2;
          }
          case "--strict", "--next" -> {
            return 1;
          }
          default -> {
            if (opt.startsWith("--")) {
              return val != null && !val.startsWith("-") ? 2 : 1;
            }
            return 0;
          }
        }
      }
      case "set" -> {
        if (opt.equals("--match-set")) {
          if (i + 2 >= a.size()) {
            throw new BadRule("--match-set needs a set name and flags");
          }
          out.add(setMatch(a.get(i + 1), a.get(i + 2), neg, at));
          return 3;
        }
        if (opt.equals("--return-nomatch") || opt.equals("--update-counters") || opt.equals("--update-subcounters")
            || opt.equals("--no-update-counters") || opt.equals("--no-update-subcounters")) {
          return 1;
        }
        if (opt.startsWith("--packets") || opt.startsWith("--bytes")) {
          out.add(undecidableMatch("-m set " + opt + " " + need(val, opt), at));
          return 2;
        }
        return 0;
      }
      default -> {
        return 0;
      }
    }
  }

  private Match setMatch(String name, String flags, boolean neg, SourceRef at) {
    String construct = "-m set " + (neg ? "! " : "") + "--match-set " + name + " " + flags;
    IpsetDefinition def = ipsets.get(name);
    if (def == null) {
      diags.unsupported(at, "ipset " + name + " is not among the inputs (give its 'ipset save' output); packets reaching this rule are UNKNOWN");
      return new Match.Undecidable(construct + " (set contents unknown)");
    }
    String[] dirs = flags.split(",");
    if (!def.exact() || dirs.length != 1) {
      diags.unsupported(at, "ipset " + name + " of type " + def.type() + " with flags " + flags + " is not modelled; packets reaching this rule are UNKNOWN");
      return new Match.Undecidable(construct);
    }
    Match.Side side = dirs[0].equals("src") ? Match.Side.SOURCE : Match.Side.DESTINATION;
    if (def.type().endsWith(":port")) {
      return new Match.Port(side, def.ports(), neg);
    }
    IpSet members = def.addresses();
    for (String member : def.memberSets()) {
      IpsetDefinition sub = ipsets.get(member);
      if (sub == null || !sub.exact() || sub.type().endsWith(":port")) {
        return new Match.Undecidable(construct + " (member set " + member + " unknown)");
      }
      members = members.union(sub.addresses());
    }
    return new Match.Address(side, members, neg);
  }

  // -----------------------------------------------------------------------------------------------------------
  // Targets

  private Action target(String table, String target, List<String> opts, Set<String> chainsInTable, SourceRef at, String builtinChain)
      throws BadRule {
    Map<String, String> o = options(opts);
    switch (target) {
      case "ACCEPT":
        return new Action.Accept();
      case "DROP":
        if (table.equals("nat")) {
          diags.invalid(at, "DROP is not allowed in the nat table");
        }
        return new Action.Drop();
      case "RETURN":
        return new Action.Return();
      case "REJECT": {
        String with = o.getOrDefault("--reject-with", family == Family.IPV4 ? "icmp-port-unreachable" : "icmp6-port-unreachable");
        String canonical = RejectTypes.canonical(with, family == Family.IPV6);
        if (canonical == null) {
          throw new BadRule("unknown --reject-with " + with + " for " + family.label());
        }
        return new Action.Reject(canonical);
      }
      case "DNAT": {
        String to = o.get("--to-destination");
        if (to == null) {
          throw new BadRule("DNAT needs --to-destination");
        }
        return dnat(to, at);
      }
      case "REDIRECT": {
        String p = o.get("--to-ports");
        if (p == null) {
          return new Action.Redirect(-1);
        }
        PortSet ps = ports(p);
        int first = ps.intervals().get(0)[0];
        if (!ps.equals(PortSet.of(first))) {
          diags.unsupported(at, "REDIRECT to a port range: portproof assumes the first port, " + first);
        }
        return new Action.Redirect(first);
      }
      case "MARK":
      case "CONNMARK":
        return mark(target.equals("CONNMARK"), o, at);
      case "NOTRACK":
        return new Action.NoTrack();
      case "CT":
        return o.containsKey("--notrack") ? new Action.NoTrack() : new Action.Continue("CT");
      case "SNAT":
      case "MASQUERADE":
      case "NETMAP":
        // A source rewrite ends the nat chain; it changes nothing a client's connection attempt depends on.
        return new Action.Accept();
      case "NFQUEUE":
      case "QUEUE":
      case "TPROXY":
      case "SYNPROXY":
      case "DNPT":
      case "SNPT":
      case "CLUSTERIP":
        diags.unsupported(at, "target " + target + " hands the packet to something outside the ruleset; its verdict is UNKNOWN");
        return new Action.Unsupported(target);
      default:
        if (CONTINUING.contains(target)) {
          return new Action.Continue(target);
        }
        if (chainsInTable.contains(target)) {
          if (BUILTIN.get(table).containsKey(target)) {
            throw new BadRule("cannot jump to built-in chain " + target);
          }
          return new Action.Jump(Chain.key(table, target));
        }
        if (target.equals(target.toUpperCase(Locale.ROOT)) && target.matches("[A-Z0-9_]+") && !opts.isEmpty()) {
          diags.unsupported(at, "target " + target + " is not modelled; packets reaching it are UNKNOWN");
          return new Action.Unsupported(target);
        }
        diags.invalid(at, "jump to chain " + target + ", which does not exist in table " + table + "; iptables-restore rejects this");
        return null;
    }
  }

  private Action dnat(String to, SourceRef at) throws BadRule {
    String addr = to;
    String port = null;
    if (to.startsWith("[")) {
      int close = to.indexOf(']');
      addr = to.substring(1, close);
      if (close + 1 < to.length() && to.charAt(close + 1) == ':') {
        port = to.substring(close + 2);
      }
    } else if (family == Family.IPV4 && to.contains(":")) {
      addr = to.substring(0, to.indexOf(':'));
      port = to.substring(to.indexOf(':') + 1);
    }
    if (addr.contains("-")) {
      diags.unsupported(at, "DNAT to an address range: portproof assumes the first address");
      addr = addr.substring(0, addr.indexOf('-'));
    }
    Ip ip = addr.isEmpty() ? null : parseIp(addr);
    int p = -1;
    if (port != null) {
      PortSet ps = ports(port.replace('-', ':'));
      p = ps.intervals().get(0)[0];
      if (!ps.equals(PortSet.of(p))) {
        diags.unsupported(at, "DNAT to a port range: portproof assumes the first port, " + p);
      }
    }
    return new Action.Dnat(ip, p);
  }

  private Action mark(boolean conn, Map<String, String> o, SourceRef at) throws BadRule {
    if (o.containsKey("--set-xmark")) {
      long[] vm = valueMask(o.get("--set-xmark"));
      return new Action.SetMark(conn, vm[0], vm[1]);
    }
    if (o.containsKey("--set-mark")) {
      long[] vm = valueMask(o.get("--set-mark"));
      return new Action.SetMark(conn, vm[0], vm[1] | vm[0]);
    }
    if (o.containsKey("--and-mark")) {
      long bits = number(o.get("--and-mark"));
      return new Action.SetMark(conn, 0, ~bits & 0xffffffffL);
    }
    if (o.containsKey("--or-mark")) {
      long bits = number(o.get("--or-mark"));
      return new Action.SetMark(conn, bits, bits);
    }
    if (o.containsKey("--xor-mark")) {
      return new Action.SetMark(conn, number(o.get("--xor-mark")), 0);
    }
    if (conn && (o.containsKey("--save-mark") || o.containsKey("--restore-mark"))) {
      long all = 0xffffffffL;
      long nf = o.containsKey("--nfmask") ? number(o.get("--nfmask")) : o.containsKey("--mask") ? number(o.get("--mask")) : all;
      long ct = o.containsKey("--ctmask") ? number(o.get("--ctmask")) : o.containsKey("--mask") ? number(o.get("--mask")) : all;
      return new Action.CopyMark(o.containsKey("--save-mark"), nf, ct);
    }
    diags.unsupported(at, (conn ? "CONNMARK" : "MARK") + " with these options is not modelled");
    return new Action.Unsupported(conn ? "CONNMARK" : "MARK");
  }

  /** Target options as name → value ("" for flags). */
  private static Map<String, String> options(List<String> opts) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < opts.size(); i++) {
      String k = opts.get(i);
      if (k.startsWith("--")) {
        String v = i + 1 < opts.size() && !opts.get(i + 1).startsWith("--") ? opts.get(++i) : "";
        o.put(k, v);
      }
    }
    return o;
  }

  // -----------------------------------------------------------------------------------------------------------
  // Values

  private IpSet addresses(String text, SourceRef at) throws BadRule {
    List<IpRange> ranges = new ArrayList<>();
    for (String part : text.split(",")) {
      ranges.add(cidr(part.strip(), at));
    }
    return IpSet.of(ranges);
  }

  private IpRange cidr(String text, SourceRef at) throws BadRule {
    String addr = text;
    int prefix = family.bits();
    int slash = text.indexOf('/');
    if (slash >= 0) {
      addr = text.substring(0, slash);
      String p = text.substring(slash + 1);
      if (p.matches("\\d+")) {
        prefix = Integer.parseInt(p);
      } else if (Ip.isLiteral(p)) {
        prefix = maskLength(Ip.parse(p), text);
      } else {
        throw new BadRule("bad prefix length in " + text);
      }
      if (prefix > family.bits()) {
        throw new BadRule("prefix length " + prefix + " is too long for " + family.label() + " in " + text);
      }
    }
    Ip ip = parseIp(addr);
    IpRange r = IpRange.prefix(ip, prefix);
    if (!r.first().equals(ip)) {
      diags.risky(at, text + " has host bits set; the kernel masks it to " + r.first() + "/" + prefix);
    }
    return r;
  }

  private int maskLength(Ip mask, String text) throws BadRule {
    String bits = new java.math.BigInteger(1, mask.toInetAddress().getAddress()).toString(2);
    int ones = bits.length() == family.bits() ? bits.indexOf('0') < 0 ? family.bits() : bits.indexOf('0') : 0;
    if (bits.length() == family.bits() && bits.substring(ones).contains("1")) {
      throw new BadRule("non-contiguous netmask in " + text);
    }
    return ones;
  }

  private Ip parseIp(String text) throws BadRule {
    if (!Ip.isLiteral(text)) {
      throw new BadRule("'" + text + "' is not an " + family.label() + " address (iptables-save never writes host names)");
    }
    Ip ip = Ip.parse(text);
    if (ip.family() != family) {
      throw new BadRule(text + " is not an " + family.label() + " address, but this is an " + family.label() + " ruleset");
    }
    return ip;
  }

  private IpSet range(String text) throws BadRule {
    int dash = text.indexOf('-');
    if (dash < 0) {
      return IpSet.of(IpRange.of(parseIp(text)));
    }
    Ip a = parseIp(text.substring(0, dash));
    Ip b = parseIp(text.substring(dash + 1));
    if (a.compareTo(b) > 0) {
      throw new BadRule("empty address range " + text);
    }
    return IpSet.of(new IpRange(a, b));
  }

  private static PortSet ports(String text) throws BadRule {
    try {
      return PortSet.parse(text);
    } catch (IllegalArgumentException e) {
      throw new BadRule("bad port specification " + text + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  private static int flags(String text) throws BadRule {
    if (text.equalsIgnoreCase("NONE")) {
      return 0;
    }
    int f = 0;
    for (String s : text.split(",")) {
      f |= switch (s.toUpperCase(Locale.ROOT)) {
        case "FIN" -> Match.TcpFlags.FIN;
        case "SYN" -> Match.TcpFlags.SYN;
        case "RST" -> Match.TcpFlags.RST;
        case "PSH" -> Match.TcpFlags.PSH;
        case "ACK" -> Match.TcpFlags.ACK;
        case "URG" -> Match.TcpFlags.URG;
        case "ECE" -> Match.TcpFlags.ECE;
        case "CWR" -> Match.TcpFlags.CWR;
        case "ALL" -> 0xff;
        default -> throw new BadRule("unknown TCP flag " + s);
      };
    }
    return f;
  }

  private static final Map<String, int[]> ICMP4 = Map.ofEntries(
      Map.entry("any", new int[] {-1, 0, 255}), Map.entry("echo-reply", new int[] {0, 0, 255}), Map.entry("pong", new int[] {0, 0, 255}),
      Map.entry("destination-unreachable", new int[] {3, 0, 255}), Map.entry("network-unreachable", new int[] {3, 0, 0}),
      Map.entry("host-unreachable", new int[] {3, 1, 1}), Map.entry("protocol-unreachable", new int[] {3, 2, 2}),
      Map.entry("port-unreachable", new int[] {3, 3, 3}), Map.entry("fragmentation-needed", new int[] {3, 4, 4}),
      Map.entry("source-route-failed", new int[] {3, 5, 5}), Map.entry("network-prohibited", new int[] {3, 9, 9}),
      Map.entry("host-prohibited", new int[] {3, 10, 10}), Map.entry("communication-prohibited", new int[] {3, 13, 13}),
      Map.entry("source-quench", new int[] {4, 0, 255}), Map.entry("redirect", new int[] {5, 0, 255}),
      Map.entry("echo-request", new int[] {8, 0, 255}), Map.entry("ping", new int[] {8, 0, 255}),
      Map.entry("router-advertisement", new int[] {9, 0, 255}), Map.entry("router-solicitation", new int[] {10, 0, 255}),
      Map.entry("time-exceeded", new int[] {11, 0, 255}), Map.entry("ttl-exceeded", new int[] {11, 0, 255}),
      Map.entry("parameter-problem", new int[] {12, 0, 255}), Map.entry("timestamp-request", new int[] {13, 0, 255}),
      Map.entry("timestamp-reply", new int[] {14, 0, 255}), Map.entry("address-mask-request", new int[] {17, 0, 255}),
      Map.entry("address-mask-reply", new int[] {18, 0, 255}));

  private static final Map<String, int[]> ICMP6 = Map.ofEntries(
      Map.entry("destination-unreachable", new int[] {1, 0, 255}), Map.entry("no-route", new int[] {1, 0, 0}),
      Map.entry("communication-prohibited", new int[] {1, 1, 1}), Map.entry("address-unreachable", new int[] {1, 3, 3}),
      Map.entry("port-unreachable", new int[] {1, 4, 4}), Map.entry("packet-too-big", new int[] {2, 0, 255}),
      Map.entry("time-exceeded", new int[] {3, 0, 255}), Map.entry("ttl-exceeded", new int[] {3, 0, 255}),
      Map.entry("parameter-problem", new int[] {4, 0, 255}), Map.entry("echo-request", new int[] {128, 0, 255}),
      Map.entry("ping", new int[] {128, 0, 255}), Map.entry("echo-reply", new int[] {129, 0, 255}),
      Map.entry("pong", new int[] {129, 0, 255}), Map.entry("router-solicitation", new int[] {133, 0, 255}),
      Map.entry("router-advertisement", new int[] {134, 0, 255}), Map.entry("neighbour-solicitation", new int[] {135, 0, 255}),
      Map.entry("neighbor-solicitation", new int[] {135, 0, 255}), Map.entry("neighbour-advertisement", new int[] {136, 0, 255}),
      Map.entry("neighbor-advertisement", new int[] {136, 0, 255}), Map.entry("redirect", new int[] {137, 0, 255}));

  private static Match icmpType(String text, boolean neg, boolean v6) throws BadRule {
    int[] t = (v6 ? ICMP6 : ICMP4).get(text.toLowerCase(Locale.ROOT));
    if (t != null) {
      return new Match.IcmpType(t[0], t[1], t[2], neg);
    }
    String[] tc = text.split("/");
    try {
      int type = Integer.parseInt(tc[0]);
      int code = tc.length > 1 ? Integer.parseInt(tc[1]) : -1;
      return new Match.IcmpType(type, code < 0 ? 0 : code, code < 0 ? 255 : code, neg);
    } catch (NumberFormatException e) {
      throw new BadRule("unknown ICMP type " + text);
    }
  }

  private static long[] valueMask(String text) throws BadRule {
    String[] p = text.split("/");
    long v = number(p[0]);
    long m = p.length > 1 ? number(p[1]) : 0xffffffffL;
    return new long[] {v, m};
  }

  private static long number(String text) throws BadRule {
    try {
      return text.startsWith("0x") || text.startsWith("0X") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new BadRule("bad number " + text);
    }
  }

  private static String need(String val, String opt) throws BadRule {
    if (val == null) {
      throw new BadRule(opt + " needs a value");
    }
    return val;
  }

  /** A rule iptables-restore would refuse; caught per rule so the rest of the file still counts. */
  private static final class BadRule extends Exception {
    private static final long serialVersionUID = 1L;

    BadRule(String message) {
      super(message);
    }
  }
}
