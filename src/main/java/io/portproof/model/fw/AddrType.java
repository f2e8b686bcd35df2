package io.portproof.model.fw;

/** Address types of {@code -m addrtype} (the kernel's route types). */
public enum AddrType {
  UNSPEC,
  UNICAST,
  LOCAL,
  BROADCAST,
  ANYCAST,
  MULTICAST,
  BLACKHOLE,
  UNREACHABLE,
  PROHIBIT,
  THROW,
  NAT,
  XRESOLVE
}
