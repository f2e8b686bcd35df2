package io.portproof.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portproof.parse.InputException;
import io.portproof.probe.CertificateObservation;
import io.portproof.probe.HttpHop;
import io.portproof.probe.HttpObservation;
import io.portproof.probe.Observation;
import io.portproof.probe.ProbeOptions;
import io.portproof.probe.Prober;
import io.portproof.probe.Target;
import io.portproof.probe.TlsObservation;
import io.portproof.report.Json;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Probes live endpoints: TCP state, the TLS versions and cipher suites accepted (hand-built",
        "ClientHellos, so the JDK's own settings hide nothing), the certificate chain, HTTP redirect chains, HSTS,",
        "and STARTTLS on mail and FTP ports. Only the targets named are probed; nothing is scanned.",
        "",
        "TARGET is host, host:port, [v6]:port, http://host or https://host[:port]; without a port, 80 and 443.",
        "",
        "Examples:",
        "  portproof probe example.org",
        "  portproof probe https://198.51.100.10 mail.example.org:587 --format json"})
final class ProbeCommand extends IoCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "TARGET", description = "What to probe.")
  List<String> targets = new ArrayList<>();

  @Mixin ProbeSettings settings;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Override
  public Integer call() throws Exception {
    List<Target> list = new ArrayList<>();
    Set<String> hosts = new LinkedHashSet<>();
    for (String t : targets) {
      list.addAll(parse(t));
      hosts.add(list.get(list.size() - 1).hostname());
    }
    Prober prober = new Prober(settings.options(hosts));
    List<Observation> obs = prober.probeAll(list, Progress.on(io.err(), "probing"));
    if (format == OutputFormat.json) {
      ArrayNode arr = Json.MAPPER.createArrayNode();
      obs.forEach(o -> arr.add(json(o)));
      io.out().println(Json.MAPPER.writeValueAsString(arr));
    } else {
      obs.forEach(o -> text(o, io.out()));
    }
    return Main.OK;
  }

  /** Parses a target as written on the command line. */
  static List<Target> parse(String text) throws InputException {
    String t = text.strip();
    List<Integer> ports = new ArrayList<>();
    String scheme = null;
    int schemeEnd = t.indexOf("://");
    if (schemeEnd > 0) {
      scheme = t.substring(0, schemeEnd).toLowerCase(java.util.Locale.ROOT);
      t = t.substring(schemeEnd + 3);
      int slash = t.indexOf('/');
      if (slash >= 0) {
        t = t.substring(0, slash);
      }
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new InputException("target '" + text + "': only http:// and https:// URLs are understood");
      }
    }
    String host = t;
    try {
      com.google.common.net.HostAndPort hp = com.google.common.net.HostAndPort.fromString(t);
      host = hp.getHost();
      if (hp.hasPort()) {
        ports.add(hp.getPort());
      }
    } catch (IllegalArgumentException e) {
      throw new InputException("target '" + text + "': " + e.getMessage());
    }
    if (ports.isEmpty()) {
      if (scheme != null) {
        ports.add(scheme.equals("https") ? 443 : 80);
      } else {
        ports.add(80);
        ports.add(443);
      }
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new InputException("target '" + text + "': cannot resolve " + host);
    }
    List<Target> out = new ArrayList<>();
    for (InetAddress a : addresses) {
      for (int p : ports) {
        out.add(Target.of(host, a, p));
      }
    }
    return out;
  }

  static void text(Observation o, PrintStream out) {
    Target t = o.target();
    out.printf("%s %s (%s): %s in %d ms%s%n", t.hostname(), t.endpoint(), t.service(), o.tcp().state(), o.tcp().millis(),
        o.tcp().reason() == null ? "" : " - " + o.tcp().reason());
    if (o.tls() != null) {
      TlsObservation tls = o.tls();
      out.println("  TLS versions: " + (tls.protocols().isEmpty() ? "none" : String.join(", ", tls.protocols()))
          + (tls.group() == null ? "" : "; key exchange " + tls.group()));
      for (Map.Entry<String, List<String>> e : tls.ciphers().entrySet()) {
        out.println("  " + e.getKey() + " suites: " + String.join(", ", e.getValue()));
      }
      CertificateObservation c = tls.certificate();
      if (c != null) {
        out.printf("  certificate: %s; SANs %s; %s %d bits; %s; expires %s (%d days); chain %s; hostname %s%n", c.subject(), c.sans(),
            c.keyType(), c.keyBits(), c.signatureAlgorithm(), c.notAfter(), c.daysLeft(),
            c.chainValid() ? "valid" : "invalid (" + c.chainError() + ")", c.hostnameMatches() ? "matches" : "does not match");
      }
      tls.errors().forEach(e -> out.println("  tls: " + e));
    }
    for (HttpObservation h : o.http()) {
      out.println("  GET " + h.path() + (h.error() == null ? "" : "  error: " + h.error()));
      for (HttpHop hop : h.chain()) {
        out.printf("    %d %s%s%s%n", hop.status(), hop.url(), hop.location() == null ? "" : " -> " + hop.location(),
            hop.hsts() == null ? "" : "  [HSTS " + hop.hsts().raw() + "]");
      }
    }
    if (o.startTls() != null) {
      out.println("  STARTTLS: " + (o.startTls().offered() ? "offered" : "not offered")
          + (o.startTls().error() == null ? "" : " (" + o.startTls().error() + ")")
          + (o.startTls().tls() == null ? "" : "; TLS versions " + o.startTls().tls().protocols()));
    }
  }

  static ObjectNode json(Observation o) {
    ObjectNode n = Json.object();
    Target t = o.target();
    n.put("host", t.hostname());
    n.put("address", t.address().getHostAddress());
    n.put("port", t.port());
    n.put("service", t.service().name());
    ObjectNode tcp = n.putObject("tcp");
    tcp.put("state", o.tcp().state().name());
    tcp.put("millis", o.tcp().millis());
    tcp.put("reason", o.tcp().reason());
    if (o.tls() != null) {
      n.set("tls", tls(o.tls()));
    }
    ArrayNode http = n.putArray("http");
    for (HttpObservation h : o.http()) {
      ObjectNode hn = http.addObject();
      hn.put("path", h.path());
      hn.put("error", h.error());
      ArrayNode chain = hn.putArray("chain");
      for (HttpHop hop : h.chain()) {
        ObjectNode c = chain.addObject();
        c.put("url", hop.url());
        c.put("status", hop.status());
        c.put("location", hop.location());
        c.put("sameHost", hop.sameHost());
        c.put("https", hop.https());
        c.put("pathQueryPreserved", hop.pathQueryPreserved());
        c.put("hsts", hop.hsts() == null ? null : hop.hsts().raw());
      }
    }
    if (o.startTls() != null) {
      ObjectNode st = n.putObject("startTls");
      st.put("offered", o.startTls().offered());
      st.put("error", o.startTls().error());
      if (o.startTls().tls() != null) {
        st.set("tls", tls(o.startTls().tls()));
      }
    }
    ArrayNode tr = n.putArray("transcript");
    o.transcript().forEach(tr::add);
    return n;
  }

  private static ObjectNode tls(TlsObservation tls) {
    ObjectNode n = Json.object();
    ArrayNode p = n.putArray("protocols");
    tls.protocols().forEach(p::add);
    ObjectNode c = n.putObject("ciphers");
    tls.ciphers().forEach((k, v) -> {
      ArrayNode a = c.putArray(k);
      v.forEach(a::add);
    });
    n.put("group", tls.group());
    CertificateObservation cert = tls.certificate();
    if (cert != null) {
      ObjectNode cn = n.putObject("certificate");
      cn.put("subject", cert.subject());
      ArrayNode sans = cn.putArray("sans");
      cert.sans().forEach(sans::add);
      cn.put("notBefore", String.valueOf(cert.notBefore()));
      cn.put("notAfter", String.valueOf(cert.notAfter()));
      cn.put("daysLeft", cert.daysLeft());
      cn.put("keyType", cert.keyType());
      cn.put("keyBits", cert.keyBits());
      cn.put("signatureAlgorithm", cert.signatureAlgorithm());
      cn.put("chainValid", cert.chainValid());
      cn.put("chainError", cert.chainError());
      cn.put("hostnameMatches", cert.hostnameMatches());
    }
    ArrayNode e = n.putArray("errors");
    tls.errors().forEach(e::add);
    return n;
  }

  /** Probe options shared by {@code probe} and {@code check --probe}. */
  static final class ProbeSettings {
    @Option(names = "--connect-timeout", defaultValue = "3", paramLabel = "SECONDS", description = "Per-connection connect timeout (default: ${DEFAULT-VALUE}).")
    double connectTimeout;

    @Option(names = "--timeout", defaultValue = "5", paramLabel = "SECONDS", description = "Deadline for each exchange after connecting (default: ${DEFAULT-VALUE}).")
    double timeout;

    @Option(names = "--concurrency", defaultValue = "16", paramLabel = "N", description = "Targets probed at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--rate", defaultValue = "200", paramLabel = "PER_SECOND", description = "Global limit on new connections per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--retries", defaultValue = "1", paramLabel = "N", description = "Retries after a timeout, never after an answer (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--ca-bundle", paramLabel = "FILE", description = "Trust these CA certificates (PEM) instead of the system store.")
    Path caBundle;

    @Option(names = "--allow-host", paramLabel = "HOST", description = "Redirects may also lead to this host (repeatable).")
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--follow-offsite", description = "Follow redirects to any host (default: stay on the hosts named).")
    boolean followOffsite;

    ProbeOptions options(Set<String> hosts) throws InputException {
      if (connectTimeout <= 0 || timeout <= 0 || concurrency < 1 || rate <= 0 || retries < 0) {
        throw new InputException("probe settings must be positive (--connect-timeout, --timeout, --concurrency, --rate; --retries >= 0)");
      }
      Set<String> allowed = new LinkedHashSet<>(hosts);
      allowed.addAll(allowHosts);
      return ProbeOptions.defaults().toBuilder()
          .connectTimeout(Duration.ofMillis((long) (connectTimeout * 1000)))
          .operationTimeout(Duration.ofMillis((long) (timeout * 1000)))
          .concurrency(concurrency)
          .connectionsPerSecond(rate)
          .retries(retries)
          .allowedHosts(allowed)
          .allowLeavingHosts(followOffsite)
          .caBundle(caBundle)
          .build();
    }
  }
}
