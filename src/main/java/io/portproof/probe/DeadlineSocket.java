package io.portproof.probe;

import com.google.common.util.concurrent.RateLimiter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * A socket whose every read obeys one deadline for the whole connection and one cap on the bytes
 * read. SO_TIMEOUT alone bounds each read, so a server dripping a byte just inside it could hold a
 * connection forever; here each read gets only the time left. Layered sockets (the JDK's SSLSocket,
 * Commons Net's clients) read through {@link #getInputStream()}, so they obey it too.
 */
final class DeadlineSocket extends Socket {
  private final RateLimiter limiter;
  private final long operationNanos;
  private final long maxBytes;
  private volatile long deadlineNanos;
  private InputStream in;

  DeadlineSocket(RateLimiter limiter, long operationMillis, long maxBytes) {
    this.limiter = limiter;
    this.operationNanos = TimeUnit.MILLISECONDS.toNanos(operationMillis);
    this.maxBytes = maxBytes;
  }

  /** Waits for the global rate limit, connects, and starts the deadline. */
  @Override
  public void connect(SocketAddress endpoint, int timeout) throws IOException {
    limiter.acquire();
    // Our writes are whole messages (a ClientHello, a request); Nagle would hold the second of two
    // small TLS writes back for the peer's delayed ACK, ~40 ms a time.
    setTcpNoDelay(true);
    // A probe makes tens of short connections per endpoint; closing with RST instead of FIN keeps
    // thousands of them from sitting in TIME_WAIT and exhausting ephemeral ports.
    setSoLinger(true, 0);
    super.connect(endpoint, timeout);
    deadlineNanos = System.nanoTime() + operationNanos;
  }

  @Override
  public synchronized InputStream getInputStream() throws IOException {
    if (in == null) {
      in = new DeadlineInputStream(super.getInputStream());
    }
    return in;
  }

  private int remainingMillis() throws SocketTimeoutException {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      throw deadlineExceeded();
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
  }

  private SocketTimeoutException deadlineExceeded() {
    return new SocketTimeoutException(
        "no complete answer within " + TimeUnit.NANOSECONDS.toMillis(operationNanos) + " ms");
  }

  private final class DeadlineInputStream extends FilterInputStream {
    private long budget = maxBytes;

    DeadlineInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (budget <= 0) {
        throw new IOException("server sent more than " + maxBytes + " bytes");
      }
      DeadlineSocket.super.setSoTimeout(remainingMillis());
      int n;
      try {
        n = super.read(b, off, (int) Math.min(len, budget));
      } catch (SocketTimeoutException e) {
        throw deadlineExceeded();
      }
      if (n > 0) {
        budget -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // The wrapped stream's skip would bypass both the deadline and the byte cap.
      byte[] sink = new byte[(int) Math.min(n, 4096)];
      int got = read(sink, 0, sink.length);
      return Math.max(got, 0);
    }
  }
}
