package io.portproof.analysis;

import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.CtState;

/**
 * A set of packets that take the same way through the rules: a box in (source, destination, source port,
 * destination port, interfaces) space plus the concrete state every packet of it shares (marks, conntrack
 * state, rewrites). Splitting a box on a rule's conditions is how the analyzer covers whole address spaces at a
 * cost that grows with the rules, not the space.
 *
 * <p>The {@code client*} and {@code port*} fields remember, for reporting, which part of the original inbound
 * connection the box stands for: a reply or a NAT rewrite changes the packet fields but not whose connection it
 * is. Boxes are never modified after they are handed on; {@link #copy()} makes the next one.
 *
 * <p>An address dimension is a range, or — after a condition with many ranges (a blocklist) cut it — a set: the
 * {@code *Mask} field then holds the exact addresses and the range is its hull. Cutting such a set into
 * thousands of boxes would make the work grow with the set; a mask keeps it one box.
 */
final class Box implements Cloneable {
  Family family;
  Ip srcLo;
  Ip srcHi;
  Ip dstLo;
  Ip dstHi;
  /** The exact source (destination) addresses when they are not the whole range srcLo..srcHi, else null. */
  IpSet srcMask;
  IpSet dstMask;
  int spLo;
  int spHi;
  int dpLo;
  int dpHi;
  long iif;
  long oif;
  int proto;
  int tcpFlags;
  /** IPv4 TTL / IPv6 hop limit when known (neighbour discovery: 255), else -1. */
  int hopLimit = -1;
  int icmpType = -1;
  int icmpCode = -1;
  long mark;
  long ctmark;
  /** The state conntrack will give (or gave) the packet. */
  CtState ctPending = CtState.NEW;
  /** Null until the packet passes the conntrack hook: rules before it see no entry (INVALID). */
  CtState ct;
  boolean untracked;
  boolean dnatted;
  boolean originalDirection = true;

  // Which packet fields still speak for the reported coordinates; a rewrite or a reply cuts or moves the link.
  Link srcLink = Link.CLIENT;
  Link dstLink = Link.NONE;
  Link spLink = Link.CLIENT_PORT;
  Link dpLink = Link.PORT;
  boolean iifLink = true;
  boolean oifLink;

  // Reported coordinates: the client's address, the destination port it asked for, its source port, interfaces.
  Ip clientLo;
  Ip clientHi;
  IpSet clientMask;
  int portLo;
  int portHi;
  int cportLo;
  int cportHi;
  long clientIif;

  /**
   * After a REDIRECT on a host with several addresses of the family: the addresses the kernel may have picked
   * (IPv4 takes the interface's primary address, IPv6 the newest; neither is in the exports), else null.
   */
  Ip[] dstChoices;
  /** On a reply: the inbound box it answers, to build the handshake's final ACK from. */
  Box inbound;
  /** The destination before the first NAT rewrite, which the reply's source becomes again after SNAT-back. */
  Ip preNatDst;
  /** Where a DNAT/REDIRECT sent the connection, or null. */
  Rewrite rewrite;
  /** The last cut of the client's addresses this box came from: tells sibling boxes apart without comparing sets. */
  Cut cut;
  /** The constructs the analysis could not decide on the way here; empty for a definite path. */
  PList<Reason> taints = PList.empty();
  PList<TraceStep> trace;
  int forks;
  /** The last rule or policy that accepted the packet in the hook it is passing. */
  SourceRef acceptedBy;
  /** Whether {@link #acceptedBy} is a chain's policy rather than a rule. */
  boolean acceptedByPolicy;
  /** On a reply: the inbound rule that decided the connection attempt; on a forwarded packet, the FORWARD decision. */
  SourceRef inboundBy;
  /** On a reply to a REJECT: its --reject-with kind; null on a SYN-ACK or RST from the stack. */
  String rejectWith;

  enum Link {
    NONE,
    CLIENT,
    PORT,
    CLIENT_PORT
  }

  /**
   * One piece of one division of the client's addresses into disjoint pieces. Boxes whose lines of cuts part at
   * two pieces of the same division hold no client in common; other splits (interface, source port, an
   * undecidable condition) copy the client's addresses and add no cut.
   */
  record Cut(Object division, int piece, Cut parent, int depth) {
    /** False when the two boxes' client addresses are known to be disjoint. */
    static boolean mayOverlap(Cut a, Cut b) {
      Cut ca = null;
      Cut cb = null;
      while (a != b) {
        int da = a == null ? 0 : a.depth;
        int db = b == null ? 0 : b.depth;
        if (da >= db) {
          ca = a;
          a = a.parent;
        }
        if (db >= da) {
          cb = b;
          b = b.parent;
        }
      }
      return ca == null || cb == null || ca.division != cb.division || ca.piece == cb.piece;
    }
  }

  /** Marks this fresh box as piece {@code piece} of {@code division}, when the divided addresses are the client's. */
  Box cutAs(Object division, int piece, boolean destination) {
    if ((destination ? dstLink : srcLink) == Link.CLIENT) {
      cut = new Cut(division, piece, cut, cut == null ? 1 : cut.depth + 1);
    }
    return this;
  }

  /** Where a NAT rule sent the packet. */
  record Rewrite(Ip address, int port, SourceRef source) {}

  Box copy() {
    try {
      return (Box) clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }

  /** This box with its source narrowed to {@code lo..hi}, which must hold some of its addresses. */
  Box withSrc(Ip lo, Ip hi) {
    return srcMask == null ? withSrc(lo, hi, null) : withSrc(srcMask.slice(lo, hi));
  }

  /** This box with exactly the (non-empty) source addresses {@code set}. */
  Box withSrc(IpSet set) {
    return withSrc(set.lowest(), set.highest(), set.isRange() ? null : set);
  }

  private Box withSrc(Ip lo, Ip hi, IpSet mask) {
    Box b = copy();
    b.srcLo = lo;
    b.srcHi = hi;
    b.srcMask = mask;
    b.linkAddr(srcLink, lo, hi, mask);
    return b;
  }

  Box withDst(Ip lo, Ip hi) {
    return dstMask == null ? withDst(lo, hi, null) : withDst(dstMask.slice(lo, hi));
  }

  Box withDst(IpSet set) {
    return withDst(set.lowest(), set.highest(), set.isRange() ? null : set);
  }

  private Box withDst(Ip lo, Ip hi, IpSet mask) {
    Box b = copy();
    b.dstLo = lo;
    b.dstHi = hi;
    b.dstMask = mask;
    b.linkAddr(dstLink, lo, hi, mask);
    return b;
  }

  /** The source addresses as a set. */
  IpSet srcSet() {
    return srcMask != null ? srcMask : IpSet.of(new IpRange(srcLo, srcHi));
  }

  IpSet dstSet() {
    return dstMask != null ? dstMask : IpSet.of(new IpRange(dstLo, dstHi));
  }

  /** The clients this box speaks for, as a set. */
  IpSet clientSet() {
    return clientMask != null ? clientMask : IpSet.of(new IpRange(clientLo, clientHi));
  }

  Box withSport(int lo, int hi) {
    Box b = copy();
    b.spLo = lo;
    b.spHi = hi;
    b.linkPort(spLink, lo, hi);
    return b;
  }

  Box withDport(int lo, int hi) {
    Box b = copy();
    b.dpLo = lo;
    b.dpHi = hi;
    b.linkPort(dpLink, lo, hi);
    return b;
  }

  Box withIif(long mask) {
    Box b = copy();
    b.iif = mask;
    if (iifLink) {
      b.clientIif = mask;
    }
    return b;
  }

  Box withOif(long mask) {
    Box b = copy();
    b.oif = mask;
    if (oifLink) {
      b.clientIif = mask;
    }
    return b;
  }

  private void linkAddr(Link link, Ip lo, Ip hi, IpSet mask) {
    if (link == Link.CLIENT) {
      clientLo = lo;
      clientHi = hi;
      clientMask = mask;
    }
  }

  private void linkPort(Link link, int lo, int hi) {
    if (link == Link.PORT) {
      portLo = lo;
      portHi = hi;
    } else if (link == Link.CLIENT_PORT) {
      cportLo = lo;
      cportHi = hi;
    }
  }

  Box step(TraceStep s) {
    if (trace == null) {
      return this;
    }
    Box b = copy();
    b.trace = trace.prepend(s);
    return b;
  }

  /** The packet's conntrack state as a match sees it. */
  CtState visibleState() {
    return ct == null ? CtState.INVALID : ct;
  }
}
