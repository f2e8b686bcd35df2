package io.portproof.probe;

import com.google.common.base.Ascii;
import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Follows a redirect chain hop by hop with a minimal HTTP/1.1 client: one request per connection,
 * only the response head is read. Hand-written because the JDK client resolves names itself and
 * will not let us set Host, and we must connect to the target's address with the target's name.
 */
final class HttpProber {
  private static final Pattern STATUS_LINE = Pattern.compile("^HTTP/\\d(?:\\.\\d)? (\\d{3})(?: .*)?$");

  private final Connector connector;
  private final ProbeOptions options;
  private final SSLSocketFactory retrievalOnly;

  /** One response head. */
  private record Response(int status, String location, String hsts) {}

  HttpProber(Connector connector, ProbeOptions options, SSLSocketFactory retrievalOnly) {
    this.connector = connector;
    this.options = options;
    this.retrievalOnly = retrievalOnly;
  }

  HttpObservation chain(Target target, String path, boolean https, List<String> transcript) {
    Set<String> allowed = new HashSet<>(options.allowedHosts());
    allowed.add(bare(target.hostname()));
    List<HttpHop> hops = new ArrayList<>();
    Set<URI> seen = new HashSet<>();
    URI url;
    try {
      url = new URI(origin(https ? "https" : "http", target.hostname(), target.port()) + path);
    } catch (URISyntaxException e) {
      return new HttpObservation(path, hops, "bad URL: " + e.getMessage());
    }
    while (true) {
      if (!seen.add(url)) {
        return new HttpObservation(path, hops, "redirect loop back to " + url);
      }
      Response response;
      try {
        response = fetch(target, url);
      } catch (IOException | RuntimeException e) {
        transcript.add("HTTP GET " + url + " -> " + TlsScanner.describe(e));
        return new HttpObservation(path, hops, TlsScanner.describe(e));
      }
      transcript.add(
          "HTTP GET "
              + url
              + " -> "
              + response.status
              + (response.location == null ? "" : " Location: " + response.location));
      boolean hopHttps = url.getScheme().equals("https");
      Hsts hsts = hopHttps && response.hsts != null ? Hsts.parse(response.hsts) : null;
      boolean redirect = response.status >= 300 && response.status < 400 && response.location != null;
      if (!redirect) {
        hops.add(
            new HttpHop(url.toString(), response.status, response.location, true, hopHttps, true, hsts));
        return new HttpObservation(path, hops, null);
      }
      URI next;
      try {
        next = url.resolve(response.location.strip());
      } catch (IllegalArgumentException e) {
        hops.add(new HttpHop(url.toString(), response.status, response.location, false, false, false, hsts));
        return new HttpObservation(path, hops, "Location is not a URL: " + response.location);
      }
      boolean sameHost = Ascii.equalsIgnoreCase(Objects.toString(next.getHost(), ""), url.getHost());
      boolean nextHttps = "https".equalsIgnoreCase(next.getScheme());
      hops.add(
          new HttpHop(
              url.toString(),
              response.status,
              response.location,
              sameHost,
              nextHttps,
              pathAndQuery(next).equals(pathAndQuery(url)),
              hsts));
      if (next.getHost() == null || !(nextHttps || "http".equalsIgnoreCase(next.getScheme()))) {
        return new HttpObservation(path, hops, "not following non-HTTP Location " + next);
      }
      if (!options.allowLeavingHosts() && !allowed.contains(bare(next.getHost()))) {
        return new HttpObservation(
            path, hops, "not following redirect to " + next.getHost() + " (not an allowed host)");
      }
      if (hops.size() > options.maxRedirects()) {
        return new HttpObservation(path, hops, "stopped after " + options.maxRedirects() + " redirects");
      }
      url = next;
    }
  }

  private Response fetch(Target target, URI url) throws IOException {
    String host = bare(url.getHost());
    boolean https = url.getScheme().equalsIgnoreCase("https");
    int port = url.getPort() >= 0 ? url.getPort() : https ? 443 : 80;
    // The target's own name goes to the target's address (it may not resolve, or resolve
    // elsewhere); any other allowed host is looked up.
    InetAddress address =
        host.equals(bare(target.hostname())) ? target.address() : InetAddress.getByName(host);
    try (Socket plain = connector.connect(new InetSocketAddress(address, port))) {
      Socket socket = plain;
      if (https) {
        SSLSocket ssl =
            (SSLSocket) retrievalOnly.createSocket(plain, host, port, /* autoClose= */ true);
        if (!InetAddresses.isInetAddress(host)) {
          SSLParameters params = ssl.getSSLParameters();
          params.setServerNames(List.of(new SNIHostName(host)));
          ssl.setSSLParameters(params);
        }
        ssl.startHandshake();
        socket = ssl;
      }
      String hostHeader = url.getPort() >= 0 ? url.getRawAuthority() : url.getHost();
      String request =
          "GET "
              + pathAndQuery(url)
              + " HTTP/1.1\r\nHost: "
              + hostHeader
              + "\r\nUser-Agent: portproof\r\nAccept: */*\r\nConnection: close\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return parseHead(readHead(socket.getInputStream()));
    }
  }

  /** Reads up to the blank line that ends the head; the socket bounds both time and size. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (true) {
      int n = in.read(buf);
      if (n < 0) {
        throw new IOException("connection closed before the end of the response head");
      }
      head.write(buf, 0, n);
      String text = head.toString(StandardCharsets.ISO_8859_1);
      // Bare LF line ends are accepted, as lenient clients do.
      int crlf = text.indexOf("\r\n\r\n");
      int lf = text.indexOf("\n\n");
      if (crlf >= 0 || lf >= 0) {
        return text.substring(0, crlf < 0 ? lf : lf < 0 ? crlf : Math.min(crlf, lf));
      }
    }
  }

  private static Response parseHead(String head) throws IOException {
    String[] lines = head.split("\r?\n");
    Matcher m = STATUS_LINE.matcher(lines[0]);
    if (!m.matches()) {
      throw new IOException("not an HTTP status line: " + Ascii.truncate(lines[0], 60, "..."));
    }
    String location = null;
    String hsts = null;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).strip();
      // RFC 6797 8.1: only the first STS header counts.
      if (name.equals("location") && location == null) {
        location = value;
      } else if (name.equals("strict-transport-security") && hsts == null) {
        hsts = value;
      }
    }
    return new Response(Integer.parseInt(m.group(1)), location, hsts);
  }

  private static String origin(String scheme, String host, int port) {
    int defaultPort = scheme.equals("https") ? 443 : 80;
    String h = InetAddresses.isInetAddress(host) && host.contains(":") ? "[" + host + "]" : host;
    return scheme + "://" + (port == defaultPort ? h : HostAndPort.fromParts(host, port).toString());
  }

  private static String pathAndQuery(URI uri) {
    String p = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? p : p + "?" + uri.getRawQuery();
  }

  private static String bare(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }
}
