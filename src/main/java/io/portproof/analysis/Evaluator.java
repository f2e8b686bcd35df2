package io.portproof.analysis;

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
import io.portproof.model.fw.Verdict;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Symbolic execution of one family's rulesets over boxes of packets, along the whole netfilter path of a
 * connection's first packet and of the host's answer to it.
 *
 * <p>Order of work: {@link #run} takes the boxes of an inbound connection attempt through PREROUTING, the
 * routing decision, INPUT (or FORWARD and POSTROUTING), then takes the host's reply (SYN-ACK, or the RST/ICMP
 * error of a REJECT) through OUTPUT and POSTROUTING. Every box ends in exactly one {@link Outcome}, except where
 * an undecidable condition forked it: then both branches end in outcomes, carrying the condition as a taint.
 * Not thread-safe; one instance per analysis.
 */
final class Evaluator {
  /** How far undecidable conditions may fork one box before it is declared UNKNOWN on the spot. */
  private static final int FORK_LIMIT = 6;
  /** Deeper than any real ruleset nests; guards against loops an input format failed to reject. */
  private static final int MAX_DEPTH = 100;
  private static final int CONNTRACK_PRIORITY = -200;
  private static final int SRCNAT_PRIORITY = 100;

  /** Whether a socket listens on the destination port: decides SYN-ACK versus RST on the reply path. */
  enum Listener {
    YES,
    NO,
    EITHER
  }

  /** One way a box ended. */
  record Outcome(Box box, Verdict verdict, String rejectWith, SourceRef decidedBy, String note) {}

  private final Family family;
  private final InterfaceDomain ifaces;
  private final IpSet local;
  /** The host's own addresses of this family, loopback excluded: where a REDIRECT may send a packet. */
  private final Ip[] ownAddresses;
  private final boolean forwarding;
  private final HostContext.Cloud cloud;
  /** Declared routes of this family, longest prefix first. */
  private final List<HostContext.Route> routes;
  private final Map<String, CChain> chains = new HashMap<>();
  private final Map<Hook, List<CBase>> hooks = new EnumMap<>(Hook.class);
  private final boolean replyReadsTcpFlags;

  private List<Outcome> terminals;
  private boolean replyPhase;

  Evaluator(HostContext ctx, Family family, InterfaceDomain ifaces) {
    this.family = family;
    this.ifaces = ifaces;
    this.local = ctx.localAddresses();
    this.forwarding = ctx.forwarding();
    this.cloud = ctx.cloud();
    this.routes = ctx.routes().stream().filter(r -> r.prefix().family() == family)
        .sorted(Comparator.comparingInt((HostContext.Route r) -> r.length()).reversed()).toList();
    List<Ip> own = new ArrayList<>();
    for (IpRange r : ctx.addresses().only(family).ranges()) {
      // Adjacent host addresses merge into one range; a handful of them are still separate addresses.
      Ip a = r.first();
      for (int n = 0; a != null && a.compareTo(r.last()) <= 0 && n < 1024; n++, a = a.next()) {
        if (!isMulticast(a)) {
          own.add(a);
        }
      }
    }
    this.ownAddresses = own.toArray(new Ip[0]);
    AddressTypes types = new AddressTypes(family, local);
    List<CChain> outputBases = new ArrayList<>();
    for (Ruleset rs : ctx.rulesets(family)) {
      for (Chain c : rs.chains().values()) {
        chains.put(rs.source().file() + "\u0000" + c.key(), compile(rs, c, types));
      }
    }
    for (Ruleset rs : ctx.rulesets(family)) {
      for (BaseChain bc : rs.baseChains()) {
        CChain c = chains.get(rs.source().file() + "\u0000" + bc.chain().key());
        hooks.computeIfAbsent(bc.hook(), h -> new ArrayList<>()).add(new CBase(bc, c));
        if (bc.hook() == Hook.OUTPUT || bc.hook() == Hook.POSTROUTING) {
          outputBases.add(c);
        }
      }
    }
    for (CChain c : chains.values()) {
      for (CRule r : c.rules) {
        Action a = r.rule.action();
        String t = a instanceof Action.Jump j ? j.chain() : a instanceof Action.Goto g ? g.chain() : null;
        if (t != null) {
          r.target = chains.get(c.file + "\u0000" + t);
        }
      }
    }
    markHarmlessJumps();
    // Stable sort: equal priorities keep input order, as tables registered first run first.
    hooks.values().forEach(l -> l.sort(Comparator.comparingInt(b -> b.base.priority())));
    Set<CChain> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    boolean flags = false;
    for (CChain c : outputBases) {
      flags |= readsTcpFlags(c, seen);
    }
    this.replyReadsTcpFlags = flags;
  }

  private static boolean isMulticast(Ip a) {
    return a.family() == Family.IPV4 ? IpRange.prefix(Ip.parse("224.0.0.0"), 4).first().compareTo(a) <= 0 && a.compareTo(Ip.parse("239.255.255.255")) <= 0
        : a.compareTo(Ip.parse("ff00::")) >= 0;
  }

  Family family() {
    return family;
  }

  InterfaceDomain interfaces() {
    return ifaces;
  }

  // ---------------------------------------------------------------------------------------------------------
  // The path

  List<Outcome> run(List<Box> start, Listener listener) {
    List<Outcome> result = new ArrayList<>();
    terminals = new ArrayList<>();
    replyPhase = false;
    List<Box> boxes = runHook(Hook.PREROUTING, start);
    List<Box> toLocal = new ArrayList<>();
    List<Box> notLocal = new ArrayList<>();
    for (Box b : boxes) {
      splitAddress(b, true, local, toLocal, notLocal);
    }
    toLocal = dropMartians(toLocal, result);
    List<Box> forwarded = new ArrayList<>();
    for (Box b : notLocal) {
      if (forwarding) {
        route(b, forwarded);
      } else {
        SourceRef by = b.rewrite != null ? b.rewrite.source() : SourceRef.ofFile("(routing)");
        result.add(new Outcome(b, Verdict.DROP, null, by,
            "the destination " + b.dstLo + " is not this host's and the host does not forward (the kernel default); "
                + "declare forwarding if it routes"));
      }
    }
    List<Box> accepted = runHook(Hook.INPUT, toLocal);
    List<Box> passed = new ArrayList<>();
    for (Box b : runHook(Hook.FORWARD, forwarded)) {
      // FORWARD decided the connection; what POSTROUTING accepts after it (a MASQUERADE, a policy) is not the decision.
      Box d = b.copy();
      d.inboundBy = acceptedBy(b);
      passed.add(d);
    }
    List<Box> forwardedSyns = new ArrayList<>();
    for (Box b : runHook(Hook.POSTROUTING, passed)) {
      if (b.proto == Protocols.TCP) {
        forwardedSyns.add(b);
      } else {
        result.add(new Outcome(b, Verdict.ACCEPT, null, b.inboundBy, forwardedNote(b)));
      }
    }
    List<Outcome> inbound = terminals;

    List<Box> replies = new ArrayList<>();
    for (Outcome o : inbound) {
      if (o.verdict() == Verdict.REJECT) {
        replies.add(rejectReply(o));
      } else {
        result.add(o);
      }
    }
    for (Box b : accepted) {
      if (b.proto != Protocols.TCP) {
        // Only TCP has a reply the kernel itself sends for every accepted connection attempt.
        result.add(new Outcome(b, Verdict.ACCEPT, null, acceptedBy(b), null));
        continue;
      }
      boolean fork = listener == Listener.EITHER && replyReadsTcpFlags;
      if (listener == Listener.NO) {
        replies.add(tcpReply(b, Match.TcpFlags.RST | Match.TcpFlags.ACK, false));
      } else {
        replies.add(tcpReply(b, Match.TcpFlags.SYN | Match.TcpFlags.ACK, fork));
        if (fork) {
          replies.add(tcpReply(b, Match.TcpFlags.RST | Match.TcpFlags.ACK, true));
        }
      }
    }

    terminals = new ArrayList<>();
    replyPhase = true;
    List<Box> out = runHook(Hook.POSTROUTING, runHook(Hook.OUTPUT, replies));
    List<Box> synAcks = new ArrayList<>();
    for (Box r : out) {
      if (r.rejectWith != null) {
        result.add(new Outcome(r, Verdict.REJECT, r.rejectWith, r.inboundBy, null));
      } else if ((r.tcpFlags & Match.TcpFlags.SYN) != 0) {
        synAcks.add(r);
      } else {
        result.add(new Outcome(r, Verdict.ACCEPT, null, r.inboundBy, null));
      }
    }
    List<Outcome> lostAnswers = new ArrayList<>();
    for (Outcome t : terminals) {
      if (t.verdict() == Verdict.UNKNOWN) {
        result.add(t);
      } else if ((t.box().tcpFlags & Match.TcpFlags.SYN) != 0 && t.box().ct != null && t.box().inbound != null) {
        lostAnswers.add(t);
      } else {
        result.add(new Outcome(t.box(), Verdict.DROP, null, t.decidedBy(),
            "the host's answer is discarded on its way out (" + t.verdict() + " in OUTPUT), so the client times out"));
      }
    }
    retransmittedSyn(lostAnswers, result);
    finalAck(synAcks, result);
    forwardedAnswers(forwardedSyns, result);
    terminals = null;
    return result;
  }

  private String forwardedNote(Box b) {
    return "forwarded to " + b.dstLo + " out of " + String.join(" or ", ifaces.describe(b.oif))
        + " (another host: whether it listens is outside the inputs)";
  }

  /**
   * A forwarded connection opens only if the other host's SYN-ACK comes back through this one: it arrives on
   * the interface the SYN left by, crosses PREROUTING and FORWARD as ESTABLISHED and POSTROUTING, where conntrack
   * undoes the DNAT. A FORWARD chain that accepts only the first packet drops it and the client times out —
   * unless a rule then rejects the client's retransmitted SYN, which is ESTABLISHED by then (as for the host's
   * own answers).
   */
  private void forwardedAnswers(List<Box> syns, List<Outcome> result) {
    if (syns.isEmpty()) {
      return;
    }
    List<Box> answers = new ArrayList<>(syns.size());
    for (Box b : syns) {
      // As for the host's own ports, the question is whether a listening service can be reached: its SYN-ACK.
      Box r = tcpReply(b, Match.TcpFlags.SYN | Match.TcpFlags.ACK, false);
      r.iif = b.oif;
      r.oif = b.iif;
      // FORWARD's accept decided the connection, not what POSTROUTING accepted after it.
      r.inboundBy = b.inboundBy;
      answers.add(r.step(new TraceStep("REPLY", "", "", 0, b.dstLo + " answers SYN-ACK back through FORWARD", r.inboundBy)));
    }
    terminals = new ArrayList<>();
    replyPhase = true;
    for (Box r : runHook(Hook.POSTROUTING, runHook(Hook.FORWARD, runHook(Hook.PREROUTING, answers)))) {
      result.add(new Outcome(r, Verdict.ACCEPT, null, r.inboundBy, forwardedNote(r.inbound)));
    }
    List<Outcome> lost = terminals;
    List<Box> again = new ArrayList<>();
    for (Outcome t : lost) {
      if (t.verdict() == Verdict.UNKNOWN) {
        result.add(t);
        continue;
      }
      Box a = clientAgain(t.box());
      a.ctPending = CtState.ESTABLISHED;
      a.inboundBy = t.decidedBy();
      again.add(a.step(new TraceStep("RETRY", "", "", 0,
          "the answer was discarded in " + (t.box().ct == null ? "PREROUTING" : "FORWARD") + ": the client's retransmitted SYN is ESTABLISHED",
          t.decidedBy())));
    }
    terminals = new ArrayList<>();
    replyPhase = false;
    settleRetransmission(runHook(Hook.POSTROUTING, runHook(Hook.FORWARD, runHook(Hook.PREROUTING, again))),
        a -> "the answer from " + a.dstLo + " is discarded on its way back (at " + a.inboundBy.location() + "), so the client times out",
        "the answer from the forwarded host is discarded on its way back; the retransmitted SYN (ESTABLISHED by then) meets this REJECT",
        result);
  }

  /**
   * The routing decision for a forwarded box: the outgoing interface of the longest declared route to its
   * destination. Without a route the box may leave by any interface, so rules on the outgoing interface split it
   * and disagreeing pieces are UNKNOWN, naming the missing route.
   */
  private void route(Box b, List<Box> out) {
    List<Box> rest = List.of(b);
    for (HostContext.Route r : routes) {
      List<Box> miss = new ArrayList<>();
      for (Box x : rest) {
        List<Box> hit = new ArrayList<>();
        splitAddress(x, true, IpSet.of(r.prefix()), hit, miss);
        for (Box h : hit) {
          Box o = h.copy();
          o.oif = ifaces.classOf(r.iface());
          out.add(o.step(new TraceStep("ROUTE", "", "", 0, "routed out of " + r.iface() + " (route " + r + ")", r.source())));
        }
      }
      rest = miss;
    }
    for (Box x : rest) {
      Box o = x.copy();
      o.oif = ifaces.external();
      o.taints = o.taints.prepend(new Reason("the interface the host routes " + x.dstLo
          + " out of (declare it under routes:, e.g. docker0: [172.17.0.0/16])", SourceRef.ofFile("(routing)")));
      out.add(o.step(new TraceStep("ROUTE", "", "", 0, "no route declared for " + x.dstLo + ": any outgoing interface", SourceRef.ofFile("(routing)"))));
    }
  }

  /**
   * A SYN-ACK discarded after the conntrack hook has still been seen by conntrack, so the client's retransmitted
   * SYN (a second later) belongs to a connection with a reply: it crosses the rules as ESTABLISHED. If a rule
   * rejects it, that error is what the client reads (found by the kernel truth suite); otherwise it times out.
   */
  private void retransmittedSyn(List<Outcome> lost, List<Outcome> result) {
    if (lost.isEmpty()) {
      return;
    }
    List<Box> syns = new ArrayList<>(lost.size());
    for (Outcome t : lost) {
      Box r = t.box();
      Box a = clientAgain(r);
      a.ctPending = CtState.ESTABLISHED;
      a.inboundBy = t.decidedBy();
      syns.add(a.step(new TraceStep("RETRY", "", "", 0,
          "the answer was discarded after conntrack saw it: the client's retransmitted SYN is ESTABLISHED", t.decidedBy())));
    }
    terminals = new ArrayList<>();
    replyPhase = false;
    settleRetransmission(runHook(Hook.INPUT, runHook(Hook.PREROUTING, syns)),
        a -> "the host's answer is discarded on its way out (in OUTPUT), so the client times out",
        "the first answer is discarded in OUTPUT; the retransmitted SYN (ESTABLISHED by then) meets this REJECT", result);
  }

  /**
   * Where a retransmitted SYN ended, given the boxes that passed its hooks and the {@link #terminals} of the rest:
   * passed or dropped, its answer is lost again and the client times out; a REJECT's error reaches the client
   * unless OUTPUT discards it too.
   */
  private void settleRetransmission(List<Box> passed, Function<Box, String> timeout, String rejected,
      List<Outcome> result) {
    for (Box a : passed) {
      result.add(new Outcome(a, Verdict.DROP, null, a.inboundBy, timeout.apply(a)));
    }
    List<Box> errors = new ArrayList<>();
    for (Outcome t : terminals) {
      if (t.verdict() == Verdict.REJECT) {
        errors.add(rejectReply(t));
      } else {
        result.add(t.verdict() == Verdict.UNKNOWN ? t : new Outcome(t.box(), Verdict.DROP, null, t.box().inboundBy, timeout.apply(t.box())));
      }
    }
    if (errors.isEmpty()) {
      return;
    }
    terminals = new ArrayList<>();
    replyPhase = true;
    for (Box e : runHook(Hook.POSTROUTING, runHook(Hook.OUTPUT, errors))) {
      result.add(new Outcome(e, Verdict.REJECT, e.rejectWith, e.inboundBy, rejected));
    }
    for (Outcome t : terminals) {
      result.add(t.verdict() == Verdict.UNKNOWN ? t : new Outcome(t.box(), Verdict.DROP, null, t.decidedBy(),
          "the answers are discarded on their way, so the client times out"));
    }
  }

  /**
   * The client's next packet of the connection a reply {@code r} belongs to: the inbound packet again, narrowed
   * to the clients, ports and interfaces the reply still speaks for.
   */
  private static Box clientAgain(Box r) {
    Box a = r.inbound.copy();
    a.srcLo = a.clientLo = r.clientLo;
    a.srcHi = a.clientHi = r.clientHi;
    a.srcMask = a.clientMask = r.clientMask;
    a.spLo = a.cportLo = r.cportLo;
    a.spHi = a.cportHi = r.cportHi;
    a.iif = a.clientIif = r.clientIif;
    if (r.inbound.dpLink == Box.Link.PORT) {
      a.dpLo = r.portLo;
      a.dpHi = r.portHi;
    }
    a.portLo = r.portLo;
    a.portHi = r.portHi;
    // A later packet: conntrack has yet to see it, and only the connection's mark and history carry over.
    a.ct = null;
    a.untracked = false;
    a.mark = 0;
    a.ctmark = r.ctmark;
    a.taints = r.taints;
    a.forks = r.forks;
    a.trace = r.trace;
    a.acceptedBy = null;
    a.acceptedByPolicy = false;
    return a;
  }

  /**
   * The client answers the SYN-ACK with the handshake's final ACK, which crosses the ruleset as an ESTABLISHED
   * packet. Whatever meets it, connect() has already returned: over any real link an ICMP error for the ACK
   * arrives a round trip after the client counts the port open (only a soft error on an established socket).
   * A dropped or rejected ACK therefore stays "open", with a note that no data will flow.
   */
  private void finalAck(List<Box> synAcks, List<Outcome> result) {
    if (synAcks.isEmpty()) {
      return;
    }
    List<Box> acks = new ArrayList<>(synAcks.size());
    for (Box r : synAcks) {
      Box a = clientAgain(r);
      a.tcpFlags = Match.TcpFlags.ACK;
      // After NOTRACK the connection has no entry: unless raw exempts the ACK too, conntrack picks it up as NEW.
      a.ctPending = r.inbound.untracked ? CtState.NEW : CtState.ESTABLISHED;
      a.inboundBy = r.inboundBy;
      acks.add(a.step(new TraceStep("ACK", "", "", 0, "the client completes the handshake: its ACK crosses the rules", r.inboundBy)));
    }
    terminals = new ArrayList<>();
    replyPhase = false;
    List<Box> in = runHook(Hook.INPUT, runHook(Hook.PREROUTING, acks));
    for (Box a : in) {
      result.add(new Outcome(a, Verdict.ACCEPT, null, a.inboundBy, null));
    }
    for (Outcome t : terminals) {
      Box a = t.box();
      result.add(t.verdict() == Verdict.UNKNOWN ? t : new Outcome(a, Verdict.ACCEPT, null, a.inboundBy,
          "the client connects, but the handshake's final ACK meets " + t.verdict()
              + (t.rejectWith() != null ? " " + t.rejectWith() : "") + " at " + t.decidedBy().location() + ": no data will flow"));
    }
  }

  /**
   * A packet from outside rewritten to a loopback address is a martian: the kernel drops it unless
   * route_localnet is set (IPv4), and always for ::1.
   */
  private List<Box> dropMartians(List<Box> boxes, List<Outcome> result) {
    IpSet loopback = family == Family.IPV4 ? IpSet.of(IpRange.prefix(Ip.parse("127.0.0.0"), 8)) : IpSet.of(IpRange.of(Ip.parse("::1")));
    List<Box> out = new ArrayList<>(boxes.size());
    for (Box b : boxes) {
      if (b.rewrite == null) {
        out.add(b);
        continue;
      }
      List<Box> lo = new ArrayList<>();
      List<Box> other = new ArrayList<>();
      splitAddress(b, true, loopback, lo, other);
      out.addAll(other);
      for (Box l : lo) {
        // Traffic that really arrives on lo may go to loopback; from any other interface it may not.
        long outside = l.iif & ~ifaces.classOf("lo");
        if (outside != 0) {
          result.add(new Outcome(l.withIif(outside), Verdict.DROP, null, l.rewrite.source(),
              "rewritten to a loopback address, which the kernel drops for packets from outside (martian destination; IPv4 unless route_localnet=1)"));
        }
        if ((l.iif & ifaces.classOf("lo")) != 0) {
          out.add(l.withIif(l.iif & ifaces.classOf("lo")));
        }
      }
    }
    return out;
  }

  private SourceRef acceptedBy(Box b) {
    return b.acceptedBy != null ? b.acceptedBy : SourceRef.ofFile("(no rule: the kernel accepts by default)");
  }

  /** The SYN-ACK (socket listening) or RST (none) the host sends back, as a new box linked to the client. */
  private Box tcpReply(Box in, int flags, boolean fork) {
    Box r = in.copy();
    r.inbound = in;
    r.srcLo = in.dstLo;
    r.srcHi = in.dstHi;
    r.dstLo = in.srcLo;
    r.dstHi = in.srcHi;
    r.srcMask = in.dstMask;
    r.dstMask = in.srcMask;
    r.spLo = in.dpLo;
    r.spHi = in.dpHi;
    r.dpLo = in.spLo;
    r.dpHi = in.spHi;
    r.srcLink = in.dstLink;
    r.dstLink = in.srcLink;
    r.spLink = in.dpLink;
    r.dpLink = in.spLink;
    r.iif = ifaces.none();
    r.oif = in.iif;
    r.iifLink = false;
    r.oifLink = in.iifLink;
    r.tcpFlags = flags;
    r.mark = 0;
    r.ct = null;
    // The answer to an untracked SYN has no entry to join and is no valid first packet: conntrack calls it INVALID.
    r.ctPending = in.untracked ? CtState.INVALID : CtState.ESTABLISHED;
    r.untracked = false;
    // The reply's destination is the client; which host address a REDIRECT chose does not follow it there.
    r.dstChoices = null;
    r.originalDirection = false;
    r.inboundBy = acceptedBy(in);
    r.rejectWith = null;
    if (fork) {
      r.taints = r.taints.prepend(new Reason(
          (flags & Match.TcpFlags.SYN) != 0 ? "assuming a socket listens (SYN-ACK)" : "assuming no socket listens (RST)",
          SourceRef.ofFile("(listener)")));
      r.forks++;
    }
    return r.step(new TraceStep("REPLY", "", "", 0,
        (flags & Match.TcpFlags.SYN) != 0 ? "the host answers SYN-ACK through OUTPUT" : "the host answers RST through OUTPUT",
        r.inboundBy));
  }

  /** The RST or ICMP error a REJECT sends; conntrack relates it to the rejected packet when one was tracked. */
  private Box rejectReply(Outcome o) {
    Box in = o.box();
    boolean tcpReset = "tcp-reset".equals(o.rejectWith());
    Box r = tcpReply(in, Match.TcpFlags.RST | Match.TcpFlags.ACK, false);
    if (!tcpReset) {
      r.proto = family == Family.IPV4 ? Protocols.ICMP : Protocols.ICMPV6;
      r.icmpType = family == Family.IPV4 ? 3 : 1;
      r.icmpCode = RejectTypes.icmpCode(o.rejectWith());
      r.tcpFlags = 0;
    }
    r.ctPending = in.ct == null ? CtState.INVALID : (in.untracked ? CtState.UNTRACKED : CtState.RELATED);
    r.inboundBy = o.decidedBy();
    r.rejectWith = o.rejectWith();
    return r;
  }

  private List<Box> runHook(Hook hook, List<Box> boxes) {
    List<CBase> bases = hooks.getOrDefault(hook, List.of());
    boolean tracks = hook == Hook.PREROUTING || hook == Hook.OUTPUT;
    boolean tracked = !tracks;
    boolean unNatted = !(replyPhase && hook == Hook.POSTROUTING);
    for (CBase bc : bases) {
      if (boxes.isEmpty()) {
        return boxes;
      }
      if (!unNatted && bc.base.priority() > SRCNAT_PRIORITY) {
        boxes = unNat(boxes);
        unNatted = true;
      }
      if (!tracked && bc.base.priority() > CONNTRACK_PRIORITY) {
        boxes = conntrack(boxes);
        tracked = true;
      }
      if (bc.base.nat()) {
        List<Box> nat = new ArrayList<>();
        List<Box> bypass = new ArrayList<>();
        for (Box b : boxes) {
          // NAT chains see only a tracked connection's first packet.
          (b.ct == CtState.NEW ? nat : bypass).add(b);
        }
        bypass.addAll(runBase(bc, nat));
        boxes = bypass;
      } else {
        boxes = runBase(bc, boxes);
      }
    }
    if (!unNatted) {
      boxes = unNat(boxes);
    }
    return tracked ? boxes : conntrack(boxes);
  }

  /**
   * Conntrack undoes a DNAT on the reply at the source-NAT hook: what leaves the host (and what a stateless
   * network ACL outside it sees) comes from the address and port the client connected to.
   */
  private static List<Box> unNat(List<Box> boxes) {
    List<Box> out = new ArrayList<>(boxes.size());
    for (Box b : boxes) {
      if (b.preNatDst == null || b.originalDirection) {
        out.add(b);
        continue;
      }
      Box r = b.copy();
      r.srcLo = r.srcHi = b.preNatDst;
      r.srcMask = null;
      r.srcLink = Box.Link.NONE;
      r.spLo = b.portLo;
      r.spHi = b.portHi;
      r.spLink = Box.Link.PORT;
      out.add(r);
    }
    return out;
  }

  private static List<Box> conntrack(List<Box> boxes) {
    List<Box> out = new ArrayList<>(boxes.size());
    for (Box b : boxes) {
      Box c = b.copy();
      c.ct = b.untracked ? CtState.UNTRACKED : b.ctPending;
      out.add(c);
    }
    return out;
  }

  private List<Box> runBase(CBase bc, List<Box> boxes) {
    List<Box> accepted = new ArrayList<>();
    Chain c = bc.base.chain();
    List<Box> entered = new ArrayList<>(boxes.size());
    for (Box b : boxes) {
      entered.add(b.step(new TraceStep("ENTER", c.table(), c.name(), 0, bc.base.hook() + " priority " + bc.base.priority(), c.source())));
    }
    List<Box> fell = runChain(bc.chain, entered, accepted, 0);
    for (Box b : fell) {
      if (c.policy() == Verdict.DROP) {
        terminal(b.step(new TraceStep("POLICY", c.table(), c.name(), 0, "policy DROP", c.source())), Verdict.DROP, null, c.source());
      } else {
        Box a = b.step(new TraceStep("POLICY", c.table(), c.name(), 0, "policy ACCEPT", c.source())).copy();
        // An empty chain's policy decides nothing worth naming over a rule an earlier table matched; over an
        // earlier policy it does: filter INPUT's ACCEPT, not nat PREROUTING's, lets an unfiltered packet in. A
        // NAT chain's policy filters nothing at all.
        if (a.acceptedBy == null || !bc.base.nat() && (!c.rules().isEmpty() || a.acceptedByPolicy)) {
          a.acceptedBy = c.source();
          a.acceptedByPolicy = true;
        }
        accepted.add(a);
      }
    }
    return accepted;
  }

  private void terminal(Box b, Verdict v, String with, SourceRef by) {
    terminals.add(new Outcome(b, v, with, by, null));
  }

  /**
   * Runs boxes through a chain. Returns the boxes that leave it by RETURN or by falling off its end; accepted
   * boxes go to {@code accepted}, final verdicts to {@link #terminals}.
   *
   * <p>Each box visits only the rules its chain's index says may match it; the pieces a rule leaves go on from
   * the rule after it. A chain of 10,000 single-port rules costs each box a few lookups, not 10,000 tests.
   */
  private List<Box> runChain(CChain chain, List<Box> in, List<Box> accepted, int depth) {
    List<Box> returned = new ArrayList<>();
    if (depth > MAX_DEPTH) {
      for (Box b : in) {
        terminal(b, Verdict.UNKNOWN, null, chain.chain.source());
      }
      return returned;
    }
    Deque<Pending> todo = new ArrayDeque<>();
    for (int i = in.size() - 1; i >= 0; i--) {
      todo.push(new Pending(in.get(i), 0));
    }
    while (!todo.isEmpty()) {
      Pending p = todo.pop();
      int j = chain.index.next(p.box, p.from);
      if (j < 0) {
        returned.add(p.box);
        continue;
      }
      CRule r = chain.rules.get(j);
      List<Box> matched = new ArrayList<>(2);
      List<Box> maybe = new ArrayList<>(0);
      List<Box> next = new ArrayList<>(4);
      r.split(p.box, matched, next, maybe);
      if (!maybe.isEmpty()) {
        matched.addAll(fork(r, maybe, next));
      }
      if (!matched.isEmpty()) {
        act(chain, r, matched, next, returned, accepted, depth);
      }
      for (int k = next.size() - 1; k >= 0; k--) {
        todo.push(new Pending(next.get(k), j + 1));
      }
    }
    return returned;
  }

  /** A box and the first rule it has yet to meet. */
  private record Pending(Box box, int from) {}

  /**
   * An undecidable condition: both branches go on, tainted. A rule whose action changes nothing needs no fork.
   */
  private List<Box> fork(CRule r, List<Box> matched, List<Box> next) {
    Action a = r.rule.action();
    if (a instanceof Action.Continue || a instanceof Action.None || r.harmless) {
      next.addAll(matched);
      return List.of();
    }
    List<Box> taken = new ArrayList<>(matched.size());
    for (Box b : matched) {
      Reason why = new Reason(r.maybeReason(b), r.rule.source());
      if (b.forks >= FORK_LIMIT) {
        Box t = b.copy();
        t.taints = t.taints.prepend(why);
        terminal(t, Verdict.UNKNOWN, null, r.rule.source());
        continue;
      }
      Box t = b.copy();
      t.taints = t.taints.prepend(why);
      t.forks++;
      taken.add(t.step(new TraceStep("BRANCH", r.table, r.chainName, 0, "cannot decide " + why.text() + ": following both branches", r.rule.source())));
      next.add(t);
    }
    return taken;
  }

  private void act(CChain chain, CRule r, List<Box> boxes, List<Box> next, List<Box> returned, List<Box> accepted, int depth) {
    Action a = r.rule.action();
    SourceRef src = r.rule.source();
    String table = r.table;
    String name = r.chainName;
    if (a instanceof Action.Accept) {
      for (Box b : boxes) {
        Box t = b.step(new TraceStep("MATCH", table, name, depth, "ACCEPT", src)).copy();
        t.acceptedBy = src;
        t.acceptedByPolicy = false;
        accepted.add(t);
      }
    } else if (a instanceof Action.Drop) {
      boxes.forEach(b -> terminal(b.step(new TraceStep("MATCH", table, name, depth, "DROP", src)), Verdict.DROP, null, src));
    } else if (a instanceof Action.Reject rj) {
      boxes.forEach(b -> terminal(
          b.step(new TraceStep("MATCH", table, name, depth, "REJECT --reject-with " + rj.with(), src)), Verdict.REJECT, rj.with(), src));
    } else if (a instanceof Action.Return) {
      boxes.forEach(b -> returned.add(b.step(new TraceStep("RETURN", table, name, depth, "RETURN", src))));
    } else if (a instanceof Action.Jump j) {
      CChain target = r.target;
      List<Box> called = new ArrayList<>(boxes.size());
      for (Box b : boxes) {
        called.add(b.step(new TraceStep("CALL", table, name, depth, "jump to " + target.chain.name(), src)));
      }
      for (Box b : runChain(target, called, accepted, depth + 1)) {
        next.add(b.step(new TraceStep("RETURN", target.chain.table(), target.chain.name(), depth + 1, "back in " + name, src)));
      }
    } else if (a instanceof Action.Goto g) {
      CChain target = r.target;
      List<Box> called = new ArrayList<>(boxes.size());
      for (Box b : boxes) {
        called.add(b.step(new TraceStep("GOTO", table, name, depth, "goto " + target.chain.name(), src)));
      }
      returned.addAll(runChain(target, called, accepted, depth + 1));
    } else if (a instanceof Action.Dnat n) {
      boxes.forEach(b -> accepted.add(rewrite(b, n.address(), n.port(), src, table, name, depth, false)));
    } else if (a instanceof Action.Redirect rd) {
      boxes.forEach(b -> accepted.add(rewrite(b, null, rd.port(), src, table, name, depth, true)));
    } else if (a instanceof Action.SetMark m) {
      for (Box b : boxes) {
        Box t = b.step(new TraceStep("MATCH", table, name, depth,
            (m.conntrack() ? "CONNMARK" : "MARK") + String.format(" --set-xmark 0x%x/0x%x", m.value(), m.mask()), src)).copy();
        if (m.conntrack()) {
          t.ctmark = (t.ctmark & ~m.mask()) ^ m.value();
        } else {
          t.mark = (t.mark & ~m.mask()) ^ m.value();
        }
        next.add(t);
      }
    } else if (a instanceof Action.CopyMark m) {
      for (Box b : boxes) {
        Box t = b.step(new TraceStep("MATCH", table, name, depth,
            m.toConntrack() ? "CONNMARK --save-mark" : "CONNMARK --restore-mark", src)).copy();
        if (m.toConntrack()) {
          t.ctmark = (t.ctmark & ~m.ctmask()) ^ (t.mark & m.nfmask());
        } else {
          t.mark = (t.mark & ~m.nfmask()) ^ (t.ctmark & m.ctmask());
        }
        next.add(t);
      }
    } else if (a instanceof Action.NoTrack) {
      for (Box b : boxes) {
        Box t = b.step(new TraceStep("MATCH", table, name, depth, "NOTRACK", src)).copy();
        t.untracked = true;
        next.add(t);
      }
    } else if (a instanceof Action.Continue c) {
      boxes.forEach(b -> next.add(b.step(new TraceStep("MATCH", table, name, depth, c.name() + " (continues)", src))));
    } else if (a instanceof Action.None) {
      next.addAll(boxes);
    } else if (a instanceof Action.Unsupported u) {
      boxes.forEach(b -> {
        Box t = b.copy();
        t.taints = t.taints.prepend(new Reason("target " + u.name() + " is not modelled", src));
        terminal(t.step(new TraceStep("MATCH", table, name, depth, u.name() + " (not modelled)", src)), Verdict.UNKNOWN, null, src);
      });
    } else {
      throw new IllegalStateException("unhandled action " + a);
    }
  }

  private Box rewrite(Box b, Ip address, int port, SourceRef src, String table, String chain, int depth, boolean redirect) {
    Box t = b.copy();
    if (t.preNatDst == null) {
      t.preNatDst = b.dstLo;
    }
    Ip newDst = address != null ? address : b.dstLo;
    if (address != null) {
      t.dstLo = address;
      t.dstHi = address;
      t.dstMask = null;
      t.dstLink = Box.Link.NONE;
      t.dstChoices = null;
    } else if (redirect && ownAddresses.length == 1) {
      newDst = ownAddresses[0];
      t.dstLo = t.dstHi = newDst;
      t.dstMask = null;
      t.dstLink = Box.Link.NONE;
    } else if (redirect && ownAddresses.length > 1) {
      // Which of the interface's addresses the kernel picks is not in the inputs.
      newDst = null;
      t.dstLo = t.dstHi = ownAddresses[0];
      t.dstMask = null;
      t.dstChoices = ownAddresses;
      t.dstLink = Box.Link.NONE;
    }
    if (port >= 0) {
      t.dpLo = port;
      t.dpHi = port;
      t.dpLink = Box.Link.NONE;
    }
    t.dnatted = true;
    t.rewrite = new Box.Rewrite(newDst, port >= 0 ? port : -1, src);
    t.acceptedBy = src;
    t.acceptedByPolicy = false;
    String to = (address != null ? (family == Family.IPV6 ? "[" + address + "]" : address.toString())
        : newDst != null && redirect ? newDst + " (this host)" : "an address of the incoming interface") + (port >= 0 ? ":" + port : "");
    return t.step(new TraceStep("REWRITE", table, chain, depth, "destination rewritten to " + to, src));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Splitting boxes on conditions

  /** Puts the parts of {@code b} whose source (or destination) is in {@code set} into {@code in}, the rest into {@code out}. */
  private static void splitAddress(Box b, boolean destination, IpSet set, List<Box> in, List<Box> out) {
    addressMatch(b.family, destination, set, false).split(b, in, out);
  }

  /** The compiled form of an address condition: the set's ranges of one family as sorted arrays. */
  private static AddrM addressMatch(Family family, boolean dst, IpSet set, boolean neg) {
    IpSet own = set.only(family);
    List<IpRange> rs = own.ranges();
    Ip[] los = new Ip[rs.size()];
    Ip[] his = new Ip[rs.size()];
    for (int i = 0; i < los.length; i++) {
      los[i] = rs.get(i).first();
      his[i] = rs.get(i).last();
    }
    return new AddrM(dst, los, his, neg, own, family);
  }

  /** A compiled condition. {@link #split} divides a box into the part that matches and the part that doesn't. */
  private interface CMatch {
    void split(Box b, List<Box> in, List<Box> out);

    /**
     * Like {@link #split}, but a box this condition cannot decide goes to {@code maybe}. Only conditions whose
     * decidability depends on the box override it.
     */
    default void split(Box b, List<Box> in, List<Box> out, List<Box> maybe) {
      split(b, in, out);
    }

    /** Why this condition cannot decide {@code b}, or null when it can. */
    default String undecided(Box b) {
      return null;
    }

    /**
     * False when no packet of the box can satisfy the condition: the whole rule then misses the box, which
     * stays in one piece instead of being cut by the other conditions.
     */
    default boolean mayMatch(Box b) {
      return true;
    }

    /** Sort key: conditions that never cut a box go first, address cuts last. */
    default int cost() {
      return 2;
    }
  }

  /** TTL / hop limit: decided when the box knows it, else undecidable for that box. */
  private record HopLimitM(Match.HopLimit m) implements CMatch {
    @Override
    public void split(Box b, List<Box> in, List<Box> out) {
      throw new IllegalStateException("hop limit needs the three-way split");
    }

    @Override
    public void split(Box b, List<Box> in, List<Box> out, List<Box> maybe) {
      if (b.hopLimit < 0) {
        maybe.add(b);
        return;
      }
      boolean v = switch (m.op()) {
        case "lt" -> b.hopLimit < m.value();
        case "gt" -> b.hopLimit > m.value();
        default -> b.hopLimit == m.value();
      };
      (v != m.negated() ? in : out).add(b);
    }

    @Override
    public String undecided(Box b) {
      return b.hopLimit < 0 ? "TTL/hop limit " + (m.negated() ? "! " : "") + m.op() + " " + m.value() + " (set by the sender)" : null;
    }
  }

  private static final class AddrM implements CMatch {
    /** Beyond this many pieces, a box keeps its addresses as one set rather than splitting into ranges. */
    private static final int MAX_PIECES = 16;
    final boolean dst;
    final Ip[] los;
    final Ip[] his;
    final boolean neg;
    final IpSet set;
    final Family family;
    /** The family's addresses outside {@link #set}, made on first use: slicing it is how a box leaves a big set cheaply. */
    private IpSet outside;

    AddrM(boolean dst, Ip[] los, Ip[] his, boolean neg, IpSet set, Family family) {
      this.dst = dst;
      this.los = los;
      this.his = his;
      this.neg = neg;
      this.set = set;
      this.family = family;
    }

    @Override
    public void split(Box b, List<Box> in, List<Box> out, List<Box> maybe) {
      if (!dst || b.dstChoices == null) {
        split(b, in, out);
        return;
      }
      int hits = 0;
      for (Ip c : b.dstChoices) {
        int a = firstEndingAtOrAfter(c);
        if (a < los.length && los[a].compareTo(c) <= 0) {
          hits++;
        }
      }
      if (hits == 0) {
        (neg ? in : out).add(b);
      } else if (hits == b.dstChoices.length) {
        (neg ? out : in).add(b);
      } else if (maybe != null) {
        maybe.add(b);
      } else {
        out.add(b);
      }
    }

    @Override
    public String undecided(Box b) {
      return dst && b.dstChoices != null
          ? "the destination address after REDIRECT (the kernel picks one of the interface's addresses; the exports do not say which)" : null;
    }

    @Override
    public void split(Box b, List<Box> in, List<Box> out) {
      Ip lo = dst ? b.dstLo : b.srcLo;
      Ip hi = dst ? b.dstHi : b.srcHi;
      List<Box> yes = neg ? out : in;
      List<Box> no = neg ? in : out;
      int a = firstEndingAtOrAfter(lo);
      if (a == los.length || los[a].compareTo(hi) > 0) {
        no.add(b);
        return;
      }
      if (los[a].compareTo(lo) <= 0 && his[a].compareTo(hi) >= 0) {
        yes.add(b);
        return;
      }
      IpSet mask = dst ? b.dstMask : b.srcMask;
      if (mask != null || manyPieces(a, hi)) {
        splitSet(b, mask != null ? mask : (dst ? b.dstSet() : b.srcSet()), yes, no);
        return;
      }
      Object division = new Object();
      int piece = 0;
      Ip cur = lo;
      for (int i = a; i < los.length && cur != null && cur.compareTo(hi) <= 0; i++) {
        if (los[i].compareTo(hi) > 0) {
          break;
        }
        if (los[i].compareTo(cur) > 0) {
          no.add(with(b, cur, los[i].previous()).cutAs(division, piece++, dst));
          cur = los[i];
        }
        Ip end = his[i].compareTo(hi) < 0 ? his[i] : hi;
        yes.add(with(b, cur, end).cutAs(division, piece++, dst));
        cur = end.next();
      }
      if (cur != null && cur.compareTo(hi) <= 0) {
        no.add(with(b, cur, hi).cutAs(division, piece, dst));
      }
    }

    private Box with(Box b, Ip lo, Ip hi) {
      return dst ? b.withDst(lo, hi) : b.withSrc(lo, hi);
    }

    private boolean manyPieces(int a, Ip hi) {
      int z = Math.min(los.length, a + MAX_PIECES);
      return z - a == MAX_PIECES && los[z - 1].compareTo(hi) <= 0;
    }

    private void splitSet(Box b, IpSet have, List<Box> yes, List<Box> no) {
      IpSet inside = have.intersect(set);
      IpSet rest;
      if (los.length <= MAX_PIECES) {
        rest = have.minus(set);
      } else {
        if (outside == null) {
          outside = IpSet.all(family).minus(set);
        }
        rest = have.intersect(outside);
      }
      Object division = new Object();
      if (!inside.isEmpty()) {
        yes.add((dst ? b.withDst(inside) : b.withSrc(inside)).cutAs(division, 0, dst));
      }
      if (!rest.isEmpty()) {
        no.add((dst ? b.withDst(rest) : b.withSrc(rest)).cutAs(division, 1, dst));
      }
    }

    @Override
    public boolean mayMatch(Box b) {
      if (dst && b.dstChoices != null) {
        return true;
      }
      Ip lo = dst ? b.dstLo : b.srcLo;
      Ip hi = dst ? b.dstHi : b.srcHi;
      int a = firstEndingAtOrAfter(lo);
      boolean overlaps = a < los.length && los[a].compareTo(hi) <= 0;
      if (!neg) {
        return overlaps;
      }
      // Negated: impossible only when one interval covers the whole box.
      return !(overlaps && los[a].compareTo(lo) <= 0 && his[a].compareTo(hi) >= 0);
    }

    private int firstEndingAtOrAfter(Ip lo) {
      int a = 0;
      int z = los.length;
      while (a < z) {
        int m = (a + z) >>> 1;
        if (his[m].compareTo(lo) < 0) {
          a = m + 1;
        } else {
          z = m;
        }
      }
      return a;
    }

    @Override
    public int cost() {
      return 3;
    }
  }

  private static final class PortM implements CMatch {
    final boolean dst;
    final int[] los;
    final int[] his;
    final boolean neg;

    PortM(boolean dst, PortSet set, boolean neg) {
      this.dst = dst;
      List<int[]> iv = set.intervals();
      this.los = new int[iv.size()];
      this.his = new int[iv.size()];
      for (int i = 0; i < los.length; i++) {
        los[i] = iv.get(i)[0];
        his[i] = iv.get(i)[1];
      }
      this.neg = neg;
    }

    @Override
    public void split(Box b, List<Box> in, List<Box> out) {
      if (!Protocols.hasPorts(b.proto)) {
        // No ports to compare: the condition is false whichever way it is written.
        out.add(b);
        return;
      }
      int lo = dst ? b.dpLo : b.spLo;
      int hi = dst ? b.dpHi : b.spHi;
      List<Box> yes = neg ? out : in;
      List<Box> no = neg ? in : out;
      int cur = lo;
      for (int i = 0; i < los.length && cur <= hi; i++) {
        if (his[i] < cur) {
          continue;
        }
        if (los[i] > hi) {
          break;
        }
        if (los[i] > cur) {
          no.add(with(b, cur, los[i] - 1));
          cur = los[i];
        }
        int end = Math.min(his[i], hi);
        yes.add(cur == lo && end == hi ? b : with(b, cur, end));
        cur = end + 1;
      }
      if (cur <= hi) {
        no.add(cur == lo ? b : with(b, cur, hi));
      }
    }

    private Box with(Box b, int lo, int hi) {
      return dst ? b.withDport(lo, hi) : b.withSport(lo, hi);
    }

    @Override
    public boolean mayMatch(Box b) {
      if (!Protocols.hasPorts(b.proto)) {
        return false;
      }
      int lo = dst ? b.dpLo : b.spLo;
      int hi = dst ? b.dpHi : b.spHi;
      for (int i = 0; i < los.length; i++) {
        if (los[i] > hi) {
          break;
        }
        if (his[i] >= lo) {
          return !neg || !(los[i] <= lo && his[i] >= hi);
        }
      }
      return neg;
    }
  }

  /** multiport --ports: destination or source port in the set. */
  private static final class EitherPortM implements CMatch {
    final PortM dport;
    final PortM sport;
    final boolean neg;

    EitherPortM(PortSet set, boolean neg) {
      this.dport = new PortM(true, set, false);
      this.sport = new PortM(false, set, false);
      this.neg = neg;
    }

    @Override
    public void split(Box b, List<Box> in, List<Box> out) {
      List<Box> yes = neg ? out : in;
      List<Box> no = neg ? in : out;
      if (!Protocols.hasPorts(b.proto)) {
        out.add(b);
        return;
      }
      List<Box> notD = new ArrayList<>();
      dport.split(b, yes, notD);
      for (Box n : notD) {
        sport.split(n, yes, no);
      }
    }
  }

  private static final class IfaceM implements CMatch {
    final boolean inbound;
    final long mask;
    final boolean neg;

    IfaceM(boolean inbound, long mask, boolean neg) {
      this.inbound = inbound;
      this.mask = neg ? ~mask : mask;
      this.neg = neg;
    }

    @Override
    public void split(Box b, List<Box> in, List<Box> out) {
      long have = inbound ? b.iif : b.oif;
      long none = have & 1L;
      // No interface at all (class 0) never matches, negated or not.
      long yes = have & mask & ~1L;
      long no = (have & ~mask) | none;
      if (yes == 0) {
        out.add(b);
      } else if (no == 0) {
        in.add(b);
      } else {
        in.add(inbound ? b.withIif(yes) : b.withOif(yes));
        out.add(inbound ? b.withIif(no) : b.withOif(no));
      }
    }

    @Override
    public boolean mayMatch(Box b) {
      return ((inbound ? b.iif : b.oif) & mask & ~1L) != 0;
    }

    @Override
    public int cost() {
      return 1;
    }
  }

  /** A disjunction of conjunctions: the union of what the alternatives match. */
  private static final class AnyOfM implements CMatch {
    final CMatch[][] alternatives;
    final boolean neg;

    AnyOfM(CMatch[][] alternatives, boolean neg) {
      this.alternatives = alternatives;
      this.neg = neg;
    }

    @Override
    public void split(Box b, List<Box> in, List<Box> out) {
      split(b, in, out, null);
    }

    @Override
    public void split(Box b, List<Box> in, List<Box> out, List<Box> maybe) {
      List<Box> yes = neg ? out : in;
      List<Box> no = neg ? in : out;
      List<Box> rest = List.of(b);
      for (CMatch[] alt : alternatives) {
        List<Box> missed = new ArrayList<>();
        for (Box r : rest) {
          List<Box> cur = List.of(r);
          for (CMatch m : alt) {
            List<Box> hit = new ArrayList<>(2);
            for (Box c : cur) {
              if (maybe != null) {
                m.split(c, hit, missed, maybe);
              } else {
                m.split(c, hit, missed);
              }
            }
            cur = hit;
          }
          yes.addAll(cur);
        }
        rest = missed;
        if (rest.isEmpty()) {
          return;
        }
      }
      no.addAll(rest);
    }

    @Override
    public int cost() {
      return 4;
    }
  }

  /** A condition on a field every packet of a box shares. */
  private interface Test {
    boolean test(Box b);
  }

  private record ConstM(Test test) implements CMatch {
    @Override
    public void split(Box b, List<Box> in, List<Box> out) {
      (test.test(b) ? in : out).add(b);
    }

    @Override
    public boolean mayMatch(Box b) {
      return test.test(b);
    }

    @Override
    public int cost() {
      return 0;
    }
  }

  private static CMatch constant(boolean negated, Test t) {
    return new ConstM(negated ? b -> !t.test(b) : t);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Compilation

  private static final class CChain {
    final Chain chain;
    final String file;
    final List<CRule> rules;
    final RuleIndex index;

    CChain(Chain chain, String file, List<CRule> rules) {
      this.chain = chain;
      this.file = file;
      this.rules = rules;
      this.index = new RuleIndex(rules);
    }
  }

  /**
   * Which rules of a chain a box may meet: rules that need one of a few destination ports are filed under those
   * ports, rules that need one of a few source ranges under those ranges, the rest are met by every box.
   */
  private static final class RuleIndex {
    /** A rule spanning more elementary intervals than this is met by every box instead of being filed. */
    private static final int SPREAD = 64;
    /** A box spanning more elementary intervals than this meets every filed rule. */
    private static final int WIDE = 4;
    private final int[] always;
    private final int[] portBounds;
    private final int[][] portRules;
    private final int[] portAll;
    private final Ip[] srcBounds;
    private final int[][] srcRules;
    private final int[] srcAll;

    RuleIndex(List<CRule> rules) {
      List<int[]> portSpans = new ArrayList<>();
      List<Ip[]> srcSpans = new ArrayList<>();
      int[] kind = new int[rules.size()];
      PortM[] byPm = new PortM[rules.size()];
      AddrM[] byAm = new AddrM[rules.size()];
      for (int i = 0; i < rules.size(); i++) {
        CRule r = rules.get(i);
        PortM pm = null;
        AddrM am = null;
        for (CMatch m : r.matches) {
          if (pm == null && m instanceof PortM p && p.dst && !p.neg && p.los.length <= 8) {
            pm = p;
          } else if (am == null && m instanceof AddrM a && !a.dst && !a.neg && a.los.length <= 8) {
            am = a;
          }
        }
        byPm[i] = pm;
        byAm[i] = am;
        if (pm != null) {
          kind[i] = 1;
          for (int k = 0; k < pm.los.length; k++) {
            portSpans.add(new int[] {pm.los[k], pm.his[k] + 1});
          }
        } else if (am != null) {
          kind[i] = 2;
          for (int k = 0; k < am.los.length; k++) {
            srcSpans.add(new Ip[] {am.los[k], am.his[k].next()});
          }
        }
      }
      portBounds = portSpans.stream().flatMapToInt(Arrays::stream).distinct().sorted().toArray();
      srcBounds = srcSpans.stream().flatMap(Arrays::stream).filter(Objects::nonNull).distinct().sorted().toArray(Ip[]::new);
      List<List<Integer>> byPort = new ArrayList<>();
      for (int e = 0; e < portBounds.length; e++) {
        byPort.add(new ArrayList<>());
      }
      List<List<Integer>> bySrc = new ArrayList<>();
      for (int e = 0; e < srcBounds.length; e++) {
        bySrc.add(new ArrayList<>());
      }
      List<Integer> all = new ArrayList<>();
      List<Integer> ports = new ArrayList<>();
      List<Integer> srcs = new ArrayList<>();
      for (int i = 0; i < rules.size(); i++) {
        List<int[]> spans = new ArrayList<>();
        if (kind[i] == 1) {
          PortM p = byPm[i];
          for (int k = 0; k < p.los.length; k++) {
            spans.add(new int[] {Arrays.binarySearch(portBounds, p.los[k]), Arrays.binarySearch(portBounds, p.his[k] + 1)});
          }
        } else if (kind[i] == 2) {
          AddrM a = byAm[i];
          for (int k = 0; k < a.los.length; k++) {
            Ip after = a.his[k].next();
            spans.add(new int[] {Arrays.binarySearch(srcBounds, a.los[k]),
                after == null ? srcBounds.length : Arrays.binarySearch(srcBounds, after)});
          }
        }
        int width = spans.stream().mapToInt(sp -> sp[1] - sp[0]).sum();
        if (kind[i] == 0 || width > SPREAD) {
          all.add(i);
          continue;
        }
        List<List<Integer>> into = kind[i] == 1 ? byPort : bySrc;
        for (int[] sp : spans) {
          for (int e = sp[0]; e < sp[1]; e++) {
            into.get(e).add(i);
          }
        }
        (kind[i] == 1 ? ports : srcs).add(i);
      }
      always = ints(all);
      portAll = ints(ports);
      srcAll = ints(srcs);
      portRules = byPort.stream().map(RuleIndex::ints).toArray(int[][]::new);
      srcRules = bySrc.stream().map(RuleIndex::ints).toArray(int[][]::new);
    }

    private static int[] ints(List<Integer> l) {
      return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The index of the first rule at or after {@code from} that box {@code b} may meet, or -1. */
    int next(Box b, int from) {
      int best = nextIn(always, from);
      if (portAll.length > 0 && Protocols.hasPorts(b.proto)) {
        int e0 = floor(portBounds, b.dpLo);
        int e1 = Math.min(floor(portBounds, b.dpHi), portBounds.length - 2);
        if (e1 - e0 > WIDE) {
          best = Math.min(best, nextIn(portAll, from));
        } else {
          for (int e = Math.max(e0, 0); e <= e1; e++) {
            best = Math.min(best, nextIn(portRules[e], from));
          }
        }
      }
      if (srcAll.length > 0) {
        int e0 = floor(srcBounds, b.srcLo);
        int e1 = floor(srcBounds, b.srcHi);
        if (e1 - e0 > WIDE) {
          best = Math.min(best, nextIn(srcAll, from));
        } else {
          for (int e = Math.max(e0, 0); e <= e1; e++) {
            best = Math.min(best, nextIn(srcRules[e], from));
          }
        }
      }
      return best == Integer.MAX_VALUE ? -1 : best;
    }

    /** The last elementary interval starting at or before {@code v}, or -1. */
    private static int floor(int[] bounds, int v) {
      int i = Arrays.binarySearch(bounds, v);
      return i >= 0 ? i : -i - 2;
    }

    private static int floor(Ip[] bounds, Ip v) {
      int i = Arrays.binarySearch(bounds, v);
      return i >= 0 ? i : -i - 2;
    }

    private static int nextIn(int[] sorted, int from) {
      int i = Arrays.binarySearch(sorted, from);
      int k = i >= 0 ? i : -i - 1;
      return k < sorted.length ? sorted[k] : Integer.MAX_VALUE;
    }
  }

  private record CBase(BaseChain base, CChain chain) {}

  private static final class CRule {
    final Rule rule;
    final CMatch[] matches;
    /** The text of the first undecidable condition, or null when the rule can be decided. */
    final String undecidable;
    final String table;
    final String chainName;
    /** Jumps to a chain that changes nothing: an undecidable condition on it cannot matter. */
    boolean harmless;
    /** The chain a jump or goto leads to, resolved once after compilation. */
    CChain target;

    CRule(Rule rule, CMatch[] matches, String undecidable, String table, String chainName) {
      this.rule = rule;
      this.matches = matches;
      this.undecidable = undecidable;
      this.table = table;
      this.chainName = chainName;
    }

    /**
     * Divides a box into the parts every condition holds for ({@code matched}), the parts some condition fails
     * for ({@code unmatched}), and the parts a condition cannot decide ({@code maybe}).
     */
    void split(Box b, List<Box> matched, List<Box> unmatched, List<Box> maybe) {
      for (CMatch m : matches) {
        if (!m.mayMatch(b)) {
          unmatched.add(b);
          return;
        }
      }
      if (matches.length == 1 && undecidable == null) {
        matches[0].split(b, matched, unmatched, maybe);
        return;
      }
      List<Box> cur = List.of(b);
      List<Box> curMaybe = List.of();
      for (CMatch m : matches) {
        List<Box> in = new ArrayList<>(2);
        List<Box> mb = new ArrayList<>(0);
        for (Box c : cur) {
          m.split(c, in, unmatched, mb);
        }
        for (Box c : curMaybe) {
          m.split(c, mb, unmatched, mb);
        }
        cur = in;
        curMaybe = mb;
        if (cur.isEmpty() && curMaybe.isEmpty()) {
          return;
        }
      }
      if (undecidable != null) {
        maybe.addAll(cur);
      } else {
        matched.addAll(cur);
      }
      maybe.addAll(curMaybe);
    }

    /** Why a box of {@code maybe} could not be decided. */
    String maybeReason(Box b) {
      List<String> parts = new ArrayList<>();
      if (undecidable != null) {
        parts.add(undecidable);
      }
      for (CMatch m : matches) {
        String why = m.undecided(b);
        if (why != null) {
          parts.add(why);
        }
      }
      return String.join(", ", parts);
    }
  }

  private CChain compile(Ruleset rs, Chain c, AddressTypes types) {
    List<CRule> rules = new ArrayList<>(c.rules().size());
    for (Rule r : c.rules()) {
      List<CMatch> ms = new ArrayList<>(r.matches().size());
      String undecidable = null;
      for (Match m : r.matches()) {
        if (m instanceof Match.Undecidable u) {
          undecidable = undecidable == null ? u.construct() : undecidable + ", " + u.construct();
          continue;
        }
        if (m instanceof Match.InstanceHas ih && !cloud.attributes().containsKey(ih.attribute())) {
          String text = ih.attribute() + "s " + String.join(",", ih.values()) + " (the instance's are not declared)";
          undecidable = undecidable == null ? text : undecidable + ", " + text;
          continue;
        }
        if (m instanceof Match.NamedAddresses na && cloud.addresses(na.name()) == null) {
          String text = "service tag " + na.name();
          undecidable = undecidable == null ? text : undecidable + ", " + text;
          continue;
        }
        if (m instanceof Match.AddressType at && !types.decidable(at.types())) {
          String text = "-m addrtype " + (at.side() == Match.Side.SOURCE ? "--src-type " : "--dst-type ") + at.types()
              + " (depends on the host's routing table)";
          undecidable = undecidable == null ? text : undecidable + ", " + text;
          continue;
        }
        ms.add(compile(m, types));
      }
      // A conjunction can be tested in any order; cheap, uncutting tests first keeps boxes whole.
      ms.sort(Comparator.comparingInt(CMatch::cost));
      rules.add(new CRule(r, ms.toArray(new CMatch[0]), undecidable, c.table(), c.name()));
    }
    return new CChain(c, rs.source().file(), rules);
  }

  private CMatch compile(Match m, AddressTypes types) {
    if (m instanceof Match.Address a) {
      return addr(a.side() == Match.Side.DESTINATION, a.addresses(), a.negated());
    } else if (m instanceof Match.Port p) {
      return new PortM(p.side() == Match.Side.DESTINATION, p.ports(), p.negated());
    } else if (m instanceof Match.EitherPort p) {
      return new EitherPortM(p.ports(), p.negated());
    } else if (m instanceof Match.Protocol p) {
      return p.protocols().isEmpty()
          ? constant(p.negated(), b -> true)
          : constant(p.negated(), b -> p.protocols().contains(b.proto));
    } else if (m instanceof Match.Interface i) {
      return new IfaceM(i.inbound(), ifaces.matching(i.patterns()), i.negated());
    } else if (m instanceof Match.ConnState s) {
      return constant(s.negated(), b -> s.states().contains(b.visibleState())
          || (b.dnatted && b.ct != null && s.states().contains(CtState.DNAT)));
    } else if (m instanceof Match.ConnDirection d) {
      return constant(d.negated(), b -> b.ct != null && b.originalDirection == d.original());
    } else if (m instanceof Match.Mark mk) {
      return constant(mk.negated(), b -> ((mk.conntrack() ? b.ctmark : b.mark) & mk.mask()) == mk.value());
    } else if (m instanceof Match.AddressType at) {
      return addr(at.side() == Match.Side.DESTINATION, types.of(at.types()), at.negated());
    } else if (m instanceof Match.TcpFlags f) {
      return new ConstM(b -> b.proto == Protocols.TCP && (((b.tcpFlags & f.mask()) == f.set()) != f.negated()));
    } else if (m instanceof Match.IcmpType t) {
      return new ConstM(b -> (b.proto == Protocols.ICMP || b.proto == Protocols.ICMPV6)
          && ((t.type() < 0 || (b.icmpType == t.type() && b.icmpCode >= t.codeMin() && b.icmpCode <= t.codeMax())) != t.negated()));
    } else if (m instanceof Match.Fragment f) {
      return constant(f.negated(), b -> false);
    } else if (m instanceof Match.AnyOf any) {
      CMatch[][] alts = new CMatch[any.alternatives().size()][];
      for (int i = 0; i < alts.length; i++) {
        List<Match> alt = any.alternatives().get(i);
        alts[i] = new CMatch[alt.size()];
        for (int j = 0; j < alt.size(); j++) {
          alts[i][j] = compile(alt.get(j), types);
        }
      }
      return new AnyOfM(alts, any.negated());
    } else if (m instanceof Match.HopLimit h) {
      return new HopLimitM(h);
    } else if (m instanceof Match.Constant c) {
      return constant(false, b -> c.value());
    } else if (m instanceof Match.InstanceHas ih) {
      boolean has = ih.values().stream().anyMatch(cloud.attributes().getOrDefault(ih.attribute(), Set.of())::contains);
      return constant(ih.negated(), b -> has);
    } else if (m instanceof Match.NamedAddresses na && cloud.addresses(na.name()) != null) {
      return addr(na.side() == Match.Side.DESTINATION, cloud.addresses(na.name()), na.negated());
    }
    throw new IllegalStateException("no compiled form for " + m);
  }

  private CMatch addr(boolean dst, IpSet set, boolean neg) {
    return addressMatch(family, dst, set, neg);
  }


  /**
   * Finds chains that change nothing (only logging, counting, returning, or calling such chains) and marks the
   * jumps to them, so ufw's rate-limited logging chains do not fork the analysis.
   */
  private void markHarmlessJumps() {
    Set<CChain> effectFree = Collections.newSetFromMap(new IdentityHashMap<>());
    boolean changed = true;
    while (changed) {
      changed = false;
      for (CChain c : chains.values()) {
        if (effectFree.contains(c)) {
          continue;
        }
        boolean free = true;
        for (CRule r : c.rules) {
          Action a = r.rule.action();
          boolean ok = a instanceof Action.Continue || a instanceof Action.None || a instanceof Action.Return
              || (r.target != null && effectFree.contains(r.target));
          if (!ok) {
            free = false;
            break;
          }
        }
        if (free) {
          effectFree.add(c);
          changed = true;
        }
      }
    }
    for (CChain c : chains.values()) {
      for (CRule r : c.rules) {
        r.harmless = r.rule.action() instanceof Action.Jump && effectFree.contains(r.target);
      }
    }
  }

  private boolean readsTcpFlags(CChain c, Set<CChain> seen) {
    if (!seen.add(c)) {
      return false;
    }
    for (CRule r : c.rules) {
      for (Match m : r.rule.matches()) {
        if (m instanceof Match.TcpFlags) {
          return true;
        }
      }
      if (r.target != null && readsTcpFlags(r.target, seen)) {
        return true;
      }
    }
    return false;
  }

  /** The address sets behind {@code -m addrtype}, as far as they follow from addresses alone. */
  private static final class AddressTypes {
    private static final Set<AddrType> DECIDABLE = EnumSet.of(AddrType.UNSPEC, AddrType.UNICAST, AddrType.LOCAL, AddrType.BROADCAST, AddrType.MULTICAST);
    private final Map<AddrType, IpSet> sets = new EnumMap<>(AddrType.class);

    AddressTypes(Family family, IpSet local) {
      IpSet localF = local.only(family);
      IpSet multicast = family == Family.IPV4 ? cidr("224.0.0.0", 4) : cidr("ff00::", 8);
      // The kernel types 0.0.0.0/8 and 255.255.255.255 as BROADCAST for IPv4; IPv6 has no broadcast.
      IpSet broadcast = family == Family.IPV4 ? cidr("0.0.0.0", 8).union(cidr("255.255.255.255", 32)) : IpSet.EMPTY;
      IpSet unspec = family == Family.IPV6 ? cidr("::", 128) : IpSet.EMPTY;
      sets.put(AddrType.LOCAL, localF);
      sets.put(AddrType.MULTICAST, multicast);
      sets.put(AddrType.BROADCAST, broadcast);
      sets.put(AddrType.UNSPEC, unspec);
      sets.put(AddrType.UNICAST, IpSet.all(family).minus(localF).minus(multicast).minus(broadcast).minus(unspec));
    }

    private static IpSet cidr(String a, int p) {
      return IpSet.of(IpRange.prefix(Ip.parse(a), p));
    }

    boolean decidable(Set<AddrType> types) {
      return DECIDABLE.containsAll(types);
    }

    IpSet of(Set<AddrType> types) {
      IpSet s = IpSet.EMPTY;
      for (AddrType t : types) {
        s = s.union(sets.get(t));
      }
      return s;
    }
  }
}
