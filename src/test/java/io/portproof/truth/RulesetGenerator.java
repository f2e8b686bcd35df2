package io.portproof.truth;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Seeded generator of realistic {@code iptables-save}/{@code ip6tables-save} rulesets for the truth
 * suite: user chains reached by {@code -j} and {@code -g}, RETURN, negation, CIDRs with host bits
 * set, port ranges, multiport, iprange, addrtype, interface wildcards, conntrack and state matches,
 * marks set in mangle and matched in filter, REDIRECT/DNAT in nat, drops in raw, REJECT of every
 * type, and OUTPUT rules that drop the reply. The same seed always yields the same case.
 */
final class RulesetGenerator {
  private static final int[] PORT_POOL = {
    21, 22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995, 1194, 1433, 2049, 3000, 3306, 3389, 5000,
    5432, 5900, 6379, 8000, 8080, 8443, 8888, 9000, 9090, 9200, 11211, 27017
  };
  private static final List<String> REJECTS_V4 =
      List.of(
          "icmp-port-unreachable",
          "icmp-host-unreachable",
          "icmp-net-unreachable",
          "icmp-proto-unreachable",
          "icmp-net-prohibited",
          "icmp-host-prohibited",
          "icmp-admin-prohibited");
  private static final List<String> REJECTS_V6 =
      List.of(
          "icmp6-port-unreachable",
          "icmp6-adm-prohibited",
          "icmp6-no-route",
          "icmp6-addr-unreachable",
          "icmp6-policy-fail",
          "icmp6-reject-route");
  private static final List<String> CHAIN_NAMES =
      List.of("SSH", "WEB", "ADMIN-NETS", "f2b-sshd", "LOGDROP", "DB-ACCESS", "TRUSTED", "BLOCKLIST");
  private static final List<String> COMMENTS =
      List.of("office", "monitoring", "legacy app", "ops: temporary", "allow web", "block scanners");

  private final Random random;
  private final long seed;
  private final List<Integer> probedPorts = new ArrayList<>();
  private final List<Integer> redirectTargets = new ArrayList<>();
  private final Set<Integer> undecidable = new HashSet<>();

  private RulesetGenerator(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /**
   * The case for {@code seed}. {@code backends} lists the usable iptables flavours, the system's
   * default first; a fifth of the cases go through the second one when there is one.
   */
  static TruthCase generate(long seed, List<TruthCase.Backend> backends) {
    return new RulesetGenerator(seed).build(backends);
  }

  private TruthCase build(List<TruthCase.Backend> backends) {
    Set<Integer> ports = new LinkedHashSet<>();
    while (ports.size() < 8) {
      ports.add(chance(0.85) ? PORT_POOL[random.nextInt(PORT_POOL.length)] : 1024 + random.nextInt(60000));
    }
    probedPorts.addAll(ports);
    while (redirectTargets.size() < 2) {
      int target = 10000 + random.nextInt(5000);
      if (!ports.contains(target)) {
        redirectTargets.add(target);
      }
    }
    TreeSet<Integer> listeners = new TreeSet<>();
    probedPorts.stream().filter(p -> chance(0.5)).forEach(listeners::add);
    redirectTargets.stream().filter(p -> chance(0.7)).forEach(listeners::add);
    if (chance(0.05)) {
      undecidable.add(pick(probedPorts));
    }
    String v4 = new FamilyWriter(Family.V4).write();
    String v6 = new FamilyWriter(Family.V6).write();
    List<Probe> probes = new ArrayList<>();
    for (Family family : Family.values()) {
      for (String src : family.clients) {
        for (String dst : family.servers) {
          for (int port : probedPorts) {
            probes.add(new Probe(src, dst, port));
          }
        }
      }
    }
    TruthCase.Backend backend =
        backends.size() > 1 && chance(0.2) ? backends.get(1) : backends.get(0);
    return new TruthCase("seed=" + seed, v4, v6, backend, listeners, probes, undecidable);
  }

  private enum Family {
    V4(Lab.CLIENT_V4, Lab.SERVER_V4, "icmp", REJECTS_V4, 32),
    V6(Lab.CLIENT_V6, Lab.SERVER_V6, "ipv6-icmp", REJECTS_V6, 128);

    final List<String> clients;
    final List<String> servers;
    final String icmp;
    final List<String> rejects;
    final int bits;

    Family(List<String> clients, List<String> servers, String icmp, List<String> rejects, int bits) {
      this.clients = clients;
      this.servers = servers;
      this.icmp = icmp;
      this.rejects = rejects;
      this.bits = bits;
    }
  }

  /** Writes one family's ruleset; its state (user chains, marks) is per family. */
  private final class FamilyWriter {
    private final Family family;
    private final List<String> chains = new ArrayList<>();
    private final List<String> marks = new ArrayList<>();

    FamilyWriter(Family family) {
      this.family = family;
    }

    String write() {
      StringBuilder out = new StringBuilder();
      String tool = family == Family.V4 ? "iptables-save" : "ip6tables-save";
      out.append("# Generated by ").append(tool).append(" v1.8.9 (portproof truth, seed ")
          .append(seed).append(")\n");
      if (chance(0.12)) {
        table(out, "raw", List.of("PREROUTING", "OUTPUT"), raw());
      }
      List<String> mangle = mangle();
      if (!mangle.isEmpty() || chance(0.1)) {
        table(out, "mangle", List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"), mangle);
      }
      if (chance(0.35)) {
        table(out, "nat", List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"), nat());
      }
      filter(out);
      out.append("# Completed\n");
      return out.toString();
    }

    private void table(StringBuilder out, String name, List<String> builtins, List<String> rules) {
      out.append('*').append(name).append('\n');
      builtins.forEach(c -> out.append(':').append(c).append(" ACCEPT [0:0]\n"));
      rules.forEach(r -> out.append(r).append('\n'));
      out.append("COMMIT\n");
    }

    private List<String> raw() {
      List<String> rules = new ArrayList<>();
      int n = 1 + random.nextInt(2);
      for (int i = 0; i < n; i++) {
        double roll = random.nextDouble();
        if (roll < 0.4) {
          rules.add("-A PREROUTING " + src() + " -j DROP");
        } else if (roll < 0.75) {
          rules.add("-A PREROUTING -p tcp -m tcp --dport " + decidablePort() + " -j DROP");
        } else {
          // Untracked packets carry ctstate UNTRACKED and skip NAT; the reply leaves as INVALID.
          rules.add("-A PREROUTING -p tcp -m tcp --dport " + decidablePort()
              + (chance(0.5) ? " -j NOTRACK" : " -j CT --notrack"));
        }
      }
      return rules;
    }

    private List<String> mangle() {
      List<String> rules = new ArrayList<>();
      if (chance(0.3)) {
        int n = 1 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
          String mark = "0x" + Integer.toHexString(1 + random.nextInt(4));
          marks.add(mark);
          String match = chance(0.4) ? src() + " " : "";
          String ports = chance(0.7) ? "-p tcp -m tcp --dport " + decidablePort() : "-p tcp " + multiport(true);
          String action =
              switch (random.nextInt(3)) {
                case 0 -> "--set-mark " + mark;
                case 1 -> "--set-xmark " + mark + "/0xffffffff";
                default -> "--or-mark " + mark;
              };
          rules.add("-A PREROUTING " + match + ports + " -j MARK " + action);
        }
      }
      if (chance(0.08)) {
        rules.add("-A PREROUTING -m conntrack --ctstate INVALID -j DROP");
      }
      if (chance(0.05)) {
        rules.add("-A INPUT -p tcp -m tcp --dport " + decidablePort() + " -j DROP");
      }
      return rules;
    }

    private List<String> nat() {
      List<String> rules = new ArrayList<>();
      if (chance(0.15)) {
        // ACCEPT or RETURN in nat PREROUTING ends NAT for the packet, so the REDIRECT below is skipped.
        rules.add("-A PREROUTING " + src() + (chance(0.5) ? " -j ACCEPT" : " -j RETURN"));
      }
      int n = 1 + random.nextInt(2);
      for (int i = 0; i < n; i++) {
        int from = decidablePort();
        int to = chance(0.8) ? pick(redirectTargets) : decidablePort();
        String scope =
            switch (random.nextInt(5)) {
              case 0 -> "-i eth0 ";
              case 1 -> src() + " ";
              case 2 -> "-d " + family.servers.get(0) + "/" + family.bits + " ";
              default -> "";
            };
        if (chance(0.8)) {
          rules.add("-A PREROUTING " + scope + "-p tcp -m tcp --dport " + from + " -j REDIRECT --to-ports " + to);
        } else {
          String target =
              family == Family.V4 ? family.servers.get(1) + ":" + to : "[" + family.servers.get(1) + "]:" + to;
          rules.add("-A PREROUTING " + scope + "-p tcp -m tcp --dport " + from + " -j DNAT --to-destination " + target);
        }
      }
      return rules;
    }

    private void filter(StringBuilder out) {
      int chainCount = chance(0.6) ? 1 + random.nextInt(3) : 0;
      List<String> names = new ArrayList<>(CHAIN_NAMES);
      java.util.Collections.shuffle(names, random);
      chains.addAll(names.subList(0, chainCount));
      boolean inputDrop = chance(0.55);
      List<String> output = new ArrayList<>();
      boolean outputDrop = outputRules(output);
      out.append("*filter\n");
      out.append(":INPUT ").append(inputDrop ? "DROP" : "ACCEPT").append(" [0:0]\n");
      out.append(":FORWARD ").append(chance(0.5) ? "DROP" : "ACCEPT").append(" [0:0]\n");
      out.append(":OUTPUT ").append(outputDrop ? "DROP" : "ACCEPT").append(" [0:0]\n");
      chains.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
      for (int port : undecidable) {
        out.append("-A INPUT -p tcp -m tcp --dport ").append(port)
            .append(chance(0.5)
                ? " -m statistic --mode random --probability 0.50000000000 -j ACCEPT"
                : " -m recent --rcheck --seconds 60 --name SCAN --mask "
                    + (family == Family.V4 ? "255.255.255.255" : "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
                    + " --rsource -j DROP")
            .append('\n');
      }
      if (chance(0.5)) {
        out.append("-A INPUT -i lo -j ACCEPT\n");
        out.append("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
        if (chance(0.5)) {
          out.append("-A INPUT -m conntrack --ctstate INVALID -j DROP\n");
        }
        if (chance(0.5)) {
          out.append("-A INPUT -p ").append(family.icmp).append(" -j ACCEPT\n");
        }
      }
      int n = 2 + random.nextInt(8);
      for (int i = 0; i < n; i++) {
        out.append("-A INPUT ").append(rule(-1)).append('\n');
      }
      if (!inputDrop && chance(0.4)) {
        out.append("-A INPUT -j REJECT --reject-with ").append(pick(family.rejects)).append('\n');
      }
      for (int c = 0; c < chains.size(); c++) {
        int m = 1 + random.nextInt(4);
        for (int i = 0; i < m; i++) {
          out.append("-A ").append(chains.get(c)).append(' ').append(rule(c)).append('\n');
        }
      }
      output.forEach(r -> out.append(r).append('\n'));
      out.append("COMMIT\n");
    }

    /** Fills OUTPUT rules; returns whether the OUTPUT policy is DROP. */
    private boolean outputRules(List<String> rules) {
      double roll = random.nextDouble();
      if (roll < 0.6) {
        return false;
      }
      if (roll < 0.78) {
        rules.add("-A OUTPUT -o lo -j ACCEPT");
        switch (random.nextInt(4)) {
          case 0 -> rules.add("-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
          // REJECT's reset or ICMP error is RELATED, not ESTABLISHED: this drops it.
          case 1 -> rules.add("-A OUTPUT -m state --state ESTABLISHED -j ACCEPT");
          case 2 -> rules.add("-A OUTPUT -p tcp " + multiport(false).replace("--dports", "--sports") + " -j ACCEPT");
          default -> {
            rules.add("-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT");
            rules.add("-A OUTPUT -p " + family.icmp + " -j ACCEPT");
          }
        }
        return true;
      }
      int n = 1 + random.nextInt(2);
      for (int i = 0; i < n; i++) {
        switch (random.nextInt(5)) {
          case 0 -> rules.add("-A OUTPUT -p tcp -m tcp --sport " + decidablePort() + " -j DROP");
          case 1 -> rules.add("-A OUTPUT -p " + family.icmp + " -j DROP");
          case 2 -> rules.add("-A OUTPUT " + dstClient() + " -j DROP");
          case 3 -> rules.add("-A OUTPUT -m conntrack --ctstate RELATED -j DROP");
          default -> rules.add("-A OUTPUT -o eth+ -p tcp -m multiport --sports "
              + decidablePort() + "," + pick(redirectTargets) + " -j REJECT --reject-with tcp-reset");
        }
      }
      return false;
    }

    /** One rule body (matches and target) for INPUT ({@code chain == -1}) or user chain index. */
    private String rule(int chain) {
      List<String> parts = new ArrayList<>();
      if (chance(0.35)) {
        parts.add(srcMatch());
      }
      // iptables refuses "!" on an address when the rule lists several source addresses.
      boolean severalSources = !parts.isEmpty() && parts.get(0).startsWith("-s ") && parts.get(0).contains(",");
      if (chance(0.15)) {
        parts.add(dstMatch(!severalSources));
      }
      if (chance(0.15)) {
        parts.add(pick(List.of("-i eth0", "-i eth+", "-i e+", "-i ppS+", "! -i lo", "-i lo", "! -i eth0")));
      }
      double proto = random.nextDouble();
      boolean tcp = proto < 0.85;
      if (tcp) {
        parts.add(chance(0.05) ? "-p 6" : "-p tcp");
        if (chance(0.75)) {
          parts.add(portMatch());
        }
      } else if (proto < 0.92) {
        parts.add("-p udp -m udp --dport " + pick(probedPorts));
      } else if (proto < 0.96) {
        parts.add("! -p udp");
      }
      if (chance(0.15)) {
        parts.add(pick(List.of(
            "-m conntrack --ctstate NEW",
            "-m state --state NEW",
            "-m conntrack --ctstate RELATED,ESTABLISHED",
            "-m state --state RELATED,ESTABLISHED",
            "-m conntrack ! --ctstate INVALID",
            "-m conntrack --ctstate INVALID",
            "-m conntrack --ctstate NEW,ESTABLISHED",
            "-m conntrack ! --ctstate NEW")));
      }
      if (!marks.isEmpty() && chance(0.3)) {
        String mark = pick(marks);
        parts.add(pick(List.of("-m mark --mark " + mark, "-m mark ! --mark " + mark, "-m mark --mark " + mark + "/" + mark)));
      }
      if (tcp && chance(0.04)) {
        parts.add(chance(0.5) ? "-m tcp --syn" : "-m tcp --tcp-flags FIN,SYN,RST,ACK SYN");
      }
      if (chance(0.1)) {
        parts.add("-m comment --comment \"" + pick(COMMENTS) + "\"");
      }
      parts.add(target(chain, tcp));
      return String.join(" ", parts);
    }

    private String target(int chain, boolean tcp) {
      double roll = random.nextDouble();
      boolean canJump = chain + 1 < chains.size();
      if (canJump && roll < 0.22) {
        String next = chains.get(chain + 1 + random.nextInt(chains.size() - chain - 1));
        return (chance(0.75) ? "-j " : "-g ") + next;
      }
      if (chain >= 0 && roll < 0.35) {
        return "-j RETURN";
      }
      if (roll < 0.38) {
        return "-j LOG --log-prefix \"portproof: \"";
      }
      if (roll < 0.62) {
        return "-j ACCEPT";
      }
      if (roll < 0.78) {
        return "-j DROP";
      }
      if (tcp && chance(0.3)) {
        return "-j REJECT --reject-with tcp-reset";
      }
      return chance(0.1) ? "-j REJECT" : "-j REJECT --reject-with " + pick(family.rejects);
    }

    private String portMatch() {
      int port = decidablePort();
      double roll = random.nextDouble();
      if (roll < 0.35) {
        return "-m tcp --dport " + port;
      }
      if (roll < 0.45) {
        return "-m tcp ! --dport " + port;
      }
      if (roll < 0.62) {
        int low = Math.max(1, port - random.nextInt(200));
        int high = Math.min(65535, port + random.nextInt(200));
        return chance(0.1) ? "-m tcp --dport " + low + ":" : "-m tcp --dport " + low + ":" + high;
      }
      if (roll < 0.92) {
        return multiport(false);
      }
      return multiport(true);
    }

    private String multiport(boolean negated) {
      List<String> items = new ArrayList<>();
      int n = 2 + random.nextInt(3);
      for (int i = 0; i < n; i++) {
        int port = decidablePort();
        // multiport refuses a range whose ends are equal.
        int end = Math.min(65535, port + 1 + random.nextInt(100));
        items.add(chance(0.2) && end > port ? port + ":" + end : String.valueOf(port));
      }
      return "-m multiport " + (negated ? "! " : "") + "--dports " + String.join(",", items);
    }

    private String srcMatch() {
      double roll = random.nextDouble();
      if (roll < 0.45) {
        return "-s " + cidr(pick(family.clients));
      }
      if (roll < 0.6) {
        return "! -s " + negatableCidr(pick(family.clients));
      }
      if (roll < 0.67) {
        return "-s " + cidr(pick(family.clients)) + "," + cidr(pick(family.clients));
      }
      return "-m iprange " + (chance(0.3) ? "! " : "") + "--src-range " + range(family.clients);
    }

    private String dstMatch(boolean negationAllowed) {
      return switch (random.nextInt(negationAllowed ? 7 : 1)) {
        case 0 -> "-d " + pick(family.servers) + "/" + family.bits;
        case 1 -> "! -d " + pick(family.servers) + "/" + family.bits;
        case 2 -> "-d " + cidr(pick(family.servers));
        case 3 -> "-m addrtype --dst-type LOCAL";
        case 4 -> "-m addrtype ! --dst-type LOCAL";
        case 5 -> "-m addrtype --src-type UNICAST";
        default -> "-m iprange --dst-range " + range(family.servers);
      };
    }

    private String src() {
      return chance(0.2) ? "! -s " + negatableCidr(pick(family.clients)) : "-s " + cidr(pick(family.clients));
    }

    private String dstClient() {
      return "-d " + cidr(pick(family.clients));
    }

    /** iptables-nft cannot load "! -s 0.0.0.0/0" (the kernel answers EINVAL); legacy can. */
    private String negatableCidr(String base) {
      String cidr = cidr(base);
      return cidr.endsWith("/0") ? base + "/" + family.bits : cidr;
    }

    /** A CIDR around {@code base}; host bits are left set half the time, as hand-written files do. */
    private String cidr(String base) {
      if (chance(0.08)) {
        return pick(family == Family.V4
            ? List.of("10.0.0.0/8", "203.0.113.0/24", "198.18.0.0/15", "0.0.0.0/0")
            : List.of("fd00::/8", "2001:db8:ffff::/48", "2001:db8::/32", "::/0"));
      }
      int[] lengths = family == Family.V4
          ? new int[] {8, 15, 16, 17, 20, 23, 24, 25, 28, 30, 31, 32}
          : new int[] {16, 32, 33, 40, 47, 48, 56, 64, 100, 127, 128};
      int length = lengths[random.nextInt(lengths.length)];
      String address = chance(0.5) ? base : mask(base, length);
      return address + "/" + length;
    }

    private String mask(String address, int length) {
      BigInteger value = new BigInteger(1, InetAddresses.forString(address).getAddress());
      BigInteger all = BigInteger.ONE.shiftLeft(family.bits).subtract(BigInteger.ONE);
      BigInteger hostMask = BigInteger.ONE.shiftLeft(family.bits - length).subtract(BigInteger.ONE);
      return format(value.and(all.xor(hostMask)));
    }

    /** An address range whose ends sit near two of {@code addresses}, so it splits the set. */
    private String range(List<String> addresses) {
      int i = random.nextInt(addresses.size());
      int j = i + random.nextInt(addresses.size() - i);
      BigInteger low = number(addresses.get(i)).subtract(BigInteger.valueOf(random.nextInt(3) - 1));
      BigInteger high = number(addresses.get(j)).add(BigInteger.valueOf(random.nextInt(3) - 1));
      if (low.compareTo(high) > 0) {
        high = low;
      }
      return format(low) + "-" + format(high);
    }

    private BigInteger number(String address) {
      return new BigInteger(1, InetAddresses.forString(address).getAddress());
    }

    private String format(BigInteger value) {
      byte[] raw = value.toByteArray();
      byte[] bytes = new byte[family.bits / 8];
      int copy = Math.min(raw.length, bytes.length);
      System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
      try {
        return InetAddresses.toAddrString(InetAddress.getByAddress(bytes));
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A probed port that is not one of the deliberately undecidable ones. */
  private int decidablePort() {
    List<Integer> choices =
        probedPorts.stream().filter(p -> !undecidable.contains(p)).collect(Collectors.toList());
    return chance(0.1) ? pick(redirectTargets) : pick(choices);
  }

  private boolean chance(double p) {
    return random.nextDouble() < p;
  }

  private <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }
}
