package io.portproof.analysis;

import io.portproof.model.Family;
import io.portproof.model.Ip;
import io.portproof.model.IpRange;
import io.portproof.model.IpSet;
import io.portproof.model.Packet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import io.portproof.model.fw.Match;
import io.portproof.model.fw.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Answers what a host's firewall does to connection attempts: for one packet ({@link #explain}) or for every
 * client address and a set of ports at once ({@link #exposure}). Both run the same symbolic evaluation; they
 * differ only in how much of the space they start with.
 *
 * <p>Packets whose verdict depends on something the question leaves open — the client's source port (any
 * unprivileged port unless given), the inbound interface (any external one unless given), or a condition the
 * inputs cannot decide — are UNKNOWN unless every possibility gives the same verdict.
 */
public final class FirewallAnalyzer {
  /** Clients connect from an unprivileged port; which one is theirs to choose. */
  public static final int[] CLIENT_PORTS = {1024, 65535};

  private final HostContext host;
  private final Map<Family, Evaluator> evaluators = new EnumMap<>(Family.class);

  public FirewallAnalyzer(HostContext host) {
    this.host = Objects.requireNonNull(host);
  }

  private Evaluator evaluator(Family family) {
    return evaluators.computeIfAbsent(family,
        f -> new Evaluator(host, f, InterfaceDomain.of(host.rulesets(f), host.routeInterfaces())));
  }

  /** Whether any ruleset of this family was given at all. */
  public boolean covers(Family family) {
    return !host.rulesets(family).isEmpty();
  }

  /** The verdict for one packet with its full trace. */
  public Explanation explain(Packet p) {
    Evaluator ev = evaluator(p.family());
    Box b = start(ev, p.src(), p.src(), p.dst(), p.proto(), p.dport(), p.dport(), p.inIface());
    if (p.sport() != null) {
      b.spLo = b.spHi = b.cportLo = b.cportHi = p.sport();
    }
    if (p.proto() == Protocols.ICMP || p.proto() == Protocols.ICMPV6) {
      icmp(b, p.dport());
    }
    b.trace = PList.empty();
    List<Evaluator.Outcome> outs = ev.run(List.of(b), Evaluator.Listener.YES);
    Cell cell = combine(ev, outs);
    Evaluator.Outcome first = outs.stream().filter(o -> sameAnswer(o, cell)).findFirst().orElse(outs.get(0));
    List<TraceStep> trace = first.box().trace == null ? List.of() : first.box().trace.toList();
    return new Explanation(p, cell.verdict, cell.rejectWith, cell.decidedBy, cell.rewrite, trace, cell.reasons, cell.note);
  }

  private static boolean sameAnswer(Evaluator.Outcome o, Cell c) {
    return o.verdict() == c.verdict && Objects.equals(o.rejectWith(), c.rejectWith);
  }

  /**
   * For destination {@code dst}, protocol {@code proto} and the given ports: which clients, of the whole
   * address family, meet which verdict. Exact; the work grows with the rules, not with the space.
   *
   * @param inIface the interface clients arrive on, or null for any external one
   */
  public Exposure exposure(Ip dst, int proto, PortSet ports, String inIface) {
    Evaluator ev = evaluator(dst.family());
    List<Box> start = new ArrayList<>();
    boolean icmp = proto == Protocols.ICMP || proto == Protocols.ICMPV6;
    for (int[] r : ports.intervals()) {
      if (icmp) {
        // For ICMP the "ports" are message types, which every box holds one of.
        for (int t = r[0]; t <= Math.min(r[1], 255); t++) {
          Box b = start(ev, Ip.min(dst.family()), Ip.max(dst.family()), dst, proto, t, t, inIface);
          icmp(b, t);
          start.add(b);
        }
      } else {
        start.add(start(ev, Ip.min(dst.family()), Ip.max(dst.family()), dst, proto, r[0], r[1], inIface));
      }
    }
    List<Evaluator.Outcome> outs = start.isEmpty() ? List.of() : ev.run(start, Evaluator.Listener.YES);
    return new Exposure(dst, proto, resolve(ev, outs, ports));
  }

  private static Box start(Evaluator ev, Ip srcLo, Ip srcHi, Ip dst, int proto, int dpLo, int dpHi, String iface) {
    Box b = new Box();
    b.family = dst.family();
    b.srcLo = b.clientLo = srcLo;
    b.srcHi = b.clientHi = srcHi;
    b.dstLo = b.dstHi = dst;
    b.spLo = b.cportLo = CLIENT_PORTS[0];
    b.spHi = b.cportHi = CLIENT_PORTS[1];
    b.dpLo = b.portLo = dpLo;
    b.dpHi = b.portHi = dpHi;
    b.iif = b.clientIif = iface == null ? ev.interfaces().external() : ev.interfaces().classOf(iface);
    b.oif = 0;
    b.proto = proto;
    b.tcpFlags = proto == Protocols.TCP ? Match.TcpFlags.SYN : 0;
    return b;
  }

  /**
   * Current kernels leave neighbour-discovery messages (ICMPv6 133-137) untracked: a rule dropping INVALID
   * does not see them, a rule for UNTRACKED does (checked against Linux 6.x in a namespace).
   */
  private static void icmp(Box b, int type) {
    b.icmpType = type;
    b.icmpCode = 0;
    if (b.proto == Protocols.ICMPV6 && type >= 133 && type <= 137) {
      b.ctPending = io.portproof.model.fw.CtState.UNTRACKED;
      // RFC 4861: neighbour discovery is sent with hop limit 255 and discarded otherwise.
      b.hopLimit = 255;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Turning overlapping outcomes into one answer per (client, port)

  /** The answer for one region; equal cells merge into one piece. */
  private record Cell(Verdict verdict, String rejectWith, SourceRef decidedBy, Rewrite rewrite, List<Reason> reasons, String note) {}

  private static Cell cellOf(Evaluator.Outcome o) {
    Box b = o.box();
    Rewrite rw = b.rewrite == null ? null : new Rewrite(b.rewrite.address(), b.rewrite.port(), b.rewrite.source());
    List<Reason> reasons = o.verdict() == Verdict.UNKNOWN ? b.taints.toList() : List.of();
    return new Cell(o.verdict(), o.rejectWith(), o.decidedBy(), rw, reasons, o.note());
  }

  /**
   * One answer from all outcomes covering the same client and port: the shared verdict if they agree, else
   * UNKNOWN naming what they depend on.
   */
  private static Cell combine(Evaluator ev, List<Evaluator.Outcome> outs) {
    Cell first = cellOf(outs.get(0));
    boolean agree = true;
    for (int i = 1; i < outs.size() && agree; i++) {
      agree = sameAnswer(outs.get(i), first);
    }
    if (agree) {
      return first;
    }
    Set<Reason> reasons = new LinkedHashSet<>();
    for (Evaluator.Outcome o : outs) {
      reasons.addAll(o.box().taints.toList());
    }
    if (reasons.isEmpty()) {
      reasons.addAll(splitReasons(ev, outs));
    }
    List<Reason> rs = List.copyOf(reasons);
    SourceRef by = rs.isEmpty() ? first.decidedBy : rs.get(0).source();
    return new Cell(Verdict.UNKNOWN, null, by, null, rs, null);
  }

  /** Outcomes that disagree without a taint differ by source port or interface; say which and how. */
  private static List<Reason> splitReasons(Evaluator ev, List<Evaluator.Outcome> outs) {
    Map<String, List<String>> byVerdict = new LinkedHashMap<>();
    boolean ports = outs.stream().anyMatch(o -> o.box().cportLo != outs.get(0).box().cportLo || o.box().cportHi != outs.get(0).box().cportHi);
    for (Evaluator.Outcome o : outs) {
      String v = o.verdict() + (o.rejectWith() == null ? "" : " " + o.rejectWith()) + " (" + o.decidedBy().location() + ")";
      String where = ports
          ? "source ports " + o.box().cportLo + "-" + o.box().cportHi
          : "interfaces " + String.join(", ", ev.interfaces().describe(o.box().clientIif));
      byVerdict.computeIfAbsent(v, k -> new ArrayList<>()).add(where);
    }
    List<String> parts = new ArrayList<>();
    byVerdict.forEach((v, w) -> parts.add(v + " for " + String.join("; ", w)));
    String what = ports ? "the client's source port (give --sport)" : "the interface the packet arrives on (give the interface)";
    return List.of(new Reason("depends on " + what + ": " + String.join(" / ", parts),
        SourceRef.ofFile(ports ? "(source port)" : "(interface)")));
  }

  private static List<Exposure.Block> resolve(Evaluator ev, List<Evaluator.Outcome> outs, PortSet ports) {
    // Elementary port intervals: between any two consecutive boundaries every outcome either covers or misses.
    int[] bounds = outs.stream().flatMapToInt(o -> java.util.stream.IntStream.of(o.box().portLo, o.box().portHi + 1))
        .distinct().sorted().toArray();
    List<List<Evaluator.Outcome>> buckets = new ArrayList<>();
    for (int i = 0; i + 1 < bounds.length; i++) {
      buckets.add(new ArrayList<>());
    }
    for (Evaluator.Outcome o : outs) {
      int from = Arrays.binarySearch(bounds, o.box().portLo);
      int to = Arrays.binarySearch(bounds, o.box().portHi + 1);
      for (int i = from; i < to; i++) {
        buckets.get(i).add(o);
      }
    }
    List<Exposure.Block> blocks = new ArrayList<>();
    PortSet curPorts = null;
    List<Exposure.Piece> curPieces = null;
    for (int i = 0; i + 1 < bounds.length; i++) {
      List<Evaluator.Outcome> bucket = buckets.get(i);
      if (bucket.isEmpty()) {
        continue;
      }
      PortSet here = PortSet.range(bounds[i], bounds[i + 1] - 1).intersect(ports);
      if (here.isEmpty()) {
        continue;
      }
      List<Exposure.Piece> pieces = sweepSources(ev, bucket);
      if (curPieces != null && curPieces.equals(pieces)) {
        curPorts = curPorts.union(here);
      } else {
        if (curPieces != null) {
          blocks.add(new Exposure.Block(curPorts, curPieces));
        }
        curPorts = here;
        curPieces = pieces;
      }
    }
    if (curPieces != null) {
      blocks.add(new Exposure.Block(curPorts, curPieces));
    }
    return blocks;
  }

  /** Within one port interval: which clients meet which answer. */
  private static List<Exposure.Piece> sweepSources(Evaluator ev, List<Evaluator.Outcome> bucket) {
    for (Evaluator.Outcome o : bucket) {
      if (o.box().clientMask != null) {
        return combineSets(ev, bucket);
      }
    }
    return sweepRanges(ev, bucket);
  }

  /**
   * When some outcomes hold their clients as sets (cut by a big address set): outcomes whose clients overlap —
   * told apart by their cuts first, by their sets only when the cuts cannot — are combined on the parts they share;
   * every other outcome's set goes to its answer whole, without walking its ranges.
   */
  private static List<Exposure.Piece> combineSets(Evaluator ev, List<Evaluator.Outcome> bucket) {
    List<Evaluator.Outcome> byStart = new ArrayList<>(bucket);
    byStart.sort(Comparator.comparing(o -> o.box().clientLo));
    int n = byStart.size();
    int[] group = new int[n];
    for (int i = 0; i < n; i++) {
      group[i] = i;
    }
    // Only outcomes whose hulls overlap can share clients: a sweep by start finds those pairs.
    for (int i = 0; i < n; i++) {
      Box a = byStart.get(i).box();
      for (int j = i + 1; j < n && byStart.get(j).box().clientLo.compareTo(a.clientHi) <= 0; j++) {
        Box b = byStart.get(j).box();
        if (find(group, i) != find(group, j) && Box.Cut.mayOverlap(a.cut, b.cut) && !a.clientSet().intersect(b.clientSet()).isEmpty()) {
          group[find(group, j)] = find(group, i);
        }
      }
    }
    Map<Integer, List<Evaluator.Outcome>> groups = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      groups.computeIfAbsent(find(group, i), k -> new ArrayList<>()).add(byStart.get(i));
    }
    Map<Cell, IpSet> cells = new LinkedHashMap<>();
    for (List<Evaluator.Outcome> g : groups.values()) {
      if (g.size() == 1) {
        cells.merge(cellOf(g.get(0)), g.get(0).box().clientSet(), IpSet::union);
        continue;
      }
      // The parts of the group's sets that the same outcomes cover.
      List<IpSet> atoms = new ArrayList<>();
      List<List<Evaluator.Outcome>> members = new ArrayList<>();
      for (Evaluator.Outcome o : g) {
        IpSet uncovered = o.box().clientSet();
        int size = atoms.size();
        for (int k = 0; k < size; k++) {
          IpSet both = atoms.get(k).intersect(uncovered);
          if (both.isEmpty()) {
            continue;
          }
          IpSet only = atoms.get(k).minus(both);
          List<Evaluator.Outcome> with = new ArrayList<>(members.get(k));
          with.add(o);
          if (only.isEmpty()) {
            members.set(k, with);
          } else {
            atoms.set(k, only);
            atoms.add(both);
            members.add(with);
          }
          uncovered = uncovered.minus(both);
        }
        if (!uncovered.isEmpty()) {
          atoms.add(uncovered);
          members.add(new ArrayList<>(List.of(o)));
        }
      }
      for (int k = 0; k < atoms.size(); k++) {
        cells.merge(combine(ev, members.get(k)), atoms.get(k), IpSet::union);
      }
    }
    List<Exposure.Piece> pieces = new ArrayList<>();
    cells.forEach((c, set) -> pieces.add(new Exposure.Piece(set, c.verdict, c.rejectWith, c.decidedBy, c.rewrite, c.reasons, c.note)));
    return pieces;
  }

  private static int find(int[] group, int i) {
    while (group[i] != i) {
      group[i] = group[group[i]];
      i = group[i];
    }
    return i;
  }

  /** Walks the client address line and combines the outcomes covering each segment. */
  private static List<Exposure.Piece> sweepRanges(Evaluator ev, List<Evaluator.Outcome> bucket) {
    List<Ip> cuts = new ArrayList<>();
    for (Evaluator.Outcome o : bucket) {
      cuts.add(o.box().clientLo);
      Ip after = o.box().clientHi.next();
      if (after != null) {
        cuts.add(after);
      }
    }
    cuts.sort(Comparator.naturalOrder());
    List<Evaluator.Outcome> byStart = new ArrayList<>(bucket);
    byStart.sort(Comparator.comparing(o -> o.box().clientLo));
    Map<Cell, List<IpRange>> cells = new LinkedHashMap<>();
    List<Evaluator.Outcome> active = new ArrayList<>();
    int next = 0;
    Ip prev = null;
    for (int i = 0; i < cuts.size(); i++) {
      Ip segStart = cuts.get(i);
      if (segStart.equals(prev)) {
        continue;
      }
      prev = segStart;
      Ip segEnd = null;
      for (int j = i + 1; j < cuts.size(); j++) {
        if (!cuts.get(j).equals(segStart)) {
          segEnd = cuts.get(j).previous();
          break;
        }
      }
      if (segEnd == null) {
        segEnd = Ip.max(segStart.family());
      }
      final Ip s = segStart;
      active.removeIf(o -> o.box().clientHi.compareTo(s) < 0);
      while (next < byStart.size() && byStart.get(next).box().clientLo.compareTo(segStart) <= 0) {
        Evaluator.Outcome o = byStart.get(next++);
        if (o.box().clientHi.compareTo(segStart) >= 0) {
          active.add(o);
        }
      }
      if (active.isEmpty()) {
        continue;
      }
      Cell c = combine(ev, active);
      List<IpRange> ranges = cells.computeIfAbsent(c, k -> new ArrayList<>());
      if (!ranges.isEmpty() && ranges.get(ranges.size() - 1).last().next() != null
          && ranges.get(ranges.size() - 1).last().next().equals(segStart)) {
        IpRange last = ranges.remove(ranges.size() - 1);
        ranges.add(new IpRange(last.first(), segEnd));
      } else {
        ranges.add(new IpRange(segStart, segEnd));
      }
    }
    List<Exposure.Piece> pieces = new ArrayList<>();
    cells.forEach((c, rs) -> pieces.add(new Exposure.Piece(IpSet.of(rs), c.verdict, c.rejectWith, c.decidedBy, c.rewrite, c.reasons, c.note)));
    return pieces;
  }
}
