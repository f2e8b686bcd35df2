package io.portproof.analysis.web;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenSSL 3.0's cipher-string language ({@code HIGH:!aNULL:!MD5}, {@code ECDHE+AESGCM}, {@code
 * -}/{@code +}/{@code !}, {@code @STRENGTH}, {@code @SECLEVEL=n}, {@code DEFAULT}), re-implemented
 * after {@code ssl/ssl_ciph.c} over the suites this Debian build of OpenSSL knows, so the TLS 1.2
 * suites a server offers can be predicted without running it. TLS 1.3 suites are not governed by
 * cipher strings.
 */
public final class OpenSslCipherString {
  private static final List<CipherSuite> SUITES = load();
  private static final Map<String, Alias> ALIASES = aliases();
  private static final String DEFAULT_RULES = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

  private OpenSslCipherString() {}

  /**
   * The outcome of one cipher string.
   *
   * @param suites the enabled suites in preference order
   * @param securityLevel the {@code @SECLEVEL} it sets, or -1 when it sets none
   * @param error why OpenSSL would reject the string (the server then refuses to start), or null
   */
  public record Result(List<CipherSuite> suites, int securityLevel, String error) {
    public Result {
      suites = List.copyOf(suites);
    }
  }

  /** Evaluates a cipher string exactly as {@code SSL_CTX_set_cipher_list} would. */
  public static Result evaluate(String rules) {
    List<Entry> list = initialOrder();
    State state = new State();
    String rest = rules;
    if (rest.startsWith("DEFAULT")) {
      process(DEFAULT_RULES, list, state);
      rest = rest.substring(7);
      if (rest.startsWith(":")) {
        rest = rest.substring(1);
      }
    }
    process(rest, list, state);
    List<CipherSuite> out = new ArrayList<>();
    for (Entry e : list) {
      if (e.active) {
        out.add(e.suite);
      }
    }
    String error = state.error;
    if (error == null && out.isEmpty()) {
      error = "no cipher match";
    }
    return new Result(out, state.securityLevel, error);
  }

  private static final class Entry {
    final CipherSuite suite;
    boolean active;

    Entry(CipherSuite suite) {
      this.suite = suite;
    }
  }

  private static final class State {
    int securityLevel = -1;
    String error;
  }

  /**
   * A selector: every non-null set must contain the suite's value. {@code minTls} and the strength
   * flags are exact-match filters; {@code id} selects one named suite.
   */
  private record Alias(
      Set<String> kx, Set<String> au, Set<String> enc, Set<String> mac, String minTls,
      String strength, boolean notDefault, int id) {
    boolean matches(CipherSuite c) {
      if (id >= 0) {
        return c.id() == id;
      }
      return (kx == null || kx.contains(c.kx()))
          && (au == null || au.contains(c.au()))
          && (enc == null || enc.contains(c.enc()))
          && (mac == null || mac.contains(c.mac()))
          && (minTls == null || minTls.equals(c.minTls()))
          && (strength == null || c.flags().contains(strength))
          && (!notDefault || c.flags().contains("NOT_DEFAULT"));
    }

    /** The {@code +} combination: the intersection, or null when it selects nothing. */
    Alias and(Alias o) {
      if (id >= 0 || o.id >= 0) {
        return id >= 0 && o.id < 0 ? this : o.id >= 0 && id < 0 ? o : id == o.id ? this : null;
      }
      Set<String> k = meet(kx, o.kx);
      Set<String> a = meet(au, o.au);
      Set<String> e = meet(enc, o.enc);
      Set<String> m = meet(mac, o.mac);
      if (isEmpty(k) || isEmpty(a) || isEmpty(e) || isEmpty(m)) {
        return null;
      }
      if (minTls != null && o.minTls != null && !minTls.equals(o.minTls)) {
        return null;
      }
      if (strength != null && o.strength != null && !strength.equals(o.strength)) {
        return null;
      }
      return new Alias(k, a, e, m, minTls != null ? minTls : o.minTls,
          strength != null ? strength : o.strength, notDefault || o.notDefault, -1);
    }

    private static boolean isEmpty(Set<String> s) {
      return s != null && s.isEmpty();
    }

    private static Set<String> meet(Set<String> a, Set<String> b) {
      if (a == null) {
        return b;
      }
      if (b == null) {
        return a;
      }
      Set<String> r = new HashSet<>(a);
      r.retainAll(b);
      return r;
    }
  }

  private enum Op {
    ADD,
    KILL,
    DEL,
    ORD,
    BUMP
  }

  /** OpenSSL's preference order before any rule string is applied (ssl_create_cipher_list). */
  private static List<Entry> initialOrder() {
    List<Entry> list = new ArrayList<>();
    for (CipherSuite s : SUITES) {
      list.add(new Entry(s));
    }
    apply(list, sel("ECDHE", "ECDSA", null, null), Op.ADD);
    apply(list, sel("ECDHE", null, null, null), Op.ADD);
    apply(list, sel("ECDHE", null, null, null), Op.DEL);
    apply(list, sel(null, null, Set.of("AES128GCM", "AES256GCM"), null), Op.ADD);
    apply(list, sel(null, null, Set.of("CHACHA20POLY1305"), null), Op.ADD);
    apply(list, sel(null, null, Set.of("AES128", "AES256", "AES128CCM", "AES256CCM",
        "AES128CCM8", "AES256CCM8"), null), Op.ADD);
    apply(list, sel(null, null, null, null), Op.ADD);
    apply(list, sel(null, null, null, Set.of("MD5")), Op.ORD);
    apply(list, sel(null, "NULL", null, null), Op.ORD);
    apply(list, sel("RSA", null, null, null), Op.ORD);
    apply(list, sel("PSK", null, null, null), Op.ORD);
    strengthSort(list);
    apply(list, new Alias(null, null, null, null, "TLSv1.2", null, false, -1), Op.BUMP);
    apply(list, sel(null, null, null, Set.of("AEAD")), Op.BUMP);
    apply(list, sel(Set.of("DHE", "ECDHE"), null, null, null), Op.BUMP);
    apply(list, sel(Set.of("DHE", "ECDHE"), null, null, Set.of("AEAD")), Op.BUMP);
    apply(list, sel(null, null, null, null), Op.DEL);
    return list;
  }

  private static Alias sel(Object kx, Object au, Set<String> enc, Set<String> mac) {
    return new Alias(asSet(kx), asSet(au), enc, mac, null, null, false, -1);
  }

  @SuppressWarnings("unchecked")
  private static Set<String> asSet(Object o) {
    return o == null ? null : o instanceof String s ? Set.of(s) : (Set<String>) o;
  }

  /** ssl_cipher_apply_rule: DEL and BUMP walk backwards so relative order is kept. */
  private static void apply(List<Entry> list, Alias alias, Op op) {
    List<Entry> snapshot = new ArrayList<>(list);
    boolean reverse = op == Op.DEL || op == Op.BUMP;
    for (int i = 0; i < snapshot.size(); i++) {
      Entry e = snapshot.get(reverse ? snapshot.size() - 1 - i : i);
      if (!alias.matches(e.suite)) {
        continue;
      }
      switch (op) {
        case ADD -> {
          if (!e.active) {
            moveToTail(list, e);
            e.active = true;
          }
        }
        case ORD -> {
          if (e.active) {
            moveToTail(list, e);
          }
        }
        case DEL -> {
          if (e.active) {
            moveToHead(list, e);
            e.active = false;
          }
        }
        case BUMP -> {
          if (e.active) {
            moveToHead(list, e);
          }
        }
        case KILL -> {
          list.remove(e);
          e.active = false;
        }
      }
    }
  }

  private static void moveToTail(List<Entry> list, Entry e) {
    list.remove(e);
    list.add(e);
  }

  private static void moveToHead(List<Entry> list, Entry e) {
    list.remove(e);
    list.add(0, e);
  }

  /** {@code @STRENGTH}: stable sort of the active suites by strength, strongest first. */
  private static void strengthSort(List<Entry> list) {
    Set<Integer> used = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
    for (Entry e : list) {
      if (e.active) {
        used.add(e.suite.bits());
      }
    }
    for (int bits : used) {
      List<Entry> snapshot = new ArrayList<>(list);
      for (Entry e : snapshot) {
        if (e.active && e.suite.bits() == bits) {
          moveToTail(list, e);
        }
      }
    }
  }

  private static boolean isSeparator(char c) {
    return c == ':' || c == ' ' || c == ';' || c == ',';
  }

  private static boolean isNameChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '=';
  }

  /** ssl_cipher_process_rulestr. */
  private static void process(String rules, List<Entry> list, State state) {
    int i = 0;
    int n = rules.length();
    while (i < n) {
      char ch = rules.charAt(i);
      Op op = Op.ADD;
      boolean special = false;
      switch (ch) {
        case '-' -> {
          op = Op.DEL;
          i++;
        }
        case '+' -> {
          op = Op.ORD;
          i++;
        }
        case '!' -> {
          op = Op.KILL;
          i++;
        }
        case '@' -> {
          special = true;
          i++;
        }
        default -> {}
      }
      if (isSeparator(ch)) {
        i++;
        continue;
      }
      Alias selector = null;
      boolean found = false;
      String word = "";
      while (true) {
        int start = i;
        while (i < n && isNameChar(rules.charAt(i))) {
          i++;
        }
        word = rules.substring(start, i);
        if (word.isEmpty()) {
          state.error = "invalid command in cipher string at \"" + rules.substring(Math.min(i, n)) + "\"";
          found = false;
          i++;
          break;
        }
        if (special) {
          break;
        }
        boolean multi = i < n && rules.charAt(i) == '+';
        if (multi) {
          i++;
        }
        Alias a = ALIASES.get(word);
        if (a == null) {
          found = false;
          break;
        }
        selector = selector == null ? a : selector.and(a);
        found = selector != null;
        if (!found || !multi) {
          break;
        }
      }
      if (special) {
        if (word.equals("STRENGTH")) {
          strengthSort(list);
        } else if (word.length() == 10 && word.startsWith("SECLEVEL=")
            && Character.isDigit(word.charAt(9)) && word.charAt(9) <= '5') {
          state.securityLevel = word.charAt(9) - '0';
        } else {
          state.error = "unknown cipher string command @" + word;
        }
        while (i < n && !isSeparator(rules.charAt(i))) {
          i++;
        }
      } else if (found) {
        apply(list, selector, op);
      } else {
        while (i < n && !isSeparator(rules.charAt(i))) {
          i++;
        }
      }
    }
  }

  private static List<CipherSuite> load() {
    ImmutableList.Builder<CipherSuite> out = ImmutableList.builder();
    try (InputStream in = OpenSslCipherString.class.getResourceAsStream("openssl3-ciphers.tsv");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        List<String> f = Splitter.on('\t').splitToList(line);
        out.add(new CipherSuite(Integer.decode(f.get(0)), f.get(1), f.get(2), f.get(3), f.get(4),
            f.get(5), f.get(6), Integer.parseInt(f.get(7)),
            f.get(8).equals("-") ? Set.of() : Set.copyOf(Splitter.on(',').splitToList(f.get(8)))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cipher table missing from the jar", e);
    }
    // OpenSSL collects ssl3_ciphers (sorted by id) from the end: descending id is its base order.
    List<CipherSuite> sorted = new ArrayList<>(out.build());
    sorted.sort((a, b) -> Integer.compare(b.id(), a.id()));
    return List.copyOf(sorted);
  }

  private static Map<String, Alias> aliases() {
    Map<String, Alias> m = new LinkedHashMap<>();
    Set<String> allEnc = new HashSet<>();
    Set<String> allKx = new HashSet<>();
    Set<String> allAu = new HashSet<>();
    for (CipherSuite s : SUITES) {
      allEnc.add(s.enc());
      allKx.add(s.kx());
      allAu.add(s.au());
    }
    Set<String> notNullEnc = new HashSet<>(allEnc);
    notNullEnc.remove("eNULL");
    Set<String> authenticated = new HashSet<>(allAu);
    authenticated.remove("NULL");
    // named suites first: OpenSSL searches real cipher names before aliases
    for (CipherSuite s : SUITES) {
      m.put(s.name(), new Alias(null, null, null, null, null, null, false, s.id()));
    }
    enc(m, "ALL", notNullEnc);
    enc(m, "COMPLEMENTOFALL", Set.of("eNULL"));
    m.put("COMPLEMENTOFDEFAULT", new Alias(null, null, null, null, null, null, true, -1));
    kx(m, "kRSA", "RSA");
    for (String k : List.of("kEDH", "kDHE", "DH")) {
      kx(m, k, "DHE");
    }
    for (String k : List.of("kEECDH", "kECDHE", "ECDH")) {
      kx(m, k, "ECDHE");
    }
    for (String k : List.of("PSK", "RSAPSK", "ECDHEPSK", "DHEPSK", "SRP", "GOST")) {
      kx(m, "k" + k, k);
    }
    au(m, "aRSA", "RSA");
    au(m, "aDSS", "DSS");
    au(m, "DSS", "DSS");
    au(m, "aNULL", "NULL");
    au(m, "aECDSA", "ECDSA");
    au(m, "ECDSA", "ECDSA");
    au(m, "aPSK", "PSK");
    au(m, "aSRP", "SRP");
    for (String k : List.of("EDH", "DHE")) {
      m.put(k, new Alias(Set.of("DHE"), authenticated, null, null, null, null, false, -1));
    }
    for (String k : List.of("EECDH", "ECDHE")) {
      m.put(k, new Alias(Set.of("ECDHE"), authenticated, null, null, null, null, false, -1));
    }
    enc(m, "NULL", Set.of("eNULL"));
    enc(m, "eNULL", Set.of("eNULL"));
    m.put("RSA", new Alias(Set.of("RSA"), Set.of("RSA"), null, null, null, null, false, -1));
    m.put("ADH", new Alias(Set.of("DHE"), Set.of("NULL"), null, null, null, null, false, -1));
    m.put("AECDH", new Alias(Set.of("ECDHE"), Set.of("NULL"), null, null, null, null, false, -1));
    m.put("PSK", new Alias(Set.of("PSK", "RSAPSK", "ECDHEPSK", "DHEPSK"), null, null, null, null,
        null, false, -1));
    kx(m, "SRP", "SRP");
    enc(m, "AES128", Set.of("AES128", "AES128GCM", "AES128CCM", "AES128CCM8"));
    enc(m, "AES256", Set.of("AES256", "AES256GCM", "AES256CCM", "AES256CCM8"));
    enc(m, "AES", Set.of("AES128", "AES128GCM", "AES128CCM", "AES128CCM8", "AES256",
        "AES256GCM", "AES256CCM", "AES256CCM8"));
    enc(m, "AESGCM", Set.of("AES128GCM", "AES256GCM"));
    enc(m, "AESCCM", Set.of("AES128CCM", "AES256CCM", "AES128CCM8", "AES256CCM8"));
    enc(m, "AESCCM8", Set.of("AES128CCM8", "AES256CCM8"));
    enc(m, "CAMELLIA128", Set.of("CAMELLIA128"));
    enc(m, "CAMELLIA256", Set.of("CAMELLIA256"));
    enc(m, "CAMELLIA", Set.of("CAMELLIA128", "CAMELLIA256"));
    enc(m, "CHACHA20", Set.of("CHACHA20POLY1305"));
    enc(m, "ARIA", Set.of("ARIA128GCM", "ARIA256GCM"));
    enc(m, "ARIAGCM", Set.of("ARIA128GCM", "ARIA256GCM"));
    enc(m, "ARIA128", Set.of("ARIA128GCM"));
    enc(m, "ARIA256", Set.of("ARIA256GCM"));
    enc(m, "CBC", Set.of("AES128", "AES256", "CAMELLIA128", "CAMELLIA256"));
    mac(m, "MD5", "MD5");
    mac(m, "SHA1", "SHA1");
    mac(m, "SHA", "SHA1");
    mac(m, "SHA256", "SHA256");
    mac(m, "SHA384", "SHA384");
    for (String[] v : new String[][] {{"SSLv3", "SSLv3"}, {"TLSv1", "TLSv1"}, {"TLSv1.0", "TLSv1"},
        {"TLSv1.2", "TLSv1.2"}}) {
      m.put(v[0], new Alias(null, null, null, null, v[1], null, false, -1));
    }
    for (String k : List.of("LOW", "MEDIUM", "HIGH")) {
      m.put(k, new Alias(null, null, null, null, null, k, false, -1));
    }
    m.put("FIPS", new Alias(null, null, notNullEnc, null, null, "FIPS", false, -1));
    // aliases whose algorithms this OpenSSL build lacks are not collected, so they match nothing
    m.values().removeIf(a -> a.id() < 0 && a.kx() != null && !intersects(a.kx(), allKx));
    return Map.copyOf(new HashMap<>(m));
  }

  private static boolean intersects(Set<String> a, Set<String> b) {
    return a.stream().anyMatch(b::contains);
  }

  private static void kx(Map<String, Alias> m, String name, String kx) {
    m.put(name, new Alias(Set.of(kx), null, null, null, null, null, false, -1));
  }

  private static void au(Map<String, Alias> m, String name, String au) {
    m.put(name, new Alias(null, Set.of(au), null, null, null, null, false, -1));
  }

  private static void enc(Map<String, Alias> m, String name, Set<String> enc) {
    m.put(name, new Alias(null, null, enc, null, null, null, false, -1));
  }

  private static void mac(Map<String, Alias> m, String name, String mac) {
    m.put(name, new Alias(null, null, null, Set.of(mac), null, null, false, -1));
  }
}
