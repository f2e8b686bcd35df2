package io.portproof.probe;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.io.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The IANA TLS cipher suite registry with OpenSSL's names, read from {@code cipher-suites.txt}.
 * Server configs speak OpenSSL names, the wire speaks ids, reports speak IANA names; this is the one
 * place that translates.
 */
public final class CipherSuites {
  private static final CipherSuites STANDARD = load();

  /**
   * One suite.
   *
   * @param id the two-byte IANA value
   * @param ianaName e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
   * @param openSslName e.g. "ECDHE-RSA-AES128-GCM-SHA256", or null when OpenSSL never named it
   */
  public record CipherSuite(int id, String ianaName, String openSslName) {
    public CipherSuite {
      if (id < 0 || id > 0xffff) {
        throw new IllegalArgumentException("cipher suite id out of range: " + id);
      }
      Objects.requireNonNull(ianaName, "ianaName");
    }

    /** Whether the suite belongs to TLS 1.3 (and only to it). */
    public boolean tls13() {
      return (id >> 8) == 0x13;
    }
  }

  private final ImmutableList<CipherSuite> all;
  private final ImmutableMap<Integer, CipherSuite> byId;
  private final ImmutableMap<String, CipherSuite> byIana;
  private final ImmutableMap<String, CipherSuite> byOpenSsl;

  private CipherSuites(List<CipherSuite> suites) {
    this.all = ImmutableList.copyOf(suites);
    Map<Integer, CipherSuite> ids = new HashMap<>();
    Map<String, CipherSuite> iana = new HashMap<>();
    Map<String, CipherSuite> openssl = new HashMap<>();
    for (CipherSuite s : suites) {
      ids.put(s.id(), s);
      iana.put(s.ianaName(), s);
      if (s.openSslName() != null) {
        openssl.putIfAbsent(s.openSslName(), s);
      }
    }
    this.byId = ImmutableMap.copyOf(ids);
    this.byIana = ImmutableMap.copyOf(iana);
    this.byOpenSsl = ImmutableMap.copyOf(openssl);
  }

  /** The table shipped with portproof. */
  public static CipherSuites standard() {
    return STANDARD;
  }

  /** Every suite, by ascending id. */
  public List<CipherSuite> all() {
    return all;
  }

  public Optional<CipherSuite> byId(int id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Optional<CipherSuite> byIanaName(String name) {
    return Optional.ofNullable(byIana.get(name));
  }

  public Optional<CipherSuite> byOpenSslName(String name) {
    return Optional.ofNullable(byOpenSsl.get(name));
  }

  /** The IANA name for an id, or {@code 0xC0FF}-style hex when the registry has none. */
  public String ianaName(int id) {
    return byId(id).map(CipherSuite::ianaName).orElse(String.format("0x%04X", id));
  }

  private static CipherSuites load() {
    String text;
    try {
      text =
          Resources.toString(
              Resources.getResource(CipherSuites.class, "cipher-suites.txt"),
              StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cipher-suites.txt is part of the jar and must load", e);
    }
    ImmutableList.Builder<CipherSuite> suites = ImmutableList.builder();
    Splitter fields = Splitter.on(' ').omitEmptyStrings();
    for (String line : Splitter.on('\n').trimResults().omitEmptyStrings().split(text)) {
      if (line.startsWith("#")) {
        continue;
      }
      List<String> f = fields.splitToList(line);
      if (f.size() != 3 || !f.get(0).startsWith("0x")) {
        throw new IllegalStateException("malformed cipher-suites.txt line: " + line);
      }
      suites.add(
          new CipherSuite(
              Integer.parseInt(f.get(0).substring(2), 16),
              f.get(1),
              f.get(2).equals("-") ? null : f.get(2)));
    }
    return new CipherSuites(suites.build());
  }
}
