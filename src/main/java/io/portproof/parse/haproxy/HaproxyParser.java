package io.portproof.parse.haproxy;

import com.google.common.net.InetAddresses;
import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.model.web.CertificateFacts;
import io.portproof.model.web.Condition;
import io.portproof.model.web.Content;
import io.portproof.model.Family;
import io.portproof.model.web.HeaderRule;
import io.portproof.model.web.ListenerRef;
import io.portproof.model.web.Rule;
import io.portproof.model.web.ServerModel;
import io.portproof.model.web.TlsSettings;
import io.portproof.model.web.VirtualHost;
import io.portproof.parse.ServerConfigParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an HAProxy 2.6 configuration: {@code frontend} and {@code listen} sections become virtual
 * hosts (HAProxy has no name-based hosts), {@code bind} lines their sockets, {@code http-request
 * redirect}/{@code return}/{@code deny} and {@code redirect} their rules, and {@code http-response}
 * / {@code http-after-response} headers their headers with HAProxy's scope: {@code http-response}
 * only touches responses that came from a server, never HAProxy's own redirects and errors.
 */
public final class HaproxyParser implements ServerConfigParser {
  /** Larger inputs are refused: no real configuration comes near this. */
  static final long MAX_FILE_BYTES = 64L << 20;

  /** A section header alone on its line: no nginx ";" or "{" and at most a name and an address. */
  private static final Pattern SNIFF = Pattern.compile(
      "(?m)^(frontend|backend|listen|defaults|global)([ \\t]+[^\\s;{]+){0,2}[ \\t]*$");
  private static final Set<String> SECTIONS = Set.of("global", "defaults", "frontend", "backend",
      "listen", "resolvers", "peers", "userlist", "program", "http-errors", "cache", "mailers",
      "ring", "log-forward");
  private static final List<String> VERSIONS = List.of("SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  @Override
  public String summary() {
    return "HAProxy configuration (haproxy.cfg)";
  }

  @Override
  public String name() {
    return "haproxy";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return SNIFF.matcher(head).find();
  }

  /** One configuration line split into words. */
  private record Line(List<String> words, SourceRef source) {
    String word(int i) {
      return i < words.size() ? words.get(i) : "";
    }
  }

  private static final class Section {
    final String kind;
    final String name;
    final SourceRef source;
    final List<Line> lines = new ArrayList<>();

    Section(String kind, String name, SourceRef source) {
      this.kind = kind;
      this.name = name;
      this.source = source;
    }
  }

  @Override
  public ServerModel parse(Path file, Diagnostics diagnostics) {
    String name = file.toString();
    List<Section> sections = read(file, diagnostics);
    if (sections == null) {
      return new ServerModel(name(), name, List.of(), List.of());
    }
    Map<String, Section> backends = new HashMap<>();
    Section global = null;
    for (Section s : sections) {
      if (s.kind.equals("backend") || s.kind.equals("listen")) {
        backends.put(s.name, s);
      }
      if (s.kind.equals("global")) {
        global = s;
      }
    }
    List<VirtualHost> hosts = new ArrayList<>();
    for (Section s : sections) {
      if (s.kind.equals("frontend") || s.kind.equals("listen")) {
        VirtualHost h = new Converter(diagnostics, file.toAbsolutePath().getParent(), global, backends)
            .frontend(s);
        if (h != null) {
          hosts.add(h);
        }
      }
    }
    if (hosts.isEmpty()) {
      diagnostics.invalid(SourceRef.ofFile(name), "no frontend or listen section with a bind line:"
          + " nothing could be analyzed");
    }
    return new ServerModel(name(), name, hosts, List.of());
  }

  private static List<Section> read(Path file, Diagnostics diagnostics) {
    String text;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        diagnostics.invalid(SourceRef.ofFile(file.toString()), file + " is " + size
            + " bytes, over the " + MAX_FILE_BYTES + "-byte limit for a configuration file; not read");
        return null;
      }
      text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      diagnostics.invalid(SourceRef.ofFile(file.toString()), "cannot read " + file + ": " + e.getMessage());
      return null;
    }
    List<Section> sections = new ArrayList<>();
    Section current = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      SourceRef at = new SourceRef(file.toString(), i + 1, lines[i]);
      List<String> words = words(lines[i], at, diagnostics);
      if (words.isEmpty()) {
        continue;
      }
      if (SECTIONS.contains(words.get(0))) {
        current = new Section(words.get(0), words.size() > 1 ? words.get(1) : "", at);
        sections.add(current);
        if (words.get(0).equals("listen") && words.size() > 2) {
          current.lines.add(new Line(List.of("bind", words.get(2)), at));
        }
      } else if (current == null) {
        diagnostics.invalid(at, "\"" + words.get(0) + "\" outside of any section");
      } else {
        current.lines.add(new Line(words, at));
      }
    }
    return sections;
  }

  /** HAProxy's word splitting: quotes, backslash escapes, and {@code #} comments. */
  private static List<String> words(String line, SourceRef at, Diagnostics diagnostics) {
    List<String> out = new ArrayList<>();
    StringBuilder w = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
          w.append(line.charAt(++i));
        } else {
          w.append(c);
        }
        continue;
      }
      if (c == '#') {
        break;
      }
      if (Character.isWhitespace(c)) {
        if (w != null) {
          out.add(w.toString());
          w = null;
        }
        continue;
      }
      if (w == null) {
        w = new StringBuilder();
      }
      if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '\\' && i + 1 < line.length()) {
        w.append(line.charAt(++i));
      } else {
        w.append(c);
      }
    }
    if (quote != 0) {
      diagnostics.invalid(at, "unterminated quote");
    }
    if (w != null) {
      out.add(w.toString());
    }
    return out;
  }

  /** Converts one frontend or listen section. */
  private static final class Converter {
    private final Diagnostics diagnostics;
    private final Path dir;
    private final Section global;
    private final Map<String, Section> backends;
    private final Map<String, List<List<Condition>>> acls = new LinkedHashMap<>();

    Converter(Diagnostics diagnostics, Path dir, Section global, Map<String, Section> backends) {
      this.diagnostics = diagnostics;
      this.dir = dir;
      this.global = global;
      this.backends = backends;
    }

    VirtualHost frontend(Section s) {
      List<ListenerRef> listeners = new ArrayList<>();
      List<Rule> requestRules = new ArrayList<>();
      List<Rule> redirectRules = new ArrayList<>();
      List<HeaderRule> headers = new ArrayList<>();
      TlsSettings tls = null;
      Content content = new Content(Content.Kind.ERROR, 503, s.source);
      String backend = null;
      SourceRef backendBy = null;
      boolean tcpMode = false;
      for (Line l : s.lines) {
        if (l.word(0).equals("acl") && l.words().size() >= 3) {
          acls.put(l.word(1), fetch(l.words().subList(2, l.words().size()), l.source()));
        }
      }
      for (Line l : s.lines) {
        switch (l.word(0)) {
          case "bind" -> {
            List<ListenerRef> bound = bind(l);
            listeners.addAll(bound);
            if (bound.stream().anyMatch(ListenerRef::tls) && tls == null) {
              tls = tls(l);
            }
          }
          case "mode" -> tcpMode = l.word(1).equals("tcp");
          case "http-request" -> requestRule(l, requestRules);
          case "redirect" -> redirect(l, 1, redirectRules);
          case "http-response" -> header(l, HeaderRule.Scope.UPSTREAM_ONLY, headers);
          case "http-after-response" -> header(l, HeaderRule.Scope.ALWAYS, headers);
          case "default_backend" -> {
            backend = l.word(1);
            backendBy = l.source();
          }
          case "use_backend" -> diagnostics.unsupported(l.source(), "use_backend is not modelled;"
              + " requests are predicted to go to the default backend");
          case "server" -> {
            if (s.kind.equals("listen")) {
              backend = s.name;
              backendBy = l.source();
            }
          }
          default -> {}
        }
      }
      if (listeners.isEmpty()) {
        return null;
      }
      if (tcpMode) {
        diagnostics.unsupported(s.source, "mode tcp sections forward bytes; HTTP answers are not predicted");
      }
      if (backend != null) {
        Section b = backends.get(backend);
        if (b == null) {
          diagnostics.invalid(backendBy, "backend \"" + backend + "\" is not defined");
        } else {
          content = new Content(Content.Kind.UPSTREAM, 0, backendBy);
          if (b != null && !b.kind.equals("listen")) {
            for (Line l : b.lines) {
              if (l.word(0).equals("http-response")) {
                header(l, HeaderRule.Scope.UPSTREAM_ONLY, headers);
              } else if (l.word(0).equals("http-request") && l.word(1).equals("return")) {
                // a backend answering by itself: HAProxy's own response, not a server's
                content = new Content(Content.Kind.ERROR, 200, l.source());
                diagnostics.unsupported(l.source(), "http-request return in a backend is not modelled;"
                    + " its status is not predicted");
              }
            }
          }
        }
      }
      List<Rule> rules = new ArrayList<>(requestRules);
      // HAProxy evaluates "redirect" rules after every http-request rule
      rules.addAll(redirectRules);
      return new VirtualHost(listeners, List.of(), tls, rules, List.of(), headers, content,
          false, true, s.source);
    }

    private List<ListenerRef> bind(Line l) {
      List<ListenerRef> out = new ArrayList<>();
      List<String> opts = l.words().subList(Math.min(2, l.words().size()), l.words().size());
      boolean ssl = opts.contains("ssl");
      boolean proxy = opts.contains("accept-proxy");
      boolean v6only = opts.contains("v6only");
      boolean v4v6 = opts.contains("v4v6");
      for (String spec : l.word(1).split(",")) {
        ListenerRef r = address(spec, ssl, proxy, v6only, v4v6, l.source());
        if (r != null) {
          out.add(r);
        }
      }
      return out;
    }

    private ListenerRef address(String spec, boolean ssl, boolean proxy, boolean v6only,
        boolean v4v6, SourceRef at) {
      Family family = null;
      if (spec.startsWith("ipv4@")) {
        family = Family.IPV4;
        spec = spec.substring(5);
      } else if (spec.startsWith("ipv6@")) {
        family = Family.IPV6;
        spec = spec.substring(5);
      } else if (spec.startsWith("unix@") || spec.startsWith("/") || spec.startsWith("abns@")) {
        diagnostics.unsupported(at, "UNIX socket " + spec + " is local only; not a network endpoint");
        return null;
      } else if (spec.startsWith("fd@") || spec.startsWith("sockpair@") || spec.startsWith("quic")) {
        diagnostics.unsupported(at, "bind " + spec + " is not modelled");
        return null;
      }
      int colon = spec.lastIndexOf(':');
      if (colon < 0) {
        diagnostics.invalid(at, "bind address without a port: " + spec);
        return null;
      }
      String host = spec.substring(0, colon);
      String portText = spec.substring(colon + 1);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        diagnostics.unsupported(at, "bind port \"" + portText + "\" (ranges, names) is not modelled");
        return null;
      }
      if (port < 1 || port > 65535) {
        diagnostics.invalid(at, "invalid port " + port);
        return null;
      }
      String address;
      if (host.isEmpty() || host.equals("*")) {
        address = family == Family.IPV6 ? "::" : "0.0.0.0";
        family = family == null ? Family.IPV4 : family;
      } else if (host.equals("::") || (InetAddresses.isInetAddress(host) && host.contains(":"))) {
        family = Family.IPV6;
        address = InetAddresses.toAddrString(InetAddresses.forString(host));
      } else if (InetAddresses.isInetAddress(host)) {
        family = Family.IPV4;
        address = host;
      } else {
        diagnostics.unsupported(at, "bind on host name \"" + host + "\" depends on resolution; not predicted");
        return null;
      }
      // HAProxy leaves IPV6_V6ONLY to the kernel default (off on Linux) unless told v6only
      boolean dual = family == Family.IPV6 && address.equals("::") && (v4v6 || !v6only);
      return new ListenerRef(family, address, port, "tcp", ssl, false, false, proxy, dual, at);
    }

    private TlsSettings tls(Line bind) {
      List<String> globalOpts = new ArrayList<>();
      SourceRef optsBy = bind.source();
      String ciphers = "DEFAULT";
      SourceRef ciphersBy = new SourceRef(bind.source().file(), bind.source().line(),
          bind.source().text() + " (OpenSSL default cipher list)");
      String suites = TlsSettings.DEFAULT_TLS13_SUITES;
      SourceRef suitesBy = ciphersBy;
      if (global != null) {
        for (Line l : global.lines) {
          switch (l.word(0)) {
            case "ssl-default-bind-options" -> {
              globalOpts.addAll(l.words().subList(1, l.words().size()));
              optsBy = l.source();
            }
            case "ssl-default-bind-ciphers" -> {
              ciphers = l.word(1);
              ciphersBy = l.source();
            }
            case "ssl-default-bind-ciphersuites" -> {
              suites = l.word(1);
              suitesBy = l.source();
            }
            default -> {}
          }
        }
      }
      List<String> opts = new ArrayList<>(globalOpts);
      List<String> bindOpts = bind.words();
      for (int i = 2; i < bindOpts.size(); i++) {
        String o = bindOpts.get(i);
        if (o.equals("ciphers") && i + 1 < bindOpts.size()) {
          ciphers = bindOpts.get(++i);
          ciphersBy = bind.source();
        } else if (o.equals("ciphersuites") && i + 1 < bindOpts.size()) {
          suites = bindOpts.get(++i);
          suitesBy = bind.source();
        } else if (o.startsWith("ssl-m") || o.startsWith("no-tls") || o.startsWith("no-ssl")
            || o.startsWith("force-")) {
          opts.add(o);
          if (o.startsWith("ssl-m") && i + 1 < bindOpts.size()) {
            opts.add(bindOpts.get(++i));
          }
          optsBy = bind.source();
        }
      }
      List<String> protocols = protocols(opts);
      CertificateFacts cert = null;
      SourceRef certBy = null;
      int crt = bindOpts.indexOf("crt");
      if (crt < 0 || crt + 1 >= bindOpts.size()) {
        diagnostics.invalid(bind.source(), "ssl bind without crt: HAProxy refuses to start");
      } else {
        certBy = bind.source();
        cert = certificate(crtBase().resolve(bindOpts.get(crt + 1)).normalize(), certBy);
      }
      return new TlsSettings(protocols, optsBy, ciphers, ciphersBy, suites, suitesBy,
          /* dhParams= */ true, cert, certBy);
    }

    /** HAProxy 2.2+: TLS 1.2 minimum and the library's maximum unless options say otherwise. */
    private static List<String> protocols(List<String> opts) {
      int min = VERSIONS.indexOf("TLSv1.2");
      int max = VERSIONS.size() - 1;
      List<String> disabled = new ArrayList<>();
      for (int i = 0; i < opts.size(); i++) {
        String o = opts.get(i);
        String next = i + 1 < opts.size() ? opts.get(i + 1) : "";
        switch (o) {
          case "ssl-min-ver" -> min = Math.max(0, VERSIONS.indexOf(next));
          case "ssl-max-ver" -> max = VERSIONS.indexOf(next) < 0 ? max : VERSIONS.indexOf(next);
          case "no-sslv3" -> disabled.add("SSLv3");
          case "no-tlsv10" -> disabled.add("TLSv1.0");
          case "no-tlsv11" -> disabled.add("TLSv1.1");
          case "no-tlsv12" -> disabled.add("TLSv1.2");
          case "no-tlsv13" -> disabled.add("TLSv1.3");
          default -> {
            if (o.startsWith("force-")) {
              String v = switch (o) {
                case "force-tlsv10" -> "TLSv1.0";
                case "force-tlsv11" -> "TLSv1.1";
                case "force-tlsv12" -> "TLSv1.2";
                case "force-tlsv13" -> "TLSv1.3";
                default -> "SSLv3";
              };
              min = VERSIONS.indexOf(v);
              max = min;
            }
          }
        }
      }
      List<String> out = new ArrayList<>();
      for (int i = min; i <= max; i++) {
        if (!disabled.contains(VERSIONS.get(i))) {
          // the model names TLS 1.0 the way nginx and OpenSSL's protocol lists do
          out.add(VERSIONS.get(i).equals("TLSv1.0") ? "TLSv1" : VERSIONS.get(i));
        }
      }
      return out;
    }

    /**
     * Where relative {@code crt} paths start: {@code crt-base}, else the configuration's directory
     * (HAProxy itself uses its working directory; run it from there).
     */
    private Path crtBase() {
      if (global != null) {
        for (Line l : global.lines) {
          if (l.word(0).equals("crt-base")) {
            return dir.resolve(l.word(1));
          }
        }
      }
      return dir;
    }

    private CertificateFacts certificate(Path crt, SourceRef by) {
      Path pem = crt;
      if (Files.isDirectory(crt)) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(crt)) {
          ds.forEach(files::add);
        } catch (IOException e) {
          diagnostics.invalid(by, "cannot list certificate directory " + crt);
          return null;
        }
        files.removeIf(p -> p.getFileName().toString().endsWith(".key")
            || p.getFileName().toString().endsWith(".ocsp") || Files.isDirectory(p));
        files.sort(null);
        if (files.isEmpty()) {
          diagnostics.invalid(by, "certificate directory " + crt + " is empty");
          return null;
        }
        diagnostics.unsupported(by, "crt names a directory: HAProxy picks a certificate by SNI;"
            + " predicted with the first file, " + files.get(0).getFileName());
        pem = files.get(0);
      }
      try {
        return CertificateFacts.read(pem, by);
      } catch (IOException e) {
        diagnostics.invalid(by, "cannot read the certificate " + pem + " ("
            + e.getClass().getSimpleName() + "); HAProxy refuses to start without it");
        return null;
      }
    }

    private void requestRule(Line l, List<Rule> out) {
      switch (l.word(1)) {
        case "redirect" -> redirect(l, 2, out);
        case "return" -> {
          int status = 200;
          int i = l.words().indexOf("status");
          if (i > 0 && i + 1 < l.words().size()) {
            status = number(l.words().get(i + 1), l, status);
          }
          guard(l, new Rule.Return(status, null, l.source()), out);
        }
        case "deny" -> {
          int status = 403;
          int i = l.words().indexOf("deny_status");
          if (i > 0 && i + 1 < l.words().size()) {
            status = number(l.words().get(i + 1), l, status);
          }
          guard(l, new Rule.Return(status, null, l.source()), out);
        }
        case "set-header", "add-header", "del-header", "set-var", "capture", "set-log-level",
            "track-sc0", "track-sc1", "track-sc2", "allow" -> {}
        default -> diagnostics.unsupported(l.source(), "http-request " + l.word(1) + " is not modelled");
      }
    }

    /** {@code redirect scheme|location|prefix <to> [code N] [drop-query] [if|unless cond]}. */
    private void redirect(Line l, int at, List<Rule> out) {
      String type = l.word(at);
      String to = l.word(at + 1);
      int code = 302;
      boolean dropQuery = false;
      for (int i = at + 2; i < l.words().size(); i++) {
        String w = l.words().get(i);
        if (w.equals("code") && i + 1 < l.words().size()) {
          code = number(l.words().get(++i), l, code);
        } else if (w.equals("drop-query")) {
          dropQuery = true;
        } else if (w.equals("if") || w.equals("unless")) {
          break;
        }
      }
      String query = dropQuery ? "" : "$is_args$args";
      String location = switch (type) {
        // the Host header as sent, then the original path and query
        case "scheme" -> to + "://$http_host$uri" + query;
        case "prefix" -> to + "$uri" + query;
        case "location" -> to;
        default -> null;
      };
      if (location == null || location.contains("%[")) {
        diagnostics.unsupported(l.source(), "redirect " + type + " " + to + " is not modelled");
        return;
      }
      guard(l, new Rule.Return(code, location, l.source()), out);
    }

    /** Wraps a rule in its {@code if}/{@code unless} condition. */
    private void guard(Line l, Rule rule, List<Rule> out) {
      int i = l.words().indexOf("if");
      boolean unless = false;
      if (i < 0) {
        i = l.words().indexOf("unless");
        unless = i >= 0;
      }
      if (i < 0) {
        out.add(rule);
        return;
      }
      List<List<Condition>> dnf = condition(l.words().subList(i + 1, l.words().size()), l.source());
      if (!unless) {
        for (List<Condition> term : dnf) {
          out.add(new Rule.If(term, List.of(rule), null, l.source()));
        }
        return;
      }
      if (dnf.stream().allMatch(t -> t.size() == 1)) {
        out.add(new Rule.If(dnf.stream().map(t -> negate(t.get(0))).toList(), List.of(rule), null, l.source()));
      } else if (dnf.size() == 1) {
        for (Condition c : dnf.get(0)) {
          out.add(new Rule.If(List.of(negate(c)), List.of(rule), null, l.source()));
        }
      } else {
        out.add(new Rule.If(List.of(Condition.unknown(l.source())), List.of(rule), null, l.source()));
      }
    }

    /** An ACL expression as OR of ANDs. */
    private List<List<Condition>> condition(List<String> words, SourceRef at) {
      List<List<Condition>> or = new ArrayList<>();
      List<Condition> and = new ArrayList<>();
      for (int i = 0; i < words.size(); i++) {
        String w = words.get(i);
        if (w.equals("||") || w.equals("or")) {
          or.add(and);
          and = new ArrayList<>();
          continue;
        }
        boolean neg = w.startsWith("!");
        if (neg) {
          w = w.substring(1);
          if (w.isEmpty() && i + 1 < words.size()) {
            w = words.get(++i);
          }
        }
        List<List<Condition>> term;
        if (w.equals("{")) {
          int close = words.subList(i, words.size()).indexOf("}");
          if (close < 0) {
            diagnostics.invalid(at, "anonymous ACL without closing }");
            term = List.of(List.of(Condition.unknown(at)));
            i = words.size();
          } else {
            term = fetch(words.subList(i + 1, i + close), at);
            i += close;
          }
        } else if (acls.containsKey(w)) {
          term = acls.get(w);
        } else {
          diagnostics.unsupported(at, "ACL \"" + w + "\" is not defined or not modelled");
          term = List.of(List.of(Condition.unknown(at)));
        }
        if (term.size() != 1) {
          and.add(Condition.unknown(at));
          continue;
        }
        for (Condition c : term.get(0)) {
          and.add(neg ? negate(c) : c);
        }
      }
      or.add(and);
      return or;
    }

    /** One fetch with its patterns; several patterns are alternatives. */
    private List<List<Condition>> fetch(List<String> words, SourceRef at) {
      if (words.isEmpty()) {
        return List.of(List.of(Condition.unknown(at)));
      }
      String f = words.get(0);
      List<String> patterns = words.subList(1, words.size()).stream()
          .filter(p -> !p.startsWith("-")).toList();
      if (f.equals("ssl_fc")) {
        return List.of(List.of(new Condition("$scheme", Condition.Op.EQ, "https", at)));
      }
      String variable;
      Condition.Op op;
      if (f.equals("path_beg")) {
        variable = "$uri";
        op = Condition.Op.PREFIX;
      } else if (f.equals("path")) {
        variable = "$uri";
        op = Condition.Op.EQ;
      } else if (f.equals("hdr(host)") || f.equals("req.hdr(host)") || f.equals("hdr_dom(host)")) {
        variable = "$host";
        op = Condition.Op.EQ;
      } else if (f.equals("dst_port")) {
        variable = "$server_port";
        op = Condition.Op.EQ;
      } else {
        diagnostics.unsupported(at, "ACL fetch \"" + f + "\" is not modelled");
        return List.of(List.of(Condition.unknown(at)));
      }
      List<List<Condition>> out = new ArrayList<>();
      for (String p : patterns) {
        out.add(List.of(new Condition(variable, op,
            variable.equals("$host") ? p.toLowerCase(Locale.ROOT) : p, at)));
      }
      return out.isEmpty() ? List.of(List.of(Condition.unknown(at))) : out;
    }

    private static Condition negate(Condition c) {
      Condition.Op op = switch (c.op()) {
        case EQ -> Condition.Op.NE;
        case NE -> Condition.Op.EQ;
        case PREFIX -> Condition.Op.NOT_PREFIX;
        case NOT_PREFIX -> Condition.Op.PREFIX;
        case MATCH -> Condition.Op.NOT_MATCH;
        case NOT_MATCH -> Condition.Op.MATCH;
        case MATCH_CI -> Condition.Op.NOT_MATCH_CI;
        case NOT_MATCH_CI -> Condition.Op.MATCH_CI;
        case UNKNOWN -> Condition.Op.UNKNOWN;
      };
      return new Condition(c.variable(), op, c.operand(), c.source());
    }

    private int number(String text, Line l, int fallback) {
      try {
        int n = Integer.parseInt(text);
        if (n >= 100 && n <= 599) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      diagnostics.invalid(l.source(), "invalid status code \"" + text + "\"; HAProxy refuses it");
      return fallback;
    }

    private void header(Line l, HeaderRule.Scope scope, List<HeaderRule> out) {
      String action = l.word(1);
      if (!action.equals("set-header") && !action.equals("add-header")) {
        return;
      }
      if (l.words().contains("if") || l.words().contains("unless")) {
        diagnostics.unsupported(l.source(), "conditional header rules are predicted as unconditional");
      }
      out.add(new HeaderRule(l.word(2), l.word(3), scope, l.source()));
    }
  }
}
