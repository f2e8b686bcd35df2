package io.portproof.parse.apache;

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
import io.portproof.parse.apache.ApacheReader.Node;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads an Apache httpd 2.4 configuration: {@code Listen} sockets, {@code <VirtualHost>} blocks
 * matched by address:port (the first one is the default), mod_alias redirects, mod_rewrite rules
 * in virtual-host context, {@code Header [always] set}, and mod_ssl settings. The main server
 * answers on sockets no virtual host claims.
 */
public final class ApacheParser implements ServerConfigParser {
  /** httpd's capitalised directives, on lines that end without nginx's ";" or "{". */
  private static final Pattern SNIFF = Pattern.compile("(?m)^\\s*(<VirtualHost\\s|<IfModule\\s"
      + "|(Listen|ServerRoot|LoadModule|DocumentRoot|IncludeOptional|ServerName|SSLEngine|RewriteEngine)"
      + "\\s[^;{\\n]*$)");
  private static final List<String> VERSIONS = List.of("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  private final boolean allowIncludesOutsideRoot;

  public ApacheParser() {
    this(/* allowIncludesOutsideRoot= */ false);
  }

  /** @param allowIncludesOutsideRoot whether Include may leave the ServerRoot */
  public ApacheParser(boolean allowIncludesOutsideRoot) {
    this.allowIncludesOutsideRoot = allowIncludesOutsideRoot;
  }

  @Override
  public String summary() {
    return "Apache httpd configuration (apache2.conf or a site file, with includes)";
  }

  @Override
  public String name() {
    return "apache";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return SNIFF.matcher(head).find();
  }

  /** A Listen socket. */
  private record Socket(Family family, String address, int port, boolean dual, SourceRef source) {}

  @Override
  public ServerModel parse(Path file, Diagnostics diagnostics) {
    ApacheReader reader = new ApacheReader(diagnostics, allowIncludesOutsideRoot);
    List<Node> nodes = reader.read(file);
    if (nodes == null) {
      return new ServerModel(name(), file.toString(), List.of(), List.of());
    }
    Path root = reader.serverRoot();
    List<Socket> sockets = new ArrayList<>();
    for (Node n : nodes) {
      if (n.lower().equals("listen")) {
        Socket s = listen(n, diagnostics);
        if (s != null) {
          sockets.add(s);
        }
      }
    }
    Scope main = new Scope(diagnostics, root);
    main.read(nodes, /* mainServer= */ true);
    List<VirtualHost> hosts = new ArrayList<>();
    List<Socket> claimed = new ArrayList<>();
    for (Node n : nodes) {
      if (n.lower().equals("virtualhost") && n.children() != null) {
        Scope vh = main.child();
        vh.read(n.children(), /* mainServer= */ false);
        List<ListenerRef> listeners = new ArrayList<>();
        for (String addr : n.args()) {
          for (Socket s : sockets) {
            if (matches(addr, s)) {
              listeners.add(new ListenerRef(s.family(), s.address(), s.port(), "tcp", vh.sslEngine,
                  false, false, false, s.dual(), s.source()));
              claimed.add(s);
            }
          }
        }
        if (listeners.isEmpty()) {
          diagnostics.risky(n.source(), "no Listen directive matches " + n.args()
              + ": this virtual host is unreachable");
          continue;
        }
        hosts.add(vh.host(listeners, n.source()));
      }
    }
    List<ListenerRef> unclaimed = new ArrayList<>();
    for (Socket s : sockets) {
      if (!claimed.contains(s)) {
        unclaimed.add(new ListenerRef(s.family(), s.address(), s.port(), "tcp", main.sslEngine,
            false, false, false, s.dual(), s.source()));
      }
    }
    if (!unclaimed.isEmpty()) {
      hosts.add(main.host(unclaimed, SourceRef.ofFile(file.toString())));
    }
    if (hosts.isEmpty()) {
      diagnostics.invalid(SourceRef.ofFile(file.toString()), "no Listen directive: nothing could be analyzed");
    }
    return new ServerModel(name(), file.toString(), hosts, List.of());
  }

  private static boolean matches(String vhostAddress, Socket s) {
    int colon = vhostAddress.lastIndexOf(':');
    String host = colon > 0 && !vhostAddress.endsWith("]") ? vhostAddress.substring(0, colon) : vhostAddress;
    String port = colon > 0 && !vhostAddress.endsWith("]") ? vhostAddress.substring(colon + 1) : "*";
    if (!port.equals("*") && !port.equals(Integer.toString(s.port()))) {
      return false;
    }
    if (host.equals("*") || host.equals("_default_")) {
      return true;
    }
    host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return InetAddresses.isInetAddress(host)
        && (s.address().equals("0.0.0.0") || s.address().equals("::")
            || InetAddresses.toAddrString(InetAddresses.forString(host)).equals(s.address()));
  }

  private static Socket listen(Node n, Diagnostics d) {
    String spec = n.arg(0);
    int colon = spec.lastIndexOf(':');
    String host = colon > 0 ? spec.substring(0, colon) : "";
    String portText = colon > 0 ? spec.substring(colon + 1) : spec;
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      d.invalid(n.source(), "invalid Listen port \"" + portText + "\"");
      return null;
    }
    if (port < 1 || port > 65535) {
      d.invalid(n.source(), "invalid Listen port " + port);
      return null;
    }
    if (host.isEmpty()) {
      // httpd binds one IPv6 socket that also takes IPv4 when the system allows it
      return new Socket(Family.IPV6, "::", port, true, n.source());
    }
    host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (!InetAddresses.isInetAddress(host)) {
      d.unsupported(n.source(), "Listen on host name \"" + host + "\" is not predicted");
      return null;
    }
    String address = InetAddresses.toAddrString(InetAddresses.forString(host));
    return new Socket(host.contains(":") ? Family.IPV6 : Family.IPV4, address, port, false, n.source());
  }

  /** The settings of the main server or one virtual host (which starts from the main server's). */
  private static final class Scope {
    private final Diagnostics diagnostics;
    private final Path root;
    List<String> names = new ArrayList<>();
    List<Rule> aliasRules = new ArrayList<>();
    List<Rule> rewriteRules = new ArrayList<>();
    List<HeaderRule> headers = new ArrayList<>();
    boolean rewriteEngine;
    boolean sslEngine;
    String protocols = "all -SSLv3";
    SourceRef protocolsBy;
    String ciphers = "DEFAULT";
    SourceRef ciphersBy;
    String tls13 = TlsSettings.DEFAULT_TLS13_SUITES;
    SourceRef tls13By;
    String certFile;
    SourceRef certBy;
    Content content;

    Scope(Diagnostics diagnostics, Path root) {
      this.diagnostics = diagnostics;
      this.root = root;
    }

    Scope child() {
      Scope c = new Scope(diagnostics, root);
      // mod_alias, mod_headers and mod_ssl merge the main server into each virtual host;
      // mod_rewrite does not (RewriteOptions Inherit would)
      c.aliasRules = new ArrayList<>(aliasRules);
      c.headers = new ArrayList<>(headers);
      c.sslEngine = sslEngine;
      c.protocols = protocols;
      c.protocolsBy = protocolsBy;
      c.ciphers = ciphers;
      c.ciphersBy = ciphersBy;
      c.tls13 = tls13;
      c.tls13By = tls13By;
      c.certFile = certFile;
      c.certBy = certBy;
      c.content = content;
      return c;
    }

    void read(List<Node> nodes, boolean mainServer) {
      List<Condition> pending = new ArrayList<>();
      List<Boolean> orNext = new ArrayList<>();
      for (Node n : nodes) {
        if (n.children() != null) {
          if (!n.lower().equals("virtualhost")) {
            for (Node c : n.children()) {
              if (c.lower().startsWith("header") || c.lower().startsWith("redirect")
                  || c.lower().startsWith("rewrite")) {
                diagnostics.unsupported(c.source(), c.name() + " inside <" + n.name()
                    + "> is not modelled; it is ignored");
              }
            }
          }
          continue;
        }
        switch (n.lower()) {
          case "servername" -> names.add(0, n.arg(0).replaceFirst("^[a-z]+://", "").replaceFirst(":\\d+$", ""));
          case "serveralias" -> names.addAll(n.args());
          case "documentroot" -> content = new Content(Content.Kind.STATIC, 404, n.source());
          case "proxypass" -> {
            if (n.arg(0).equals("/")) {
              content = new Content(Content.Kind.UPSTREAM, 0, n.source());
            } else {
              diagnostics.unsupported(n.source(), "ProxyPass for " + n.arg(0) + " is not modelled");
            }
          }
          case "redirect", "redirectpermanent", "redirecttemp", "redirectmatch" -> redirect(n);
          case "rewriteengine" -> rewriteEngine = n.arg(0).equalsIgnoreCase("on");
          case "rewritecond" -> {
            pending.add(rewriteCond(n));
            orNext.add(n.arg(2).toUpperCase(Locale.ROOT).matches("\\[.*\\bOR\\b.*\\]"));
          }
          case "rewriterule" -> {
            rewriteRule(n, dnf(pending, orNext));
            pending.clear();
            orNext.clear();
          }
          case "header" -> header(n);
          case "sslengine" -> sslEngine = n.arg(0).equalsIgnoreCase("on");
          case "sslprotocol" -> {
            protocols = String.join(" ", n.args());
            protocolsBy = n.source();
          }
          case "sslciphersuite" -> {
            if (n.args().size() == 2 && n.arg(0).equals("TLSv1.3")) {
              tls13 = n.arg(1);
              tls13By = n.source();
            } else {
              ciphers = n.args().size() == 2 ? n.arg(1) : n.arg(0);
              ciphersBy = n.source();
            }
          }
          case "sslcertificatefile" -> {
            certFile = n.arg(0);
            certBy = n.source();
          }
          default -> {}
        }
      }
    }

    VirtualHost host(List<ListenerRef> listeners, SourceRef source) {
      List<Rule> rules = new ArrayList<>();
      if (rewriteEngine) {
        rules.addAll(rewriteRules);
      }
      // mod_rewrite's translate_name hook runs before mod_alias's
      rules.addAll(aliasRules);
      TlsSettings tls = null;
      if (listeners.stream().anyMatch(ListenerRef::tls)) {
        tls = tls(source);
      }
      Content c = content != null ? content : new Content(Content.Kind.STATIC, 404, source);
      return new VirtualHost(listeners, names, tls, rules, List.of(), headers, c,
          /* serverNameInRedirect= */ false, /* portInRedirect= */ true, source);
    }

    private TlsSettings tls(SourceRef at) {
      SourceRef pBy = protocolsBy != null ? protocolsBy
          : new SourceRef(at.file(), at.line(), at.text() + " (mod_ssl default: SSLProtocol all -SSLv3)");
      SourceRef cBy = ciphersBy != null ? ciphersBy
          : new SourceRef(at.file(), at.line(), at.text() + " (OpenSSL default cipher list)");
      SourceRef tBy = tls13By != null ? tls13By : cBy;
      CertificateFacts cert = null;
      if (certFile == null) {
        diagnostics.invalid(at, "SSLEngine on without SSLCertificateFile: httpd refuses to start");
      } else {
        Path p = root.resolve(certFile).normalize();
        try {
          cert = CertificateFacts.read(p, certBy);
        } catch (IOException e) {
          diagnostics.invalid(certBy, "cannot read the certificate " + p + " ("
              + e.getClass().getSimpleName() + "); httpd refuses to start without it");
        }
      }
      return new TlsSettings(protocolRange(protocols), pBy, ciphers, cBy, tls13, tBy,
          /* dhParams= */ true, cert, certBy);
    }

    /**
     * mod_ssl sets the highest enabled version as the maximum and walks down while versions stay
     * enabled: a gap ends the range, so +TLSv1 +TLSv1.2 is TLS 1.2 only.
     */
    private static List<String> protocolRange(String spec) {
      List<String> on = new ArrayList<>();
      for (String w : spec.split("\\s+")) {
        boolean minus = w.startsWith("-");
        String v = w.replaceFirst("^[+-]", "");
        List<String> which = v.equalsIgnoreCase("all")
            ? List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3") : List.of(v);
        if (minus) {
          on.removeAll(which);
        } else {
          which.stream().filter(x -> !on.contains(x)).forEach(on::add);
        }
      }
      int max = -1;
      for (String v : on) {
        max = Math.max(max, VERSIONS.indexOf(v));
      }
      int min = max;
      while (min > 0 && on.contains(VERSIONS.get(min - 1))) {
        min--;
      }
      return max < 0 ? List.of() : List.copyOf(VERSIONS.subList(min, max + 1));
    }

    private void redirect(Node n) {
      List<String> a = new ArrayList<>(n.args());
      int status = switch (n.lower()) {
        case "redirectpermanent" -> 301;
        case "redirecttemp" -> 302;
        default -> 302;
      };
      if (!a.isEmpty() && (n.lower().equals("redirect") || n.lower().equals("redirectmatch"))) {
        String s = a.get(0).toLowerCase(Locale.ROOT);
        Integer named = switch (s) {
          case "permanent" -> 301;
          case "temp" -> 302;
          case "seeother" -> 303;
          case "gone" -> 410;
          default -> s.matches("\\d{3}") ? Integer.parseInt(s) : null;
        };
        if (named != null) {
          status = named;
          a.remove(0);
        }
      }
      if (a.isEmpty() || (status != 410 && a.size() < 2)) {
        diagnostics.invalid(n.source(), n.name() + " needs a path and a URL");
        return;
      }
      String regex;
      String replacement;
      if (n.lower().equals("redirectmatch")) {
        regex = a.get(0);
        replacement = a.size() > 1 ? a.get(1) : "";
      } else {
        String path = a.get(0);
        // mod_alias matches whole path segments: /a covers /a and /a/x, not /ab
        regex = "^" + Pattern.quote(path) + (path.endsWith("/") ? "(.*)$" : "((?:/.*)?)$");
        replacement = (a.size() > 1 ? a.get(1) : "") + "$1";
      }
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        diagnostics.invalid(n.source(), "regular expression does not compile: " + e.getDescription());
        return;
      }
      if (status == 410 || status < 300 || status > 399) {
        aliasRules.add(new Rule.If(List.of(new Condition("$uri", Condition.Op.MATCH, regex, n.source())),
            List.of(new Rule.Return(status, null, n.source())), null, n.source()));
        return;
      }
      aliasRules.add(new Rule.Rewrite(regex, false, replacement, Rule.Rewrite.Flag.REDIRECT, status,
          /* appendArgs= */ true, n.source()));
    }

    private Condition rewriteCond(Node n) {
      String test = translate(n.arg(0));
      String pattern = n.arg(1);
      String flags = n.arg(2).toUpperCase(Locale.ROOT);
      boolean ci = flags.contains("NC");
      boolean neg = pattern.startsWith("!");
      String p = neg ? pattern.substring(1) : pattern;
      if (test.contains("$https") && p.equals("off")) {
        p = "";
      }
      if (p.startsWith("=")) {
        return new Condition(test, neg ? Condition.Op.NE : Condition.Op.EQ, p.substring(1), n.source());
      }
      if (p.startsWith("-") || p.startsWith("<") || p.startsWith(">") || test.contains("%{")) {
        diagnostics.unsupported(n.source(), "RewriteCond " + n.arg(0) + " " + pattern + " is not modelled");
        return Condition.unknown(n.source());
      }
      try {
        Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        diagnostics.invalid(n.source(), "regular expression does not compile: " + e.getDescription());
        return Condition.unknown(n.source());
      }
      Condition.Op op = neg ? (ci ? Condition.Op.NOT_MATCH_CI : Condition.Op.NOT_MATCH)
          : (ci ? Condition.Op.MATCH_CI : Condition.Op.MATCH);
      return new Condition(test, op, p, n.source());
    }

    /** RewriteCond chains: [OR] binds a condition to the next; the groups are ANDed. As OR of ANDs. */
    private static List<List<Condition>> dnf(List<Condition> conds, List<Boolean> orNext) {
      List<List<Condition>> groups = new ArrayList<>();
      List<Condition> group = new ArrayList<>();
      for (int i = 0; i < conds.size(); i++) {
        group.add(conds.get(i));
        if (!orNext.get(i)) {
          groups.add(group);
          group = new ArrayList<>();
        }
      }
      if (!group.isEmpty()) {
        groups.add(group);
      }
      List<List<Condition>> terms = new ArrayList<>();
      terms.add(List.of());
      for (List<Condition> g : groups) {
        List<List<Condition>> next = new ArrayList<>();
        for (List<Condition> t : terms) {
          for (Condition c : g) {
            List<Condition> x = new ArrayList<>(t);
            x.add(c);
            next.add(x);
          }
        }
        terms = next;
      }
      return terms;
    }

    private void rewriteRule(Node n, List<List<Condition>> terms) {
      String pattern = n.arg(0);
      String substitution = translate(n.arg(1));
      String flags = n.arg(2).toUpperCase(Locale.ROOT);
      flags = flags.startsWith("[") ? flags.substring(1, flags.length() - 1) : flags;
      boolean ci = false;
      int redirect = 0;
      Rule.Rewrite.Flag flow = Rule.Rewrite.Flag.NONE;
      boolean qsa = false;
      boolean qsd = false;
      Integer direct = null;
      for (String f : flags.isEmpty() ? new String[0] : flags.split(",")) {
        String k = f.strip();
        if (k.equals("NC") || k.equals("NOCASE")) {
          ci = true;
        } else if (k.equals("L") || k.equals("LAST") || k.equals("END")) {
          flow = Rule.Rewrite.Flag.BREAK;
        } else if (k.equals("QSA")) {
          qsa = true;
        } else if (k.equals("QSD")) {
          qsd = true;
        } else if (k.equals("F")) {
          direct = 403;
        } else if (k.equals("G")) {
          direct = 410;
        } else if (k.startsWith("R")) {
          String code = k.contains("=") ? k.substring(k.indexOf('=') + 1) : "302";
          redirect = switch (code) {
            case "PERMANENT" -> 301;
            case "TEMP" -> 302;
            case "SEEOTHER" -> 303;
            default -> code.matches("\\d{3}") ? Integer.parseInt(code) : 302;
          };
        } else if (!k.equals("NE") && !k.equals("NOESCAPE")) {
          diagnostics.unsupported(n.source(), "RewriteRule flag " + k + " is not modelled");
        }
      }
      if (substitution.contains("%{") || substitution.matches(".*%\\d.*")) {
        diagnostics.unsupported(n.source(), "RewriteRule substitution " + n.arg(1) + " is not modelled");
        rewriteRules.add(new Rule.If(List.of(Condition.unknown(n.source())), List.of(), null, n.source()));
        return;
      }
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        diagnostics.invalid(n.source(), "regular expression does not compile: " + e.getDescription());
        return;
      }
      Rule rule;
      if (direct != null) {
        rule = new Rule.If(List.of(new Condition("$uri", ci ? Condition.Op.MATCH_CI : Condition.Op.MATCH,
            pattern, n.source())), List.of(new Rule.Return(direct, null, n.source())), null, n.source());
      } else if (substitution.equals("-")) {
        return;
      } else {
        boolean absolute = substitution.startsWith("http://") || substitution.startsWith("https://");
        if (absolute && redirect == 0) {
          redirect = 302;
        }
        boolean append = !qsd && (qsa || !substitution.contains("?"));
        rule = new Rule.Rewrite(pattern, ci, substitution,
            redirect != 0 ? Rule.Rewrite.Flag.REDIRECT : flow, redirect, append, n.source());
      }
      boolean terminal = rule instanceof Rule.Return
          || (rule instanceof Rule.Rewrite w && w.flag() == Rule.Rewrite.Flag.REDIRECT)
          || rule instanceof Rule.If;
      if (terms.size() == 1) {
        rewriteRules.add(terms.get(0).isEmpty() ? rule : new Rule.If(terms.get(0), List.of(rule), null, n.source()));
      } else if (terminal) {
        // an answer ends processing, so "if A or B" is "if A; if B"
        for (List<Condition> t : terms) {
          rewriteRules.add(new Rule.If(t, List.of(rule), null, n.source()));
        }
      } else {
        diagnostics.unsupported(n.source(), "[OR] conditions on a non-redirecting RewriteRule are not modelled");
        rewriteRules.add(new Rule.If(List.of(Condition.unknown(n.source())), List.of(), null, n.source()));
      }
    }

    /** %{SERVER_NAME} and friends in nginx's variable names (UseCanonicalName Off). */
    private static String translate(String s) {
      return s.replace("%{SERVER_NAME}", "$host")
          .replace("%{HTTP_HOST}", "$http_host")
          .replace("%{REQUEST_URI}", "$uri")
          .replace("%{QUERY_STRING}", "$args")
          .replace("%{HTTPS}", "$https")
          .replace("%{REQUEST_SCHEME}", "$scheme")
          .replace("%{SERVER_PORT}", "$server_port");
    }

    private void header(Node n) {
      List<String> a = new ArrayList<>(n.args());
      HeaderRule.Scope scope = HeaderRule.Scope.LOCAL_2XX_OR_UPSTREAM;
      if (!a.isEmpty() && (a.get(0).equalsIgnoreCase("always") || a.get(0).equalsIgnoreCase("onsuccess"))) {
        scope = a.remove(0).equalsIgnoreCase("always") ? HeaderRule.Scope.ALWAYS : scope;
      }
      if (a.size() < 2) {
        diagnostics.invalid(n.source(), "Header needs an action and a header name");
        return;
      }
      String action = a.get(0).toLowerCase(Locale.ROOT);
      String name = a.get(1);
      headers.removeIf(h -> h.named(name) && (action.equals("set") || action.equals("unset")));
      if (action.equals("set") || action.equals("add") || action.equals("append") || action.equals("merge")) {
        if (a.size() > 3) {
          diagnostics.unsupported(n.source(), "Header conditions (" + a.get(3) + ") are not modelled");
        }
        headers.add(new HeaderRule(name, a.size() > 2 ? a.get(2) : "", scope, n.source()));
      }
    }
  }
}
