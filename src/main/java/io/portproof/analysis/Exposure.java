package io.portproof.analysis;

import io.portproof.model.Ip;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Verdict;
import java.util.List;

/**
 * For one host address and protocol: per range of destination ports, exactly which client addresses meet
 * which verdict, and the rule that decided each piece.
 *
 * @param destination the host address
 * @param proto the IP protocol number
 * @param blocks port ranges with identical answers, ascending
 */
public record Exposure(Ip destination, int proto, List<Block> blocks) {
  public Exposure {
    blocks = List.copyOf(blocks);
  }

  /**
   * Ports that share one answer.
   *
   * @param ports the destination ports
   * @param pieces the client address sets and their verdicts; together they cover the whole address family
   */
  public record Block(PortSet ports, List<Piece> pieces) {
    public Block {
      pieces = List.copyOf(pieces);
    }

    /** The sources meeting {@code verdict}. */
    public IpSet sources(Verdict verdict) {
      IpSet s = IpSet.EMPTY;
      for (Piece p : pieces) {
        if (p.verdict() == verdict) {
          s = s.union(p.sources());
        }
      }
      return s;
    }
  }

  /**
   * A set of sources with one answer.
   *
   * @param sources client addresses
   * @param verdict their verdict
   * @param rejectWith the REJECT kind, or null
   * @param decidedBy the deciding rule
   * @param rewrittenTo where NAT sent them, or null
   * @param reasons why UNKNOWN, else empty
   * @param note remark (forwarded elsewhere, reply dropped), or null
   */
  public record Piece(IpSet sources, Verdict verdict, String rejectWith, SourceRef decidedBy, Rewrite rewrittenTo,
      List<Reason> reasons, String note) {
    public Piece {
      reasons = List.copyOf(reasons);
    }
  }

  /** The block holding {@code port}, or null when the port was not analysed. */
  public Block blockFor(int port) {
    for (Block b : blocks) {
      if (b.ports().contains(port)) {
        return b;
      }
    }
    return null;
  }
}
