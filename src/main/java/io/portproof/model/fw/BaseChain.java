package io.portproof.model.fw;

import java.util.Objects;

/**
 * A chain the kernel calls from a hook. Base chains of one hook run in ascending priority; ACCEPT ends only the
 * chain it happens in, DROP ends everything.
 *
 * @param hook the netfilter hook
 * @param priority lower runs first (iptables: raw -300, mangle -150, dstnat -100, filter 0, security 50, srcnat 100)
 * @param nat whether this is a NAT chain, which the kernel consults only for a connection's first packet
 * @param chain the chain itself
 */
public record BaseChain(Hook hook, int priority, boolean nat, Chain chain) {
  public BaseChain {
    Objects.requireNonNull(hook);
    Objects.requireNonNull(chain);
  }
}
