package io.portproof.parse.nginx;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.model.web.CertificateFacts;
import io.portproof.model.web.Condition;
import io.portproof.model.web.Content;
import io.portproof.model.Family;
import io.portproof.model.web.HeaderRule;
import io.portproof.model.web.ListenerRef;
import io.portproof.model.web.Location;
import io.portproof.model.web.Rule;
import io.portproof.model.web.TlsSettings;
import io.portproof.model.web.VirtualHost;
import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Converts nginx directives into virtual hosts, applying nginx's own inheritance: a level with any
 * {@code add_header} drops every inherited one, {@code ssl_*} settings flow from {@code http} to
 * {@code server}, content handlers belong to their location.
 */
final class NginxConverter {
  /** nginx 1.22's default; TLSv1.3 joined the default only in nginx 1.23.4 (checked on the real server). */
  static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2");
  static final String DEFAULT_CIPHERS = "HIGH:!aNULL:!MD5";

  private static final Set<String> UPSTREAM_HANDLERS =
      Set.of("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass");
  private static final Set<String> LISTEN_FLAGS_IGNORED =
      Set.of("bind", "deferred", "reuseport", "default");

  private final Diagnostics diagnostics;
  private final Path confPrefix;
  /** Thousands of servers usually share a handful of certificates: read each once. */
  private final Map<Path, CertificateFacts> certificates = new HashMap<>();
  /** Regexes already known to compile: generated configurations repeat the same few. */
  private final Set<String> compiled = new HashSet<>();

  /** Settings that flow down from {@code http} to {@code server} to {@code location}. */
  private record Level(
      List<HeaderRule> headers,
      Setting protocols,
      Setting ciphers,
      Setting tls13,
      Setting certificate,
      boolean dhParams,
      boolean sslOn,
      Content staticContent,
      boolean serverNameInRedirect,
      boolean portInRedirect) {}

  /** A value and the line that set it. */
  private record Setting(String value, SourceRef source) {}

  NginxConverter(Diagnostics diagnostics, Path confPrefix) {
    this.diagnostics = diagnostics;
    this.confPrefix = confPrefix;
  }

  List<VirtualHost> convert(List<Directive> main, String mainFile) {
    SourceRef fileRef = SourceRef.ofFile(mainFile);
    Level top =
        new Level(
            List.of(),
            null,
            null,
            null,
            null,
            false,
            false,
            new Content(Content.Kind.STATIC, 404, fileRef),
            false,
            true);
    List<VirtualHost> hosts = new ArrayList<>();
    for (Directive d : main) {
      switch (d.name()) {
        case "http" -> {
          if (d.block() == null) {
            diagnostics.invalid(d.source(), "http must be a block");
            continue;
          }
          Level http = level(d.block(), top);
          for (Directive s : d.block()) {
            if (s.name().equals("server") && s.block() != null) {
              hosts.add(server(s, http));
            } else {
              checkKnown(s, NginxDirectives.HTTP);
            }
          }
        }
        case "stream", "mail" ->
            diagnostics.unsupported(
                d.source(), d.name() + " servers are not modelled; their sockets are not predicted");
        default -> checkKnown(d, NginxDirectives.MAIN);
      }
    }
    return hosts;
  }

  private void checkKnown(Directive d, Set<String> known) {
    if (!known.contains(d.name()) && !NginxDirectives.isIgnoredFamily(d.name())) {
      diagnostics.unsupported(d.source(), "unknown or unmodelled directive \"" + d.name() + "\"");
    }
  }

  /** Computes the level a block establishes on top of its parent. */
  private Level level(List<Directive> block, Level parent) {
    List<HeaderRule> own = new ArrayList<>();
    Setting protocols = parent.protocols();
    Setting ciphers = parent.ciphers();
    Setting tls13 = parent.tls13();
    Setting certificate = parent.certificate();
    boolean dh = parent.dhParams();
    boolean sslOn = parent.sslOn();
    Content content = parent.staticContent();
    boolean nameInRedirect = parent.serverNameInRedirect();
    boolean portInRedirect = parent.portInRedirect();
    for (Directive d : block) {
      switch (d.name()) {
        case "add_header" -> {
          if (d.args().size() < 2 || d.args().size() > 3
              || (d.args().size() == 3 && !d.arg(2).equals("always"))) {
            diagnostics.invalid(d.source(), "add_header takes a name, a value and optionally \"always\"");
          } else {
            own.add(new HeaderRule(d.arg(0), d.arg(1),
                d.args().size() == 3 ? HeaderRule.Scope.ALWAYS : HeaderRule.Scope.NGINX_SUCCESS,
                d.source()));
          }
        }
        case "ssl_protocols" -> protocols = new Setting(String.join(" ", d.args()), d.source());
        case "ssl_ciphers" -> ciphers = new Setting(d.arg(0), d.source());
        case "ssl_certificate" -> certificate = new Setting(d.arg(0), d.source());
        case "ssl_dhparam" -> dh = true;
        case "ssl_conf_command" -> {
          if (d.arg(0).equalsIgnoreCase("Ciphersuites")) {
            tls13 = new Setting(d.arg(1), d.source());
          } else {
            diagnostics.unsupported(d.source(), "ssl_conf_command " + d.arg(0)
                + " is not modelled; the TLS prediction may differ");
          }
        }
        case "ssl" -> {
          sslOn = d.arg(0).equals("on");
          diagnostics.risky(d.source(), "\"ssl on\" is deprecated since nginx 1.15.0; use \"listen … ssl\"");
        }
        case "root", "alias" -> content = new Content(Content.Kind.STATIC, 404, d.source());
        case "server_name_in_redirect" -> nameInRedirect = d.arg(0).equals("on");
        case "port_in_redirect" -> portInRedirect = d.arg(0).equals("on");
        case "absolute_redirect" -> {
          if (d.arg(0).equals("off")) {
            diagnostics.unsupported(d.source(), "absolute_redirect off is not modelled; "
                + "relative redirects are predicted as absolute URLs");
          }
        }
        case "error_page" -> diagnostics.unsupported(d.source(),
            "error_page is not modelled; error responses are predicted as nginx's built-in pages");
        default -> {}
      }
    }
    return new Level(
        own.isEmpty() ? parent.headers() : own,
        protocols, ciphers, tls13, certificate, dh, sslOn, content, nameInRedirect, portInRedirect);
  }

  private VirtualHost server(Directive server, Level http) {
    Level lvl = level(server.block(), http);
    List<ListenerRef> listeners = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Location> locations = new ArrayList<>();
    boolean http2Directive = false;
    boolean sawListen = false;
    for (Directive d : server.block()) {
      switch (d.name()) {
        case "listen" -> {
          sawListen = true;
          ListenerRef l = listen(d);
          if (l != null) {
            listeners.add(l);
          }
        }
        case "server_name" -> names.addAll(d.args());
        case "location" -> {
          Location loc = location(d, lvl);
          if (loc != null) {
            locations.add(loc);
          }
        }
        case "http2" -> http2Directive = d.arg(0).equals("on");
        default -> {
          if (!NginxDirectives.REWRITE.contains(d.name())) {
            checkKnown(d, NginxDirectives.SERVER);
          }
        }
      }
    }
    if (!sawListen) {
      // nginx's default for a server without listen (when running as root)
      listeners.add(new ListenerRef(Family.IPV4, "0.0.0.0", 80, "tcp", false, false, false, false,
          false, new SourceRef(server.source().file(), server.source().line(),
              "server { (no listen: nginx listens on *:80)")));
    }
    if (lvl.sslOn() || http2Directive) {
      boolean sslOn = lvl.sslOn();
      boolean h2 = http2Directive;
      listeners.replaceAll(l -> l.transport().equals("udp") ? l
          : new ListenerRef(l.family(), l.address(), l.port(), l.transport(), l.tls() || sslOn,
              l.defaultServer(), l.http2() || h2, l.proxyProtocol(), l.dualStack(), l.source()));
    }
    TlsSettings tls = listeners.stream().anyMatch(ListenerRef::tls) ? tls(lvl, server) : null;
    return new VirtualHost(
        listeners,
        names,
        tls,
        rules(server.block(), lvl, false),
        locations,
        lvl.headers(),
        // without any root, nginx serves its compiled-in html directory: the server block decides
        lvl.staticContent().source().line() == 0
            ? new Content(Content.Kind.STATIC, 404, server.source()) : lvl.staticContent(),
        lvl.serverNameInRedirect(),
        lvl.portInRedirect(),
        server.source());
  }

  private TlsSettings tls(Level lvl, Directive server) {
    SourceRef at = server.source();
    SourceRef protocolsBy = lvl.protocols() != null ? lvl.protocols().source()
        : new SourceRef(at.file(), at.line(),
            at.text() + " (nginx default: ssl_protocols " + String.join(" ", DEFAULT_PROTOCOLS) + ")");
    List<String> protocols = lvl.protocols() != null
        ? List.of(lvl.protocols().value().split(" ")) : DEFAULT_PROTOCOLS;
    SourceRef ciphersBy = lvl.ciphers() != null ? lvl.ciphers().source()
        : new SourceRef(at.file(), at.line(), at.text() + " (nginx default: ssl_ciphers " + DEFAULT_CIPHERS + ")");
    String ciphers = lvl.ciphers() != null ? lvl.ciphers().value() : DEFAULT_CIPHERS;
    SourceRef tls13By = lvl.tls13() != null ? lvl.tls13().source()
        : new SourceRef(at.file(), at.line(), at.text() + " (OpenSSL default TLS 1.3 suites)");
    String tls13 = lvl.tls13() != null ? lvl.tls13().value() : TlsSettings.DEFAULT_TLS13_SUITES;
    CertificateFacts cert = null;
    SourceRef certBy = null;
    if (lvl.certificate() == null) {
      diagnostics.invalid(at, "no \"ssl_certificate\" is defined for a TLS listener of this server;"
          + " nginx refuses to start");
    } else {
      certBy = lvl.certificate().source();
      String file = lvl.certificate().value();
      if (file.contains("$")) {
        diagnostics.unsupported(certBy, "certificates chosen by variables are not read");
      } else {
        Path path = confPrefix.resolve(file).normalize();
        try {
          CertificateFacts known = certificates.get(path);
          if (known == null) {
            known = CertificateFacts.read(path, certBy);
            certificates.put(path, known);
          }
          cert = known.at(certBy);
        } catch (IOException e) {
          diagnostics.invalid(certBy, "cannot read the certificate " + path + " ("
              + e.getClass().getSimpleName() + "); nginx refuses to start without it");
        }
      }
    }
    return new TlsSettings(protocols, protocolsBy, ciphers, ciphersBy, tls13, tls13By,
        lvl.dhParams(), cert, certBy);
  }

  /** Parses every documented form of {@code listen}; null (with a diagnostic) when unusable. */
  ListenerRef listen(Directive d) {
    if (d.args().isEmpty()) {
      diagnostics.invalid(d.source(), "listen needs an address or port");
      return null;
    }
    String spec = d.arg(0);
    Family family;
    String address;
    int port = 80;
    if (spec.startsWith("unix:")) {
      // local only: never exposed, and its requests are not what a network client sees
      diagnostics.unsupported(d.source(), "UNIX socket " + spec.substring(5) + " is not a network endpoint");
      return null;
    }
    if (spec.startsWith("[")) {
      int close = spec.indexOf(']');
      if (close < 0) {
        diagnostics.invalid(d.source(), "unclosed IPv6 address in listen");
        return null;
      }
      family = Family.IPV6;
      address = spec.substring(1, close);
      if (!InetAddresses.isInetAddress(address)) {
        diagnostics.invalid(d.source(), "not an IPv6 address: " + address);
        return null;
      }
      address = InetAddresses.toAddrString(InetAddresses.forString(address));
      String rest = spec.substring(close + 1);
      if (rest.startsWith(":")) {
        Integer p = port(rest.substring(1), d);
        if (p == null) {
          return null;
        }
        port = p;
      } else if (!rest.isEmpty()) {
        diagnostics.invalid(d.source(), "unexpected text after the IPv6 address: " + rest);
        return null;
      }
    } else {
      family = Family.IPV4;
      int colon = spec.lastIndexOf(':');
      String host = colon >= 0 ? spec.substring(0, colon) : spec;
      String portText = colon >= 0 ? spec.substring(colon + 1) : null;
      if (colon < 0 && spec.chars().allMatch(Character::isDigit)) {
        host = "*";
        portText = spec;
      }
      if (portText != null) {
        Integer p = port(portText, d);
        if (p == null) {
          return null;
        }
        port = p;
      }
      if (host.equals("*")) {
        address = "0.0.0.0";
      } else if (host.equals("localhost")) {
        diagnostics.risky(d.source(), "listen on a host name binds whatever it resolves to at start;"
            + " predicted as 127.0.0.1");
        address = "127.0.0.1";
      } else if (InetAddresses.isInetAddress(host) && !host.contains(":")) {
        address = host;
      } else {
        diagnostics.unsupported(d.source(), "listen on host name \"" + host
            + "\" depends on name resolution at start; not predicted");
        return null;
      }
    }
    boolean tls = false;
    boolean def = false;
    boolean h2 = false;
    boolean proxy = false;
    boolean dual = false;
    String transport = "tcp";
    for (String p : d.args().subList(1, d.args().size())) {
      String key = p.contains("=") ? p.substring(0, p.indexOf('=')) : p;
      switch (key) {
        case "ssl" -> tls = true;
        case "default_server" -> def = true;
        case "http2" -> h2 = true;
        case "quic" -> {
          transport = "udp";
          tls = true;
        }
        case "proxy_protocol" -> proxy = true;
        case "ipv6only" -> dual = family == Family.IPV6 && p.equals("ipv6only=off");
        case "backlog", "rcvbuf", "sndbuf", "accept_filter", "fastopen", "so_keepalive", "setfib" -> {}
        default -> {
          if (!LISTEN_FLAGS_IGNORED.contains(key)) {
            diagnostics.invalid(d.source(), "invalid listen parameter \"" + p + "\"");
          }
          def |= key.equals("default");
        }
      }
    }
    if (transport.equals("udp")) {
      diagnostics.risky(d.source(), "\"listen … quic\" binds UDP " + port
          + " (HTTP/3), not TCP; it needs nginx 1.25 or later");
    }
    return new ListenerRef(family, address, port, transport, tls, def, h2, proxy, dual, d.source());
  }

  private Integer port(String text, Directive d) {
    try {
      int p = Integer.parseInt(text);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    diagnostics.invalid(d.source(), "invalid port \"" + text + "\" in listen");
    return null;
  }

  private Location location(Directive d, Level parent) {
    if (d.block() == null || d.args().isEmpty() || d.args().size() > 2) {
      diagnostics.invalid(d.source(), "location needs a modifier and URI and a block");
      return null;
    }
    Location.Match match;
    String pattern;
    if (d.args().size() == 2) {
      pattern = d.arg(1);
      match = switch (d.arg(0)) {
        case "=" -> Location.Match.EXACT;
        case "~" -> Location.Match.REGEX;
        case "~*" -> Location.Match.REGEX_CI;
        case "^~" -> Location.Match.PREFIX_NO_REGEX;
        default -> null;
      };
      if (match == null) {
        diagnostics.invalid(d.source(), "invalid location modifier \"" + d.arg(0) + "\"");
        return null;
      }
    } else if (d.arg(0).startsWith("@")) {
      match = Location.Match.NAMED;
      pattern = d.arg(0);
    } else if (d.arg(0).startsWith("=")) {
      match = Location.Match.EXACT;
      pattern = d.arg(0).substring(1);
    } else if (d.arg(0).startsWith("~*")) {
      match = Location.Match.REGEX_CI;
      pattern = d.arg(0).substring(2);
    } else if (d.arg(0).startsWith("~")) {
      match = Location.Match.REGEX;
      pattern = d.arg(0).substring(1);
    } else {
      match = Location.Match.PREFIX;
      pattern = d.arg(0);
    }
    if (match == Location.Match.REGEX || match == Location.Match.REGEX_CI) {
      pattern = javaRegex(pattern, d.source());
      if (pattern == null) {
        return null;
      }
    }
    Level lvl = level(d.block(), parent);
    List<Location> nested = new ArrayList<>();
    Content content = null;
    for (Directive c : d.block()) {
      if (c.name().equals("location")) {
        Location n = location(c, lvl);
        if (n != null) {
          nested.add(n);
        }
      } else if (UPSTREAM_HANDLERS.contains(c.name())) {
        content = new Content(Content.Kind.UPSTREAM, 0, c.source());
      } else if (c.name().equals("try_files")) {
        String last = c.arg(c.args().size() - 1);
        content = last.startsWith("=")
            ? new Content(Content.Kind.STATIC, parseInt(last.substring(1), 404), c.source())
            : new Content(Content.Kind.UPSTREAM, 0, c.source());
      } else if (!NginxDirectives.REWRITE.contains(c.name())) {
        checkKnown(c, NginxDirectives.LOCATION);
      }
    }
    return new Location(match, pattern, rules(d.block(), lvl, true), nested, lvl.headers(),
        content != null ? content : lvl.staticContent(), d.source());
  }

  private static int parseInt(String s, int fallback) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** nginx's rewrite-module directives of one block, in order. */
  private List<Rule> rules(List<Directive> block, Level lvl, boolean inLocation) {
    List<Rule> rules = new ArrayList<>();
    for (Directive d : block) {
      switch (d.name()) {
        case "return" -> {
          Rule r = ret(d);
          if (r != null) {
            rules.add(r);
          }
        }
        case "rewrite" -> {
          Rule r = rewrite(d);
          if (r != null) {
            rules.add(r);
          }
        }
        case "break" -> rules.add(new Rule.Break(d.source()));
        case "set" -> rules.add(new Rule.Assign(d.arg(0), d.arg(1), d.source()));
        case "if" -> {
          if (d.block() == null) {
            diagnostics.invalid(d.source(), "if needs a block");
            continue;
          }
          Condition c = condition(d);
          Level inner = inLocation ? level(d.block(), lvl) : lvl;
          for (Directive x : d.block()) {
            if (!NginxDirectives.REWRITE.contains(x.name()) && !inLocation) {
              diagnostics.invalid(x.source(), "\"" + x.name() + "\" is not allowed inside a server-level if");
            } else if (!NginxDirectives.REWRITE.contains(x.name())
                && !NginxDirectives.IF_IN_LOCATION.contains(x.name())) {
              diagnostics.unsupported(x.source(), "\"" + x.name() + "\" inside if is not modelled");
            }
          }
          rules.add(new Rule.If(List.of(c), rules(d.block(), inner, inLocation),
              inLocation ? inner.headers() : null, d.source()));
        }
        default -> {}
      }
    }
    return rules;
  }

  private Rule ret(Directive d) {
    if (d.args().isEmpty() || d.args().size() > 2) {
      diagnostics.invalid(d.source(), "return takes a code and an optional URL or text");
      return null;
    }
    String first = d.arg(0);
    if (first.startsWith("http://") || first.startsWith("https://") || first.startsWith("$scheme")) {
      return new Rule.Return(302, first, d.source());
    }
    int code;
    try {
      code = Integer.parseInt(first);
    } catch (NumberFormatException e) {
      diagnostics.invalid(d.source(), "invalid return code \"" + first + "\"");
      return null;
    }
    if (code > 999) {
      diagnostics.invalid(d.source(), "invalid return code \"" + first + "\"");
      return null;
    }
    boolean redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    return new Rule.Return(code, redirect && d.args().size() == 2 ? d.arg(1) : null, d.source());
  }

  private Rule rewrite(Directive d) {
    if (d.args().size() < 2 || d.args().size() > 3) {
      diagnostics.invalid(d.source(), "rewrite takes a regex, a replacement and an optional flag");
      return null;
    }
    String regex = javaRegex(d.arg(0), d.source());
    if (regex == null) {
      return null;
    }
    String replacement = d.arg(1);
    boolean absolute = replacement.startsWith("http://") || replacement.startsWith("https://")
        || replacement.startsWith("$scheme");
    Rule.Rewrite.Flag flag = Rule.Rewrite.Flag.NONE;
    int status = absolute ? 302 : 0;
    switch (d.arg(2)) {
      case "" -> {}
      case "last" -> flag = Rule.Rewrite.Flag.LAST;
      case "break" -> flag = Rule.Rewrite.Flag.BREAK;
      case "redirect" -> status = 302;
      case "permanent" -> status = 301;
      default -> {
        diagnostics.invalid(d.source(), "invalid rewrite flag \"" + d.arg(2) + "\"");
        return null;
      }
    }
    if (status != 0) {
      flag = Rule.Rewrite.Flag.REDIRECT;
    }
    boolean keepArgs = !replacement.endsWith("?");
    if (!keepArgs) {
      replacement = replacement.substring(0, replacement.length() - 1);
    }
    return new Rule.Rewrite(regex, false, replacement, flag, status, keepArgs, d.source());
  }

  private Condition condition(Directive d) {
    List<String> a = new ArrayList<>(d.args());
    String joined = String.join(" ", a);
    if (!a.isEmpty()) {
      a.set(0, a.get(0).startsWith("(") ? a.get(0).substring(1) : a.get(0));
      int last = a.size() - 1;
      a.set(last, a.get(last).endsWith(")") ? a.get(last).substring(0, a.get(last).length() - 1) : a.get(last));
      a.removeIf(String::isEmpty);
    }
    if (a.size() == 1 && a.get(0).startsWith("$")) {
      return new Condition(a.get(0), Condition.Op.NE, "", d.source());
    }
    if (a.size() == 3 && a.get(0).startsWith("$")) {
      Condition.Op op = switch (a.get(1)) {
        case "=" -> Condition.Op.EQ;
        case "!=" -> Condition.Op.NE;
        case "~" -> Condition.Op.MATCH;
        case "~*" -> Condition.Op.MATCH_CI;
        case "!~" -> Condition.Op.NOT_MATCH;
        case "!~*" -> Condition.Op.NOT_MATCH_CI;
        default -> null;
      };
      if (op != null) {
        String operand = a.get(2);
        if (op != Condition.Op.EQ && op != Condition.Op.NE) {
          operand = javaRegex(operand, d.source());
          if (operand == null) {
            return Condition.unknown(d.source());
          }
        }
        return new Condition(a.get(0), op, operand, d.source());
      }
    }
    diagnostics.unsupported(d.source(), "if condition " + joined
        + " is not modelled (file tests and the like); affected responses are unknown");
    return Condition.unknown(d.source());
  }

  /** PCRE to java.util.regex for the constructs configurations use; null when invalid. */
  private String javaRegex(String pcre, SourceRef at) {
    String java = pcre.replace("(?P<", "(?<");
    if (compiled.contains(java)) {
      return java;
    }
    try {
      Pattern.compile(java);
      compiled.add(java);
      return java;
    } catch (PatternSyntaxException e) {
      diagnostics.invalid(at, "regular expression does not compile: " + e.getDescription());
      return null;
    }
  }
}
