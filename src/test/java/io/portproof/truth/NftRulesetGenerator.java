package io.portproof.truth;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Seeded random nftables rulesets that exercise what nft adds over iptables: several base chains on one hook at
 * different priorities, inet tables beside ip/ip6 ones, named and anonymous sets with intervals and
 * concatenations, verdict maps, jump/goto/return, ct state, reject types and NAT redirects. Every ruleset is one
 * {@code nft -f} file; the same seed always gives the same case.
 */
final class NftRulesetGenerator {
  static final int[] PORTS = {22, 25, 80, 443, 2000, 2001, 2002, 2003, 3306, 8080, 8443, 9000};

  private static final String[] REJECT_ANY = {"reject", "reject with tcp reset", "reject with icmpx admin-prohibited",
      "reject with icmpx no-route", "reject with icmpx host-unreachable", "reject with icmpx port-unreachable"};
  private static final String[] REJECT_V4 = {"reject with icmp host-prohibited", "reject with icmp net-unreachable",
      "reject with icmp admin-prohibited", "reject with icmp port-unreachable"};
  private static final String[] REJECT_V6 = {"reject with icmpv6 admin-prohibited", "reject with icmpv6 no-route",
      "reject with icmpv6 addr-unreachable", "reject with icmpv6 port-unreachable"};

  private final Random r;
  private final StringBuilder out = new StringBuilder();
  /** Ports whose first deciding rule is a rate limit: the only right prediction is UNKNOWN. */
  private final java.util.Set<Integer> undecidable = new java.util.TreeSet<>();

  private NftRulesetGenerator(long seed) {
    this.r = new Random(seed);
  }

  static TruthCase generate(long seed) {
    return new NftRulesetGenerator(seed).build("seed=" + seed);
  }

  private int port() {
    return PORTS[r.nextInt(PORTS.length)];
  }

  private <T> T pick(T[] a) {
    return a[r.nextInt(a.length)];
  }

  private TruthCase build(String name) {
    SortedSet<Integer> listeners = new TreeSet<>();
    for (int p : PORTS) {
      if (r.nextBoolean()) {
        listeners.add(p);
      }
    }
    // The main table: inet most of the time, so one chain serves both families.
    String fam = r.nextInt(10) < 6 ? "inet" : r.nextBoolean() ? "ip" : "ip6";
    out.append("flush ruleset\n");
    table(fam, "filter", 0, r.nextInt(3) == 0);
    if (r.nextInt(10) < 6) {
      // A second base chain on the same hook, before or after the first.
      String fam2 = pick(new String[] {"inet", "ip", "ip6"});
      int prio = pick(new Integer[] {-150, -5, 10, 50});
      table(fam2, "extra", prio, false);
    }
    if (r.nextInt(10) < 4) {
      nat(pick(new String[] {"inet", "ip", "ip6"}), listeners);
    }
    List<Probe> probes = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int p : PORTS) {
      ports.add(p);
    }
    java.util.Collections.shuffle(ports, r);
    for (int p : ports.subList(0, 7)) {
      for (int i = 0; i < Lab.CLIENT_V4.size(); i++) {
        probes.add(new Probe(Lab.CLIENT_V4.get(i), Lab.SERVER_V4.get((i + p) % 2), p));
        probes.add(new Probe(Lab.CLIENT_V6.get(i), Lab.SERVER_V6.get((i + p) % 2), p));
      }
    }
    return TruthCase.nft(name, out.toString(), listeners, probes, undecidable);
  }

  private void table(String fam, String name, int prio, boolean nonDefaultPrio) {
    out.append("table ").append(fam).append(' ').append(name).append(" {\n");
    boolean v4 = !fam.equals("ip6");
    boolean v6 = !fam.equals("ip");
    if (v4) {
      out.append("\tset src4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { 198.18.1.0/25, 198.19.200.0-198.19.200.10 }\n\t}\n");
      out.append("\tset cc4 {\n\t\ttype ipv4_addr . inet_service\n\t\tflags interval\n\t\telements = { 198.18.1.10 . ")
          .append(port()).append(", 198.19.0.0/16 . ").append(port()).append(" }\n\t}\n");
    }
    if (v6) {
      out.append("\tset src6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t\telements = { 2001:db8:1::/64, 2001:db8:8000::/33 }\n\t}\n");
    }
    // Interval sets refuse overlapping elements, maps duplicate keys.
    out.append("\tset ports {\n\t\ttype inet_service\n\t\tflags interval\n\t\telements = { ").append(pick(new Integer[] {22, 443, 8080, 9000}))
        .append(", 2000-2002 }\n\t}\n");
    int p1 = port();
    int p2 = port();
    out.append("\tmap vm {\n\t\ttype inet_service : verdict\n\t\telements = { ").append(p1).append(" : accept, ")
        .append(p2 == p1 ? (p1 == 9000 ? 22 : 9000) : p2).append(" : drop }\n\t}\n");
    boolean users = r.nextBoolean();
    out.append("\tchain input {\n\t\ttype filter hook input priority ")
        .append(nonDefaultPrio ? "filter + 5" : prio).append("; policy ").append(r.nextInt(3) == 0 ? "drop" : "accept").append(";\n");
    if (name.equals("filter") && r.nextInt(6) == 0) {
      int u = port();
      undecidable.add(u);
      // A fresh limiter lets the first packets through; portproof cannot know how many came before.
      out.append("\t\ttcp dport ").append(u).append(" limit rate 1/minute burst 3 packets drop\n");
    }
    int n = 3 + r.nextInt(7);
    for (int i = 0; i < n; i++) {
      out.append("\t\t").append(rule(fam, users, true)).append('\n');
    }
    out.append("\t}\n");
    if (users) {
      out.append("\tchain u2 {\n");
      for (int i = 0; i < 1 + r.nextInt(3); i++) {
        out.append("\t\t").append(rule(fam, false, false)).append('\n');
      }
      out.append("\t}\n\tchain u1 {\n");
      for (int i = 0; i < 1 + r.nextInt(4); i++) {
        String rule = rule(fam, false, false);
        if (r.nextInt(4) == 0) {
          rule = "tcp dport " + port() + " goto u2";
        } else if (r.nextInt(4) == 0) {
          rule = "tcp dport " + port() + " jump u2";
        }
        out.append("\t\t").append(rule).append('\n');
      }
      out.append("\t}\n");
    }
    out.append("}\n");
  }

  /**
   * @param ruleFam the family the rule's matches already pin ("ip", "ip6") or null; a reject of the other
   *     family's ICMP would make nft refuse the rule
   */
  private String verdict(String fam, String ruleFam, boolean jumps, boolean base) {
    String only = ruleFam != null ? ruleFam : fam.equals("inet") ? null : fam;
    int k = r.nextInt(jumps ? 12 : 10);
    return switch (k) {
      case 0, 1, 2 -> "accept";
      case 3, 4 -> "drop";
      case 5 -> base ? "counter" : "return";
      // icmpx exists only in inet tables.
      case 6, 7 -> fam.equals("inet") ? pick(REJECT_ANY) : pick(new String[] {"reject", "reject with tcp reset"});
      case 8 -> "ip6".equals(only) ? pick(REJECT_V6) : "ip".equals(only) ? pick(REJECT_V4) : pick(REJECT_V4);
      case 9 -> "ip".equals(only) ? pick(REJECT_V4) : pick(REJECT_V6);
      case 10 -> "jump u1";
      default -> "goto u1";
    };
  }

  private String rule(String fam, boolean jumps, boolean base) {
    boolean v4 = !fam.equals("ip6");
    boolean v6 = !fam.equals("ip");
    int p = port();
    int q = port();
    int kind = r.nextInt(17);
    boolean fourFirst = r.nextBoolean();
    // Which family the matches pin, so the verdict can agree with it.
    String ruleFam = switch (kind) {
      case 4, 5, 6 -> v4 ? "ip" : "ip6";
      case 15 -> v4 && (!v6 || fourFirst) ? "ip" : "ip6";
      case 16 -> fam.equals("inet") ? (fourFirst ? "ip" : "ip6") : null;
      default -> null;
    };
    String v = verdict(fam, ruleFam, jumps, base);
    return switch (kind) {
      case 0 -> "tcp dport " + p + " " + v;
      case 1 -> "tcp dport { " + p + ", " + q + " } " + v;
      case 2 -> "tcp dport " + Math.min(p, q) + "-" + Math.max(p, q) + " " + v;
      case 3 -> "tcp dport != " + p + " " + v;
      case 4 -> v4 ? "ip saddr 198.18.1.128/25 tcp dport " + p + " " + v : "ip6 saddr 2001:db8:1::ff00/120 tcp dport " + p + " " + v;
      case 5 -> v4 ? "ip saddr @src4 " + v : "ip6 saddr @src6 tcp dport " + p + " " + v;
      case 6 -> v4 ? "ip saddr . tcp dport @cc4 " + v : "ip6 saddr . tcp dport { 2001:db8:1::10 . " + p + ", 2001:db8:8000::/33 . " + Math.min(p, q) + "-" + Math.max(p, q) + " } " + v;
      case 7 -> "tcp dport vmap { " + p + " : accept, " + (q == p ? (p == 9000 ? 22 : 9000) : q) + " : " + (jumps ? "jump u1" : "drop") + " }";
      case 8 -> "tcp dport vmap @vm";
      case 9 -> r.nextBoolean() ? "ct state established,related accept" : "ct state new tcp dport " + p + " " + v;
      case 10 -> "ct state invalid drop";
      case 11 -> (r.nextBoolean() ? "iifname \"eth0\"" : "iifname != \"eth*\"") + " tcp dport " + p + " " + v;
      case 12 -> "meta l4proto tcp th dport " + p + " " + v;
      case 13 -> "tcp dport @ports " + v;
      case 14 -> "fib daddr type local tcp dport " + p + " " + v;
      case 15 -> "ip".equals(ruleFam) ? "ip daddr 198.18.0.2 tcp dport " + p + " " + v : "ip6 daddr 2001:db8::2 tcp dport " + p + " " + v;
      default -> ruleFam == null ? "tcp dport " + p + " " + v
          : "meta nfproto " + (ruleFam.equals("ip") ? "ipv4" : "ipv6") + " tcp dport " + p + " " + v;
    };
  }

  private void nat(String fam, SortedSet<Integer> listeners) {
    out.append("table ").append(fam).append(" nat {\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
    for (int i = 0; i < 1 + r.nextInt(3); i++) {
      int p = port();
      int q = port();
      if (r.nextInt(3) == 0) {
        listeners.add(q);
      }
      if (!fam.equals("ip6") && r.nextInt(3) == 0) {
        out.append("\t\tip daddr 198.18.0.1 tcp dport ").append(p).append(" dnat ip to 198.18.0.2:").append(q).append('\n');
      } else if (!fam.equals("ip") && r.nextInt(3) == 0) {
        out.append("\t\tip6 daddr 2001:db8::1 tcp dport ").append(p).append(" dnat ip6 to [2001:db8::2]:").append(q).append('\n');
      } else {
        out.append("\t\ttcp dport ").append(p).append(" redirect to :").append(q).append('\n');
      }
    }
    out.append("\t}\n}\n");
  }
}
