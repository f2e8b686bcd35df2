package io.portproof.model.fw;

/** Netfilter hooks, in the order an inbound packet and its reply meet them. */
public enum Hook {
  PREROUTING,
  INPUT,
  FORWARD,
  OUTPUT,
  POSTROUTING
}
