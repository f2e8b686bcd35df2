package io.portproof.probe;

import com.google.common.base.Stopwatch;
import com.google.common.util.concurrent.RateLimiter;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.SocketFactory;

/**
 * Opens every connection the prober makes: through the global rate limit, with the connect
 * timeout, retrying only timeouts, and handing back {@link DeadlineSocket}s.
 */
final class Connector {
  private final ProbeOptions options;
  private final RateLimiter limiter;

  Connector(ProbeOptions options) {
    this.options = options;
    this.limiter = RateLimiter.create(options.connectionsPerSecond());
  }

  /** An unconnected socket that will obey the rate limit and the deadline once connected. */
  DeadlineSocket newSocket() {
    return new DeadlineSocket(
        limiter, options.operationTimeout().toMillis(), options.maxResponseBytes());
  }

  /** Connects, retrying only when the connect timed out. */
  Socket connect(InetSocketAddress endpoint) throws IOException {
    SocketTimeoutException last = null;
    for (int attempt = 0; attempt <= options.retries(); attempt++) {
      DeadlineSocket s = newSocket();
      try {
        s.connect(endpoint, connectTimeoutMillis());
        return s;
      } catch (SocketTimeoutException e) {
        last = e;
        s.close();
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
    }
    throw last;
  }

  /** Connects once per allowed attempt and says what TCP saw. */
  TcpObservation tcp(InetSocketAddress endpoint) {
    Stopwatch watch = Stopwatch.createUnstarted();
    IOException failure = null;
    for (int attempt = 0; attempt <= options.retries(); attempt++) {
      watch.reset().start();
      try (Socket s = newSocket()) {
        s.connect(endpoint, connectTimeoutMillis());
        return new TcpObservation(TcpState.OPEN, watch.elapsed(TimeUnit.MILLISECONDS), "connected");
      } catch (SocketTimeoutException e) {
        failure = e;
      } catch (IOException e) {
        failure = e;
        break;
      }
    }
    return classify(failure, watch.elapsed(TimeUnit.MILLISECONDS));
  }

  /**
   * A socket factory for Commons Net clients, so their connections obey the same rules; every
   * socket it makes is also handed to {@code created}, since the clients do not expose theirs.
   */
  SocketFactory socketFactory(Consumer<Socket> created) {
    return new SocketFactory() {
      @Override
      public Socket createSocket() {
        Socket s = newSocket();
        created.accept(s);
        return s;
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        Socket s = connect(new InetSocketAddress(host, port));
        created.accept(s);
        return s;
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
        throw new UnsupportedOperationException("the prober never binds a local address");
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = connect(new InetSocketAddress(host, port));
        created.accept(s);
        return s;
      }

      @Override
      public Socket createSocket(
          InetAddress address, int port, InetAddress localAddress, int localPort) {
        throw new UnsupportedOperationException("the prober never binds a local address");
      }
    };
  }

  int connectTimeoutMillis() {
    return (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
  }

  /**
   * Maps a failed connect to a TCP state the way Linux reports it: ECONNREFUSED is a RST or ICMP
   * port-unreachable; EHOSTUNREACH, ENETUNREACH and EACCES (an ICMP admin-prohibited, or a local
   * REJECT) are unreachable; only silence is filtered.
   */
  static TcpObservation classify(IOException e, long millis) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String lower = message.toLowerCase(Locale.ROOT);
    TcpState state;
    if (e instanceof SocketTimeoutException) {
      state = TcpState.FILTERED;
    } else if (e instanceof ConnectException && lower.contains("refused")) {
      state = TcpState.REFUSED;
    } else {
      // EHOSTUNREACH (NoRouteToHostException), ENETUNREACH, EACCES, and the rarer EADDRNOTAVAIL or
      // ENETDOWN all mean the port could not be reached; the reason keeps the system's words.
      state = TcpState.UNREACHABLE;
    }
    return new TcpObservation(state, millis, message);
  }
}
