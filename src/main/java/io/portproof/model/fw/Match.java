package io.portproof.model.fw;

import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One condition of a rule, vendor-independent. The analyzer decides each kind exactly over whole ranges; a
 * condition it cannot decide is an {@link Undecidable}, which makes the packets it touches UNKNOWN.
 */
public sealed interface Match {
  /** Whether the condition is inverted ({@code !}). */
  boolean negated();

  /** Which end of a packet a field belongs to. */
  enum Side {
    SOURCE,
    DESTINATION
  }

  /** Source or destination address within {@code addresses}. */
  record Address(Side side, IpSet addresses, boolean negated) implements Match {
    public Address {
      Objects.requireNonNull(side);
      Objects.requireNonNull(addresses);
    }
  }

  /** Source or destination port within {@code ports} (the protocol must carry ports). */
  record Port(Side side, PortSet ports, boolean negated) implements Match {
    public Port {
      Objects.requireNonNull(side);
      Objects.requireNonNull(ports);
    }
  }

  /** Either port within {@code ports} ({@code multiport --ports}). */
  record EitherPort(PortSet ports, boolean negated) implements Match {
    public EitherPort {
      Objects.requireNonNull(ports);
    }
  }

  /** IP protocol number in {@code protocols}; an empty set means every protocol. */
  record Protocol(Set<Integer> protocols, boolean negated) implements Match {
    public Protocol {
      // Sorted, so printing and comparing is the same on every run.
      protocols = com.google.common.collect.ImmutableSortedSet.copyOf(protocols);
    }
  }

  /** Inbound or outbound interface name matching any pattern; a trailing {@code +} is a prefix wildcard. */
  record Interface(boolean inbound, List<String> patterns, boolean negated) implements Match {
    public Interface {
      patterns = List.copyOf(patterns);
    }
  }

  /** Conntrack state in {@code states}. */
  record ConnState(Set<CtState> states, boolean negated) implements Match {
    public ConnState {
      states = com.google.common.collect.Sets.immutableEnumSet(states);
    }
  }

  /** Conntrack direction: true for the original direction (the client's packets). */
  record ConnDirection(boolean original, boolean negated) implements Match {}

  /** Packet mark ({@code conntrack=false}) or conntrack mark: {@code (mark & mask) == value}. */
  record Mark(boolean conntrack, long value, long mask, boolean negated) implements Match {}

  /** Route type of the source or destination address. */
  record AddressType(Side side, Set<AddrType> types, boolean negated) implements Match {
    public AddressType {
      types = com.google.common.collect.Sets.immutableEnumSet(types);
    }
  }

  /** TCP flags: {@code (flags & mask) == set}. */
  record TcpFlags(int mask, int set, boolean negated) implements Match {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;
  }

  /** ICMP or ICMPv6 type (and code range); {@code type < 0} means any. */
  record IcmpType(int type, int codeMin, int codeMax, boolean negated) implements Match {}

  /**
   * IPv4 TTL or IPv6 hop limit compared with {@code value}: {@code op} is one of eq, lt, gt. Known only for
   * neighbour discovery (always 255); for other traffic the sender decides it, so it is undecidable.
   */
  record HopLimit(String op, int value, boolean negated) implements Match {}

  /**
   * Any of several conjunctions holds: an nftables set or map lookup on a concatenation ({@code ip saddr . tcp
   * dport { 192.0.2.1 . 22, 198.51.100.0/24 . 443 }}) is one alternative per element.
   *
   * @param alternatives each a list of conditions that must all hold
   */
  record AnyOf(List<List<Match>> alternatives, boolean negated) implements Match {
    public AnyOf {
      alternatives = alternatives.stream().map(List::copyOf).toList();
    }
  }

  /** Non-first fragments ({@code -f}); a connection's first packet is never one. */
  record Fragment(boolean negated) implements Match {}

  /**
   * A condition known to be always true or always false for a connection attempt.
   *
   * @param value the condition's value
   * @param construct the text it came from, for traces
   */
  record Constant(boolean value, String construct) implements Match {
    @Override
    public boolean negated() {
      return false;
    }
  }

  /**
   * The address is in a set a cloud names but does not list, such as an Azure service tag ({@code
   * VirtualNetwork}): decided when the host description maps the name to addresses, else undecidable.
   *
   * @param name the name as the rule writes it
   */
  record NamedAddresses(Side side, String name, boolean negated) implements Match {
    public NamedAddresses {
      Objects.requireNonNull(side);
      Objects.requireNonNull(name);
    }
  }

  /**
   * The rule applies only to instances carrying one of {@code values} of {@code attribute} (GCP target tags and
   * service accounts): decided when the host description lists the instance's, else undecidable.
   *
   * @param attribute what is compared, e.g. {@code network tag}
   */
  record InstanceHas(String attribute, List<String> values, boolean negated) implements Match {
    public InstanceHas {
      Objects.requireNonNull(attribute);
      values = List.copyOf(values);
    }
  }

  /**
   * A condition the analyzer cannot decide from the inputs (rate limits, payload inspection, runtime state).
   *
   * @param construct what the condition is, e.g. {@code -m limit --limit 5/min}
   */
  record Undecidable(String construct) implements Match {
    public Undecidable {
      Objects.requireNonNull(construct);
    }

    @Override
    public boolean negated() {
      return false;
    }
  }
}
