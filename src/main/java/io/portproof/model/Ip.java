package io.portproof.model;

import com.google.common.collect.DiscreteDomain;
import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One IP address as an unsigned 128-bit number (IPv4 uses only {@code lo}). Kept as two longs rather than
 * {@link InetAddress} or {@link BigInteger} because range arithmetic on it is the analyzer's hot path.
 */
public final class Ip implements Comparable<Ip> {
  private final Family family;
  private final long hi;
  private final long lo;

  private Ip(Family family, long hi, long lo) {
    this.family = family;
    this.hi = hi;
    this.lo = lo;
  }

  public static Ip of(Family family, long hi, long lo) {
    Objects.requireNonNull(family);
    if (family == Family.IPV4 && (hi != 0 || (lo >>> 32) != 0)) {
      throw new IllegalArgumentException("IPv4 value out of range");
    }
    return new Ip(family, hi, lo);
  }

  public static Ip v4(long value) {
    return of(Family.IPV4, 0, value);
  }

  /** Parses an IPv4 or IPv6 literal (brackets and zone ids are not accepted). */
  public static Ip parse(String text) {
    InetAddress a = InetAddresses.forString(text);
    Ip ip = of(a);
    if (text.indexOf(':') >= 0 && ip.family == Family.IPV4) {
      // The JDK turns ::ffff:a.b.c.d into an IPv4 address; written with colons it is an IPv6 one.
      return new Ip(Family.IPV6, 0, 0xffff00000000L | ip.lo);
    }
    return ip;
  }

  /** Whether {@code text} is an IP literal of either family. */
  public static boolean isLiteral(String text) {
    return InetAddresses.isInetAddress(text);
  }

  public static Ip of(InetAddress address) {
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      return v4(Integer.toUnsignedLong(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff)));
    }
    long h = 0;
    long l = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (b[i] & 0xff);
      l = (l << 8) | (b[i + 8] & 0xff);
    }
    return new Ip(Family.IPV6, h, l);
  }

  public static Ip min(Family family) {
    return new Ip(family, 0, 0);
  }

  public static Ip max(Family family) {
    return family == Family.IPV4 ? new Ip(family, 0, 0xffffffffL) : new Ip(family, -1L, -1L);
  }

  public Family family() {
    return family;
  }

  /** The JDK's address; an IPv4-mapped IPv6 address comes back as an Inet4Address, as the JDK makes it. */
  public InetAddress toInetAddress() {
    byte[] b;
    if (family == Family.IPV4) {
      b = new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
    } else {
      b = new byte[16];
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) (hi >>> (56 - 8 * i));
        b[i + 8] = (byte) (lo >>> (56 - 8 * i));
      }
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The next address, or null past the end of the family's space. */
  public Ip next() {
    if (equals(max(family))) {
      return null;
    }
    long l = lo + 1;
    long h = l == 0 ? hi + 1 : hi;
    return new Ip(family, h, l);
  }

  /** Whether {@code o} is the address right after this one (same family): ranges ending here and starting there touch. */
  boolean justBefore(Ip o) {
    if (o.family != family) {
      return false;
    }
    return lo == -1L ? o.lo == 0 && o.hi == hi + 1 && hi != -1L : o.lo == lo + 1 && o.hi == hi && !(family == Family.IPV4 && lo == 0xffffffffL);
  }

  /** The previous address, or null before the start of the space. */
  public Ip previous() {
    if (hi == 0 && lo == 0) {
      return null;
    }
    long l = lo - 1;
    long h = lo == 0 ? hi - 1 : hi;
    return new Ip(family, h, l);
  }

  /** This address with the low {@code family.bits() - prefix} bits cleared. */
  public Ip mask(int prefix) {
    return and(prefix, false);
  }

  /** This address with the low {@code family.bits() - prefix} bits set (the last address of its prefix). */
  public Ip fill(int prefix) {
    return and(prefix, true);
  }

  private Ip and(int prefix, boolean fill) {
    int host = family.bits() - prefix;
    if (host < 0 || prefix < 0) {
      throw new IllegalArgumentException("prefix " + prefix + " out of range for " + family.label());
    }
    long mh;
    long ml;
    if (host >= 128) {
      mh = 0;
      ml = 0;
    } else if (host >= 64) {
      mh = -1L << (host - 64);
      ml = 0;
    } else {
      mh = -1L;
      ml = host == 0 ? -1L : -1L << host;
    }
    if (family == Family.IPV4) {
      ml &= 0xffffffffL;
      mh = 0;
    }
    if (fill) {
      long fh = ~mh;
      long fl = family == Family.IPV4 ? ~ml & 0xffffffffL : ~ml;
      return new Ip(family, family == Family.IPV4 ? 0 : hi | fh, lo | fl);
    }
    return new Ip(family, hi & mh, lo & ml);
  }

  /** Ordering of unsigned values; comparing across families orders IPv4 first. */
  @Override
  public int compareTo(Ip o) {
    if (family != o.family) {
      return family.compareTo(o.family);
    }
    int c = Long.compareUnsigned(hi, o.hi);
    return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ip ip && ip.family == family && ip.hi == hi && ip.lo == lo;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hi * 31 + lo) ^ family.hashCode();
  }

  @Override
  public String toString() {
    if (family == Family.IPV6 && hi == 0 && (lo >>> 32) == 0xffff) {
      return "::ffff:" + InetAddresses.toAddrString(v4(lo & 0xffffffffL).toInetAddress());
    }
    return InetAddresses.toAddrString(toInetAddress());
  }

  long hi() {
    return hi;
  }

  long lo() {
    return lo;
  }

  /** Lets Guava range sets canonicalise adjacent ranges of one family into one. */
  public static DiscreteDomain<Ip> domain(Family family) {
    return family == Family.IPV4 ? V4_DOMAIN : V6_DOMAIN;
  }

  private static final DiscreteDomain<Ip> V4_DOMAIN = new Domain(Family.IPV4);
  private static final DiscreteDomain<Ip> V6_DOMAIN = new Domain(Family.IPV6);

  private static final class Domain extends DiscreteDomain<Ip> {
    private final Family family;

    Domain(Family family) {
      this.family = family;
    }

    @Override
    public Ip next(Ip value) {
      return value.next();
    }

    @Override
    public Ip previous(Ip value) {
      return value.previous();
    }

    @Override
    public long distance(Ip start, Ip end) {
      BigInteger d = end.toBig().subtract(start.toBig());
      return d.bitLength() < 63 ? d.longValue() : (d.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
    }

    @Override
    public Ip minValue() {
      return min(family);
    }

    @Override
    public Ip maxValue() {
      return max(family);
    }
  }

  private BigInteger toBig() {
    return BigInteger.valueOf(hi >>> 1).shiftLeft(65).or(BigInteger.valueOf(hi & 1).shiftLeft(64))
        .or(BigInteger.valueOf(lo >>> 1).shiftLeft(1)).or(BigInteger.valueOf(lo & 1));
  }
}
