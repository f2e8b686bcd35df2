package io.portproof.analysis.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only client for truth tests: one raw HTTP/1.1 request without redirect following (over
 * {@code openssl s_client} for TLS, certificate unchecked — only here), and handshakes per
 * protocol version.
 */
public final class LiveProbe {
  private LiveProbe() {}

  /**
   * An observed answer.
   *
   * @param status the status, or 0 when the server closed the connection without answering
   * @param headers lower-cased header names to their first value
   */
  public record Answer(int status, Map<String, String> headers) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  public static Answer get(String address, int port, boolean tls, String host, String target)
      throws Exception {
    String request = "GET " + target + " HTTP/1.1\r\nHost: " + host
        + "\r\nUser-Agent: portproof-truth\r\nConnection: close\r\n\r\n";
    return parse(tls ? viaOpenssl(address, port, host, request) : viaSocket(address, port, request));
  }

  private static String viaSocket(String address, int port, String request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 3000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] chunk = new byte[8192];
      try {
        int n;
        while (buf.size() < (1 << 20) && (n = in.read(chunk)) > 0) {
          buf.write(chunk, 0, n);
        }
      } catch (SocketException e) {
        // a reset before any byte is how some stacks see nginx's 444
      }
      return buf.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * HTTPS through {@code openssl s_client}, which (unlike the JDK) speaks every suite and version
   * the server might be limited to; the certificate is not verified, which only a test may do.
   */
  private static String viaOpenssl(String address, int port, String host, String request)
      throws Exception {
    Process p = new ProcessBuilder(Tools.require("openssl"), "s_client", "-quiet", "-ign_eof",
        "-connect", (address.contains(":") ? "[" + address + "]" : address) + ":" + port,
        "-servername", host, "-cipher", "ALL:@SECLEVEL=0")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write(request.getBytes(StandardCharsets.US_ASCII));
      }
      byte[] out = p.getInputStream().readNBytes(1 << 20);
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        throw new IOException("openssl s_client did not finish");
      }
      return new String(out, StandardCharsets.ISO_8859_1);
    } finally {
      p.destroyForcibly();
    }
  }

  private static Answer parse(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (text.isEmpty() || end < 0) {
      return new Answer(0, Map.of());
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    return new Answer(status, headers);
  }

  /**
   * The result of {@code openssl s_client} forced to one version.
   *
   * @param accepted whether the handshake completed
   * @param cipher the negotiated suite (OpenSSL name), or null
   */
  public record Handshake(boolean accepted, String cipher) {}

  /** Which of SSLv3..TLSv1.3 the server accepts; the client allows everything (@SECLEVEL=0). */
  private static final Pattern NEW_SESSION = Pattern.compile("New, [^,]+, Cipher is (\\S+)");

  public static Map<String, Handshake> handshakes(String address, int port, String host)
      throws Exception {
    String openssl = Tools.require("openssl");
    Map<String, Handshake> out = new LinkedHashMap<>();
    String[][] versions = {{"TLSv1", "-tls1"}, {"TLSv1.1", "-tls1_1"}, {"TLSv1.2", "-tls1_2"},
        {"TLSv1.3", "-tls1_3"}};
    for (String[] v : versions) {
      List<String> cmd = new java.util.ArrayList<>(List.of(openssl, "s_client", "-connect",
          (address.contains(":") ? "[" + address + "]" : address) + ":" + port,
          "-servername", host, v[1]));
      if (!v[0].equals("TLSv1.3")) {
        cmd.addAll(List.of("-cipher", "ALL:@SECLEVEL=0"));
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try {
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          throw new IOException("openssl s_client did not finish");
        }
        Matcher m = NEW_SESSION.matcher(text);
        String cipher = m.find() ? m.group(1) : null;
        boolean ok = cipher != null && !cipher.equals("(NONE)");
        out.put(v[0], new Handshake(ok, ok ? cipher : null));
      } finally {
        p.destroyForcibly();
      }
    }
    return out;
  }
}
