package io.portproof.probe;

import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.BufferUnderflowException;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Finds the protocol matrix of one TLS endpoint: for each version, newest first, a hand-built
 * ClientHello offering every suite of the registry; while the server accepts, its choice is
 * recorded and removed from the next offer. Up to TLS 1.2 the certificate comes from the plaintext
 * handshake; a TLS 1.3-only server's certificate is fetched with the JDK.
 */
final class TlsScanner {
  /** Gives a connected socket at the point where the ClientHello goes: fresh TCP, or after STARTTLS. */
  @FunctionalInterface
  interface Opener {
    Socket open() throws IOException;
  }

  private final CipherSuites suites;
  private final CertificateInspector inspector;
  private final SSLSocketFactory retrievalOnly;

  TlsScanner(CipherSuites suites, CertificateInspector inspector, SSLSocketFactory retrievalOnly) {
    this.suites = suites;
    this.inspector = inspector;
    this.retrievalOnly = retrievalOnly;
  }

  TlsObservation scan(Opener opener, String host, List<String> transcript) {
    List<String> protocols = new ArrayList<>();
    Map<String, List<String>> ciphers = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    String group = null;
    List<byte[]> rawChain = null;
    boolean abort = false;
    for (TlsVersion version : TlsVersion.values()) {
      List<Integer> offer = new ArrayList<>();
      for (CipherSuites.CipherSuite s : suites.all()) {
        if (s.tls13() == (version == TlsVersion.TLS1_3)) {
          offer.add(s.id());
        }
      }
      List<String> accepted = new ArrayList<>();
      String versionGroup = null;
      String firstAnswer = null;
      // Each round removes one suite from the offer or stops, so this ends after offer.size() rounds.
      while (!offer.isEmpty()) {
        ServerFlight flight;
        try {
          // The rest of the flight (certificate, key exchange) is read only while still needed:
          // servers that write it in several segments would otherwise cost a delayed-ACK wait each.
          boolean fullFlight = accepted.isEmpty() || (group == null && versionGroup == null);
          flight = handshake(opener, version, offer, host, fullFlight);
        } catch (IOException | BufferUnderflowException | IllegalArgumentException e) {
          errors.add(version.label + ": " + describe(e));
          abort = true;
          break;
        }
        if (firstAnswer == null) {
          firstAnswer = flight.summary(suites);
        }
        if (flight.failure() != null && flight.failure().startsWith("not TLS")) {
          errors.add(version.label + ": " + flight.failure());
          abort = true;
          break;
        }
        ServerFlight.Hello hello = flight.hello();
        if (hello == null || hello.version() != version.code) {
          break;
        }
        if (!offer.remove(Integer.valueOf(hello.cipher()))) {
          errors.add(
              version.label + ": server chose " + suites.ianaName(hello.cipher()) + ", not offered");
          break;
        }
        accepted.add(suites.ianaName(hello.cipher()));
        if (versionGroup == null) {
          versionGroup = groupOf(flight, version);
        }
        if (rawChain == null && !flight.certificates().isEmpty()) {
          rawChain = flight.certificates();
        }
      }
      transcript.add(
          "TLS "
              + version.label
              + " ClientHello -> "
              + (firstAnswer == null ? "no answer" : firstAnswer)
              + (accepted.isEmpty() ? "" : "; " + accepted.size() + " suites accepted"));
      if (!accepted.isEmpty()) {
        protocols.add(version.label);
        ciphers.put(version.label, accepted);
        if (group == null) {
          group = versionGroup;
        }
      }
      if (abort) {
        break;
      }
    }
    CertificateObservation certificate = null;
    if (!protocols.isEmpty()) {
      certificate = certificate(opener, host, rawChain, protocols, errors, transcript);
    }
    return new TlsObservation(protocols, ciphers, group, certificate, errors);
  }

  private static ServerFlight handshake(
      Opener opener, TlsVersion version, List<Integer> offer, String host, boolean fullFlight)
      throws IOException {
    try (Socket socket = opener.open()) {
      OutputStream out = socket.getOutputStream();
      out.write(ClientHello.build(version, offer, host));
      out.flush();
      return ServerFlight.read(socket.getInputStream(), fullFlight);
    }
  }

  private String groupOf(ServerFlight flight, TlsVersion version) {
    if (version == TlsVersion.TLS1_3) {
      return flight.hello().group() >= 0 ? ServerFlight.groupName(flight.hello().group()) : null;
    }
    String name = suites.ianaName(flight.hello().cipher());
    if (name.contains("_ECDHE_")) {
      return ServerFlight.keyExchangeGroup(flight.keyExchange(), /* ecdhe= */ true);
    }
    if (name.contains("_DHE_")) {
      return ServerFlight.keyExchangeGroup(flight.keyExchange(), /* ecdhe= */ false);
    }
    return null;
  }

  private CertificateObservation certificate(
      Opener opener,
      String host,
      List<byte[]> rawChain,
      List<String> protocols,
      List<String> errors,
      List<String> transcript) {
    try {
      List<X509Certificate> chain;
      if (rawChain != null) {
        chain = CertificateInspector.parse(rawChain);
      } else {
        chain = fetchWithJdk(opener, host, protocols);
        transcript.add("TLS certificate fetched with a JDK handshake (" + protocols.get(0) + ")");
      }
      if (chain.isEmpty()) {
        errors.add("certificate: the server sent none");
        return null;
      }
      return inspector.inspect(chain, host, Instant.now());
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      errors.add("certificate: " + describe(e));
      return null;
    }
  }

  private List<X509Certificate> fetchWithJdk(Opener opener, String host, List<String> protocols)
      throws IOException {
    try (Socket plain = opener.open();
        SSLSocket ssl =
            (SSLSocket)
                retrievalOnly.createSocket(plain, host, plain.getPort(), /* autoClose= */ true)) {
      SSLParameters params = ssl.getSSLParameters();
      if (!InetAddresses.isUriInetAddress(host) && !InetAddresses.isInetAddress(host)) {
        params.setServerNames(List.of(new SNIHostName(host)));
      }
      params.setProtocols(protocols.toArray(String[]::new));
      ssl.setSSLParameters(params);
      ssl.startHandshake();
      Certificate[] peer = ssl.getSession().getPeerCertificates();
      return Arrays.stream(peer).map(X509Certificate.class::cast).toList();
    }
  }

  static String describe(Exception e) {
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + message;
  }
}
