package io.portproof.model.fw;

import io.portproof.model.Ip;
import java.util.Objects;

/** What a rule does to the packets it matches. */
public sealed interface Action {
  /** Ends the current base chain's traversal with acceptance; later base chains still run. */
  record Accept() implements Action {}

  /** Final: the packet is discarded silently. */
  record Drop() implements Action {}

  /**
   * Final: the packet is discarded and an error is sent back.
   *
   * @param with the iptables {@code --reject-with} name, e.g. {@code tcp-reset}, {@code icmp-port-unreachable}
   */
  record Reject(String with) implements Action {
    public Reject {
      Objects.requireNonNull(with);
    }
  }

  /** Back to the calling chain (or the base chain's policy). */
  record Return() implements Action {}

  /** Call {@code chain}; a RETURN from it continues after this rule. */
  record Jump(String chain) implements Action {}

  /** Continue in {@code chain}; a RETURN from it returns to this chain's caller. */
  record Goto(String chain) implements Action {}

  /**
   * Destination NAT: rewrites the destination address and/or port (null / -1 keep them). Ends the nat chain.
   */
  record Dnat(Ip address, int port) implements Action {}

  /** REDIRECT: to the host itself, on {@code port} (-1 keeps the port). Ends the nat chain. */
  record Redirect(int port) implements Action {}

  /** Mark arithmetic as the kernel does it: {@code mark = (mark & ~mask) ^ value}. */
  record SetMark(boolean conntrack, long value, long mask) implements Action {}

  /**
   * CONNMARK --save-mark (toConntrack) or --restore-mark: {@code dst = (dst & ~dstMask) ^ (src & srcMask)}.
   */
  record CopyMark(boolean toConntrack, long nfmask, long ctmask) implements Action {}

  /** The packet is exempted from connection tracking (state UNTRACKED, no NAT). */
  record NoTrack() implements Action {}

  /** A target with no effect on the verdict (LOG, NFLOG, counters, TOS…); traversal continues. */
  record Continue(String name) implements Action {}

  /** Does nothing at all: a rule without a target only counts packets. */
  record None() implements Action {}

  /** A target the analyzer does not model; the packets reaching it become UNKNOWN. */
  record Unsupported(String name) implements Action {}
}
