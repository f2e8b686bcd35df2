package io.portproof.parse.nft;

import com.google.common.collect.ImmutableMap;
import io.portproof.model.fw.AddrType;
import io.portproof.model.fw.CtState;
import io.portproof.model.fw.Match;
import java.util.Locale;
import java.util.Map;

/** nft's symbolic constants: services, ICMP types, TCP flags, reject codes, conntrack states, route types. */
final class NftValues {
  /**
   * Service names nft accepts for ports (resolved from /etc/services when the rules load). Only the common ones:
   * an unknown name is reported, never guessed.
   */
  static final Map<String, Integer> SERVICES = ImmutableMap.<String, Integer>builder()
      .put("ftp-data", 20).put("ftp", 21).put("ssh", 22).put("telnet", 23).put("smtp", 25).put("domain", 53)
      .put("bootps", 67).put("bootpc", 68).put("tftp", 69).put("http", 80).put("kerberos", 88).put("pop3", 110)
      .put("sunrpc", 111).put("ntp", 123).put("netbios-ns", 137).put("netbios-dgm", 138).put("netbios-ssn", 139)
      .put("imap2", 143).put("imap", 143).put("snmp", 161).put("snmp-trap", 162).put("bgp", 179).put("ldap", 389)
      .put("https", 443).put("microsoft-ds", 445).put("submissions", 465).put("smtps", 465).put("syslog", 514)
      .put("submission", 587).put("ipp", 631).put("ldaps", 636).put("rsync", 873).put("imaps", 993)
      .put("pop3s", 995).put("openvpn", 1194).put("ms-sql-s", 1433).put("nfs", 2049).put("mysql", 3306)
      .put("rdp", 3389).put("postgresql", 5432).put("mdns", 5353).put("http-alt", 8080).put("dhcpv6-client", 546)
      .put("dhcpv6-server", 547).put("isakmp", 500).put("ipsec-nat-t", 4500).put("wireguard", 51820).build();

  static final Map<String, Integer> ICMP4 = ImmutableMap.<String, Integer>builder()
      .put("echo-reply", 0).put("destination-unreachable", 3).put("source-quench", 4).put("redirect", 5)
      .put("echo-request", 8).put("router-advertisement", 9).put("router-solicitation", 10).put("time-exceeded", 11)
      .put("parameter-problem", 12).put("timestamp-request", 13).put("timestamp-reply", 14).put("info-request", 15)
      .put("info-reply", 16).put("address-mask-request", 17).put("address-mask-reply", 18).build();

  static final Map<String, Integer> ICMP6 = ImmutableMap.<String, Integer>builder()
      .put("destination-unreachable", 1).put("packet-too-big", 2).put("time-exceeded", 3).put("parameter-problem", 4)
      .put("echo-request", 128).put("echo-reply", 129).put("mld-listener-query", 130).put("mld-listener-report", 131)
      .put("mld-listener-done", 132).put("mld-listener-reduction", 132).put("nd-router-solicit", 133)
      .put("nd-router-advert", 134).put("nd-neighbor-solicit", 135).put("nd-neighbor-advert", 136)
      .put("nd-redirect", 137).put("router-renumbering", 138).put("ind-neighbor-solicit", 141)
      .put("ind-neighbor-advert", 142).put("mld2-listener-report", 143).build();

  static final Map<String, Integer> TCP_FLAGS = ImmutableMap.<String, Integer>builder()
      .put("fin", Match.TcpFlags.FIN).put("syn", Match.TcpFlags.SYN).put("rst", Match.TcpFlags.RST)
      .put("psh", Match.TcpFlags.PSH).put("ack", Match.TcpFlags.ACK).put("urg", Match.TcpFlags.URG)
      .put("ecn", Match.TcpFlags.ECE).put("cwr", Match.TcpFlags.CWR).build();

  /** nft reject codes by family to the canonical iptables names the analyzer knows. */
  static final Map<String, String> REJECT_ICMP = Map.of(
      "net-unreachable", "icmp-net-unreachable", "host-unreachable", "icmp-host-unreachable",
      "prot-unreachable", "icmp-proto-unreachable", "port-unreachable", "icmp-port-unreachable",
      "net-prohibited", "icmp-net-prohibited", "host-prohibited", "icmp-host-prohibited",
      "admin-prohibited", "icmp-admin-prohibited");

  static final Map<String, String> REJECT_ICMP6 = Map.of(
      "no-route", "icmp6-no-route", "admin-prohibited", "icmp6-adm-prohibited",
      "addr-unreachable", "icmp6-addr-unreachable", "port-unreachable", "icmp6-port-unreachable",
      "policy-fail", "icmp6-policy-fail", "reject-route", "icmp6-reject-route");

  /** icmpx codes: one name, the matching code of each family. */
  static final Map<String, String[]> REJECT_ICMPX = Map.of(
      "port-unreachable", new String[] {"icmp-port-unreachable", "icmp6-port-unreachable"},
      "admin-prohibited", new String[] {"icmp-admin-prohibited", "icmp6-adm-prohibited"},
      "no-route", new String[] {"icmp-net-unreachable", "icmp6-no-route"},
      "host-unreachable", new String[] {"icmp-host-unreachable", "icmp6-addr-unreachable"});

  private NftValues() {}

  static CtState ctState(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "new" -> CtState.NEW;
      case "established" -> CtState.ESTABLISHED;
      case "related" -> CtState.RELATED;
      case "invalid" -> CtState.INVALID;
      case "untracked" -> CtState.UNTRACKED;
      default -> null;
    };
  }

  static AddrType addrType(String s) {
    try {
      return AddrType.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A decimal or 0x number, or -1. */
  static long number(String s) {
    try {
      return s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
