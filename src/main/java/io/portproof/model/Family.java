package io.portproof.model;

/** IPv4 and IPv6 are separate worlds: separate rulesets, separate address spaces. */
public enum Family {
  IPV4(32, "IPv4"),
  IPV6(128, "IPv6");

  private final int bits;
  private final String label;

  Family(int bits, String label) {
    this.bits = bits;
    this.label = label;
  }

  public int bits() {
    return bits;
  }

  public String label() {
    return label;
  }

  /** The whole address space of this family as a CIDR string. */
  public String anyCidr() {
    return this == IPV4 ? "0.0.0.0/0" : "::/0";
  }
}
