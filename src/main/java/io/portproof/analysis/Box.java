package io.portproof.analysis;

import io.portproof.model.Family;
import io.portproof.model.Ip;
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
 */
final class Box implements Cloneable {
  Family family;
  Ip srcLo;
  Ip srcHi;
  Ip dstLo;
  Ip dstHi;
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
  /** The constructs the analysis could not decide on the way here; empty for a definite path. */
  PList<Reason> taints = PList.empty();
  PList<TraceStep> trace;
  int forks;
  /** The last rule or policy that accepted the packet in the hook it is passing. */
  SourceRef acceptedBy;
  /** On a reply: the inbound rule that decided the connection attempt. */
  SourceRef inboundBy;
  /** On a reply to a REJECT: its --reject-with kind; null on a SYN-ACK or RST from the stack. */
  String rejectWith;

  enum Link {
    NONE,
    CLIENT,
    PORT,
    CLIENT_PORT
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

  Box withSrc(Ip lo, Ip hi) {
    Box b = copy();
    b.srcLo = lo;
    b.srcHi = hi;
    b.linkAddr(srcLink, lo, hi);
    return b;
  }

  Box withDst(Ip lo, Ip hi) {
    Box b = copy();
    b.dstLo = lo;
    b.dstHi = hi;
    b.linkAddr(dstLink, lo, hi);
    return b;
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

  private void linkAddr(Link link, Ip lo, Ip hi) {
    if (link == Link.CLIENT) {
      clientLo = lo;
      clientHi = hi;
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
