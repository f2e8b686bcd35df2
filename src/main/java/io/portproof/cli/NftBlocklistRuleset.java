package io.portproof.cli;

/**
 * Writes an {@code nft list ruleset} export of the size issue 6 names: a blocklist set of 100,000 disjoint
 * IPv4 /28s and 10,000 rules, each opening one port to one /24 (every tenth an IPv6 /48, every tenth a jump to
 * a user chain). The blocklist is looked up first, as operators write it, or last, which makes every rule meet
 * every packet before it.
 */
final class NftBlocklistRuleset {
  static final int SET_ELEMENTS = 100_000;
  static final int RULES = 10_000;

  private NftBlocklistRuleset() {}

  static String generate(boolean blocklistFirst) {
    StringBuilder sb = new StringBuilder(8 << 20);
    sb.append("flush ruleset\ntable inet bench {\n\tset blocklist {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { ");
    for (int i = 0; i < SET_ELEMENTS; i++) {
      long base = (20L << 24) + i * 32L;
      if (i > 0) {
        sb.append(i % 8 == 0 ? ",\n\t\t\t     " : ", ");
      }
      sb.append(base >>> 24).append('.').append((base >>> 16) & 255).append('.').append((base >>> 8) & 255)
          .append('.').append(base & 255).append("/28");
    }
    sb.append(" }\n\t}\n\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n");
    sb.append("\t\tct state established,related accept\n");
    if (blocklistFirst) {
      sb.append("\t\tip saddr @blocklist drop\n");
    }
    for (int i = 0; i < RULES - 3; i++) {
      int port = 1024 + (i * 7) % 60000;
      switch (i % 10) {
        case 0 -> sb.append("\t\tip6 saddr 2001:db8:").append(Integer.toHexString(i)).append("::/48 tcp dport ").append(port).append(" accept\n");
        case 1 -> sb.append("\t\ttcp dport ").append(port).append(" jump svc\n");
        default -> sb.append("\t\tip saddr 10.").append((i >> 8) & 255).append('.').append(i & 255).append(".0/24 tcp dport ")
            .append(port).append(" accept\n");
      }
    }
    if (!blocklistFirst) {
      sb.append("\t\tip saddr @blocklist drop\n");
    }
    sb.append("\t}\n\n\tchain svc {\n\t\tip saddr 192.0.2.0/24 accept\n\t}\n}\n");
    return sb.toString();
  }
}
