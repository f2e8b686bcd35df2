package io.portproof.probe;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;

/**
 * Probes live endpoints: TCP state, then by service the TLS matrix and certificate, HTTP redirect
 * chains and HSTS, or STARTTLS. The only class (with its package) that opens sockets. Thread-safe:
 * one instance may serve concurrent calls, and all of them share one connection rate limit.
 */
public final class Prober {
  private final ProbeOptions options;
  private final Connector connector;
  private final TlsScanner tls;
  private final HttpProber http;
  private final StartTlsProber startTls;

  public Prober(ProbeOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.connector = new Connector(options);
    SSLSocketFactory retrievalOnly = CertificateInspector.retrievalOnlyContext().getSocketFactory();
    this.tls =
        new TlsScanner(
            CipherSuites.standard(), new CertificateInspector(options.caBundle()), retrievalOnly);
    this.http = new HttpProber(connector, options, retrievalOnly);
    this.startTls = new StartTlsProber(connector, tls);
  }

  /** Probes one target fully. Never throws for anything the network does. */
  public Observation probe(Target target) {
    List<String> transcript = new ArrayList<>();
    InetSocketAddress endpoint = new InetSocketAddress(target.address(), target.port());
    TcpObservation tcp = connector.tcp(endpoint);
    transcript.add(
        "TCP connect "
            + target.endpoint()
            + " -> "
            + tcp.state()
            + " in "
            + tcp.millis()
            + " ms ("
            + tcp.reason()
            + ")");
    if (tcp.state() != TcpState.OPEN) {
      return new Observation(target, tcp, null, List.of(), null, transcript);
    }
    Service service = target.service();
    TlsObservation tlsObservation =
        service.implicitTls()
            ? tls.scan(() -> connector.connect(endpoint), target.hostname(), transcript)
            : null;
    List<HttpObservation> chains = new ArrayList<>();
    if (service == Service.HTTP) {
      chains.addAll(chains(target, options.paths(), /* https= */ false, transcript));
    } else if (service == Service.HTTPS && !tlsObservation.protocols().isEmpty()) {
      chains.addAll(chains(target, List.of("/", options.errorPath()), /* https= */ true, transcript));
    }
    StartTlsObservation upgrade = service.startTls() ? startTls.probe(target, transcript) : null;
    return new Observation(target, tcp, tlsObservation, chains, upgrade, transcript);
  }

  private List<HttpObservation> chains(
      Target target, List<String> paths, boolean https, List<String> transcript) {
    List<HttpObservation> out = new ArrayList<>();
    for (String path : paths) {
      HttpObservation o = http.chain(target, path, https, transcript);
      out.add(o);
      // A server that could not answer the first request at all (timeout, garbage) would only
      // cost one more deadline per remaining path.
      if (o.chain().isEmpty() && o.error() != null) {
        transcript.add("HTTP remaining paths skipped: the server did not answer " + path);
        break;
      }
    }
    return out;
  }

  /**
   * Probes many targets, at most {@link ProbeOptions#concurrency()} at once, and returns the
   * observations in the order of {@code targets}.
   */
  public List<Observation> probeAll(List<Target> targets, ProgressListener progress) {
    List<Target> work = List.copyOf(targets);
    if (work.isEmpty()) {
      return List.of();
    }
    int total = work.size();
    AtomicInteger finished = new AtomicInteger();
    Object progressLock = new Object();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.concurrency(), total));
    try {
      List<Future<Observation>> futures = new ArrayList<>();
      for (Target t : work) {
        futures.add(
            pool.submit(
                () -> {
                  Observation o = probe(t);
                  synchronized (progressLock) {
                    progress.done(finished.incrementAndGet(), total);
                  }
                  return o;
                }));
      }
      List<Observation> out = new ArrayList<>(total);
      for (Future<Observation> f : futures) {
        out.add(f.get());
      }
      return List.copyOf(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("probe failed unexpectedly", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
