package io.portproof.probe;

import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.SocketFactory;
import org.apache.commons.net.SocketClient;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.imap.IMAPClient;
import org.apache.commons.net.imap.IMAPReply;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3Reply;
import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;

/**
 * STARTTLS on SMTP and submission, IMAP, POP3 (STLS) and FTP (AUTH TLS). Commons Net's protocol
 * clients speak the cleartext part up to the server's go-ahead; from there the raw socket is handed
 * to the {@link TlsScanner}, once per ClientHello, so the TLS behind the upgrade gets the same
 * version and suite matrix as an implicit-TLS port. (The *SClient variants would do the upgrade
 * with the JDK's TLS, which hides old versions, so their plain parents are used.)
 */
final class StartTlsProber {
  /** The server did not offer or refused the upgrade; the message says how. */
  static final class NotOffered extends IOException {
    private static final long serialVersionUID = 1L;

    NotOffered(String message) {
      super(message);
    }
  }

  private final Connector connector;
  private final TlsScanner scanner;

  StartTlsProber(Connector connector, TlsScanner scanner) {
    this.connector = connector;
    this.scanner = scanner;
  }

  StartTlsObservation probe(Target target, List<String> transcript) {
    try {
      upgrade(target, transcript).close();
    } catch (NotOffered e) {
      return new StartTlsObservation(false, null, e.getMessage());
    } catch (IOException | RuntimeException e) {
      transcript.add(target.service() + " dialogue failed: " + TlsScanner.describe(e));
      return new StartTlsObservation(false, null, TlsScanner.describe(e));
    }
    TlsObservation tls = scanner.scan(() -> upgrade(target, null), target.hostname(), transcript);
    return new StartTlsObservation(true, tls, null);
  }

  /**
   * Speaks the cleartext dialogue up to the go-ahead and returns the socket, ready for a
   * ClientHello. Writes to the transcript when one is given.
   */
  private Socket upgrade(Target target, List<String> transcript) throws IOException {
    AtomicReference<Socket> socket = new AtomicReference<>();
    SocketFactory capturing = connector.socketFactory(socket::set);
    boolean handedOver = false;
    try {
      switch (target.service()) {
        case SMTP, SUBMISSION -> smtp(target, capturing, transcript);
        case IMAP -> imap(target, capturing, transcript);
        case POP3 -> pop3(target, capturing, transcript);
        case FTP -> ftp(target, capturing, transcript);
        default -> throw new IllegalArgumentException("no STARTTLS for " + target.service());
      }
      handedOver = true;
      return socket.get();
    } finally {
      if (!handedOver && socket.get() != null) {
        socket.get().close();
      }
    }
  }

  private void connect(SocketClient client, SocketFactory factory, Target target)
      throws IOException {
    client.setSocketFactory(factory);
    client.setConnectTimeout(connector.connectTimeoutMillis());
    client.connect(target.address(), target.port());
  }

  private void smtp(Target target, SocketFactory factory, List<String> transcript)
      throws IOException {
    SMTPClient smtp = new SMTPClient();
    connect(smtp, factory, target);
    note(transcript, "SMTP greeting " + firstLine(smtp.getReplyString()));
    if (!SMTPReply.isPositiveCompletion(smtp.getReplyCode())) {
      throw new NotOffered("greeting refused: " + firstLine(smtp.getReplyString()));
    }
    int ehlo = smtp.sendCommand("EHLO", "portproof.invalid");
    if (!SMTPReply.isPositiveCompletion(ehlo)) {
      throw new NotOffered("EHLO refused: " + firstLine(smtp.getReplyString()));
    }
    boolean advertised =
        Arrays.stream(smtp.getReplyStrings())
            .map(l -> l.length() > 4 ? l.substring(4).strip().toUpperCase(Locale.ROOT) : "")
            .anyMatch(l -> l.equals("STARTTLS"));
    note(transcript, "SMTP EHLO -> STARTTLS " + (advertised ? "advertised" : "not advertised"));
    if (!advertised) {
      throw new NotOffered("EHLO does not advertise STARTTLS");
    }
    int reply = smtp.sendCommand("STARTTLS");
    note(transcript, "SMTP STARTTLS -> " + firstLine(smtp.getReplyString()));
    if (reply != SMTPReply.SERVICE_READY) {
      throw new NotOffered("STARTTLS refused: " + firstLine(smtp.getReplyString()));
    }
  }

  private void imap(Target target, SocketFactory factory, List<String> transcript)
      throws IOException {
    IMAPClient imap = new IMAPClient();
    connect(imap, factory, target);
    note(transcript, "IMAP greeting " + firstLine(imap.getReplyString()));
    imap.capability();
    boolean advertised = hasToken(imap.getReplyStrings(), "STARTTLS");
    note(transcript, "IMAP CAPABILITY -> STARTTLS " + (advertised ? "advertised" : "not advertised"));
    if (!advertised) {
      throw new NotOffered("CAPABILITY does not list STARTTLS");
    }
    int reply = imap.sendCommand("STARTTLS");
    note(transcript, "IMAP STARTTLS -> " + firstLine(imap.getReplyString()));
    if (reply != IMAPReply.OK) {
      throw new NotOffered("STARTTLS refused: " + firstLine(imap.getReplyString()));
    }
  }

  private void pop3(Target target, SocketFactory factory, List<String> transcript)
      throws IOException {
    POP3Client pop3 = new POP3Client();
    connect(pop3, factory, target);
    note(transcript, "POP3 greeting " + firstLine(pop3.getReplyString()));
    boolean advertised = pop3.capa() && hasToken(pop3.getReplyStrings(), "STLS");
    note(transcript, "POP3 CAPA -> STLS " + (advertised ? "advertised" : "not advertised"));
    if (!advertised) {
      throw new NotOffered("CAPA does not list STLS");
    }
    int reply = pop3.sendCommand("STLS");
    note(transcript, "POP3 STLS -> " + firstLine(pop3.getReplyString()));
    if (reply != POP3Reply.OK) {
      throw new NotOffered("STLS refused: " + firstLine(pop3.getReplyString()));
    }
  }

  private void ftp(Target target, SocketFactory factory, List<String> transcript)
      throws IOException {
    FTPClient ftp = new FTPClient();
    connect(ftp, factory, target);
    note(transcript, "FTP greeting " + firstLine(ftp.getReplyString()));
    // RFC 4217: 234 means "go ahead with TLS"; FEAT is optional, so AUTH TLS is the real test.
    int reply = ftp.sendCommand("AUTH", "TLS");
    note(transcript, "FTP AUTH TLS -> " + firstLine(ftp.getReplyString()));
    if (reply != 234) {
      throw new NotOffered("AUTH TLS refused: " + firstLine(ftp.getReplyString()));
    }
  }

  private static boolean hasToken(String[] lines, String token) {
    return Arrays.stream(lines)
        .flatMap(l -> Arrays.stream(l.toUpperCase(Locale.ROOT).split("[\\s\\[\\]]+")))
        .anyMatch(token::equals);
  }

  private static String firstLine(String reply) {
    return reply == null ? "(none)" : reply.lines().findFirst().orElse("").strip();
  }

  private static void note(List<String> transcript, String line) {
    if (transcript != null) {
      transcript.add(line);
    }
  }
}
