package io.portproof.cli;

import java.util.Random;

/**
 * Writes an {@code iptables-save} export shaped like kube-proxy's iptables mode on a busy node: a
 * KUBE-SERVICES dispatch rule per service, a KUBE-SVC chain choosing endpoints with {@code -m statistic}, a
 * KUBE-SEP chain per endpoint (masquerade mark + DNAT), NodePorts through KUBE-NODEPORTS/KUBE-EXT, and the
 * filter-table chains kube-proxy adds. Seeded, so every run benchmarks the same file.
 */
final class KubeProxyRuleset {
  private KubeProxyRuleset() {}

  /** Returns the export and, through {@code rules[0]}, how many rules it holds. */
  static String generate(int services, long seed, int[] rules) {
    Random rnd = new Random(seed);
    StringBuilder nat = new StringBuilder(services * 900);
    StringBuilder natChains = new StringBuilder();
    StringBuilder filter = new StringBuilder();
    StringBuilder filterChains = new StringBuilder();
    int count = 0;
    natChains.append(":PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n")
        .append(":KUBE-MARK-MASQ - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n");
    nat.append("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n")
        .append("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n")
        .append("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n")
        .append("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n")
        .append("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n")
        .append("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n")
        .append("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n");
    count += 7;
    filterChains.append(":INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n")
        .append(":KUBE-EXTERNAL-SERVICES - [0:0]\n:KUBE-FIREWALL - [0:0]\n:KUBE-FORWARD - [0:0]\n:KUBE-NODEPORTS - [0:0]\n")
        .append(":KUBE-PROXY-FIREWALL - [0:0]\n:KUBE-SERVICES - [0:0]\n");
    filter.append("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL\n")
        .append("-A INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS\n")
        .append("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES\n")
        .append("-A INPUT -j KUBE-FIREWALL\n")
        .append("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL\n")
        .append("-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n")
        .append("-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n")
        .append("-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n")
        .append("-A OUTPUT -j KUBE-FIREWALL\n")
        .append("-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment \"block incoming localnet connections\" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP\n")
        .append("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n")
        .append("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT\n")
        .append("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
    count += 13;
    int nodePort = 30000;
    StringBuilder nodeports = new StringBuilder();
    for (int s = 0; s < services; s++) {
      String svc = String.format("%016X", rnd.nextLong()).substring(0, 16);
      String name = "ns" + (s % 40) + "/svc-" + s + ":http";
      String clusterIp = "10.96." + (s / 250) + "." + (s % 250 + 1);
      int port = new int[] {80, 443, 8080, 9090, 5432, 6379}[rnd.nextInt(6)];
      int endpoints = 1 + rnd.nextInt(3);
      boolean isNodePort = rnd.nextInt(3) == 0 && nodePort < 32767;
      if (endpoints == 3 && rnd.nextInt(10) == 0) {
        // A service with no ready endpoints: kube-proxy rejects it in the filter table.
        filter.append("-A KUBE-SERVICES -d ").append(clusterIp).append("/32 -p tcp -m comment --comment \"").append(name)
            .append(" has no endpoints\" -m tcp --dport ").append(port).append(" -j REJECT --reject-with icmp-port-unreachable\n");
        count++;
        continue;
      }
      natChains.append(":KUBE-SVC-").append(svc).append(" - [0:0]\n");
      nat.append("-A KUBE-SERVICES -d ").append(clusterIp).append("/32 -p tcp -m comment --comment \"").append(name)
          .append(" cluster IP\" -m tcp --dport ").append(port).append(" -j KUBE-SVC-").append(svc).append('\n');
      count++;
      if (isNodePort) {
        natChains.append(":KUBE-EXT-").append(svc).append(" - [0:0]\n");
        nodeports.append("-A KUBE-NODEPORTS -p tcp -m comment --comment \"").append(name).append("\" -m tcp --dport ")
            .append(nodePort).append(" -j KUBE-EXT-").append(svc).append('\n');
        nat.append("-A KUBE-EXT-").append(svc).append(" -m comment --comment \"masquerade traffic for ").append(name)
            .append(" external destinations\" -j KUBE-MARK-MASQ\n");
        nat.append("-A KUBE-EXT-").append(svc).append(" -j KUBE-SVC-").append(svc).append('\n');
        count += 3;
        nodePort += 1 + rnd.nextInt(3);
      }
      nat.append("-A KUBE-SVC-").append(svc).append(" ! -s 10.244.0.0/16 -d ").append(clusterIp).append("/32 -p tcp -m comment --comment \"")
          .append(name).append(" cluster IP\" -m tcp --dport ").append(port).append(" -j KUBE-MARK-MASQ\n");
      count++;
      for (int e = 0; e < endpoints; e++) {
        String sep = String.format("%016X", rnd.nextLong()).substring(0, 16);
        String pod = "10.244." + rnd.nextInt(256) + "." + (2 + rnd.nextInt(250));
        int podPort = port == 443 ? 8443 : port == 80 ? 8080 : port;
        natChains.append(":KUBE-SEP-").append(sep).append(" - [0:0]\n");
        nat.append("-A KUBE-SVC-").append(svc).append(" -m comment --comment \"").append(name).append(" -> ").append(pod).append(':').append(podPort);
        if (e < endpoints - 1) {
          nat.append("\" -m statistic --mode random --probability ").append(String.format("%.11f", 1.0 / (endpoints - e)));
        } else {
          nat.append('"');
        }
        nat.append(" -j KUBE-SEP-").append(sep).append('\n');
        nat.append("-A KUBE-SEP-").append(sep).append(" -s ").append(pod).append("/32 -m comment --comment \"").append(name)
            .append("\" -j KUBE-MARK-MASQ\n");
        nat.append("-A KUBE-SEP-").append(sep).append(" -p tcp -m comment --comment \"").append(name)
            .append("\" -m tcp -j DNAT --to-destination ").append(pod).append(':').append(podPort).append('\n');
        count += 3;
      }
    }
    nat.append(nodeports);
    nat.append("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n");
    count++;
    rules[0] = count;
    return "# Generated by iptables-save v1.8.9 (nf_tables) (portproof bench: kube-proxy-shaped, " + services + " services)\n"
        + "*nat\n" + natChains + nat + "COMMIT\n*filter\n" + filterChains + filter + "COMMIT\n";
  }
}
