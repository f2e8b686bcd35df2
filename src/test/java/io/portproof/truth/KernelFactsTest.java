package io.portproof.truth;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.truth.Explainer.Answer;
import io.portproof.truth.Lab.Observation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel behaviours the netfilter model has to get right, each pinned down with the smallest
 * ruleset that shows it, observed on the real kernel. Where the fact is about the one TCP packet
 * explain models, portproof's prediction is checked too (UNKNOWN passes: it is not a wrong answer);
 * neighbour discovery is outside that packet, so those facts pin the kernel alone.
 */
@Tag("kernel")
class KernelFactsTest {
  private static final String FILTER_HEAD = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n";

  /**
   * One observed kernel fact.
   *
   * @param staticNeighbours whether IPv6 neighbour entries are pinned (false: NDP runs through
   *     the rules like on a real host)
   * @param checkExplain whether portproof must predict the same outcome
   */
  record Fact(
      String name,
      String rules,
      Probe probe,
      Set<Integer> listeners,
      boolean staticNeighbours,
      Outcome kernel,
      boolean checkExplain) {}

  private static final String NAT_REDIRECT_1433 =
      "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
          + "-A PREROUTING -p tcp -m tcp --dport 1433 -j REDIRECT --to-ports 8080\nCOMMIT\n";

  static List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact(
        "IPv6 INPUT policy DROP without an ICMPv6 accept drops neighbour solicitations: TCP 22 times out",
        FILTER_HEAD + ":OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n",
        new Probe("2001:db8:1::10", "2001:db8::1", 22), Set.of(22), false, Outcome.FILTERED, false));
    facts.add(new Fact(
        "accepting ICMPv6 lets neighbour discovery through: TCP 22 opens",
        FILTER_HEAD + ":OUTPUT ACCEPT [0:0]\n-A INPUT -p ipv6-icmp -j ACCEPT\n"
            + "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n",
        new Probe("2001:db8:1::10", "2001:db8::1", 22), Set.of(22), false, Outcome.OPEN, false));
    facts.add(new Fact(
        "neighbour discovery is not INVALID: a ctstate INVALID DROP ahead of the ICMPv6 accept leaves it working",
        FILTER_HEAD + ":OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate INVALID -j DROP\n"
            + "-A INPUT -p ipv6-icmp -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n",
        new Probe("2001:db8:1::10", "2001:db8::1", 22), Set.of(22), false, Outcome.OPEN, false));
    facts.add(new Fact(
        "neighbour solicitations and advertisements are ctstate UNTRACKED: accepting UNTRACKED ICMPv6 is enough",
        FILTER_HEAD + ":OUTPUT ACCEPT [0:0]\n-A INPUT -p ipv6-icmp -m conntrack --ctstate UNTRACKED -j ACCEPT\n"
            + "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n",
        new Probe("2001:db8:1::10", "2001:db8::1", 22), Set.of(22), false, Outcome.OPEN, false));
    facts.add(new Fact(
        "neighbour discovery is not NEW: accepting only NEW ICMPv6 starves it",
        FILTER_HEAD + ":OUTPUT ACCEPT [0:0]\n-A INPUT -p ipv6-icmp -m conntrack --ctstate NEW -j ACCEPT\n"
            + "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n",
        new Probe("2001:db8:1::10", "2001:db8::1", 22), Set.of(22), false, Outcome.FILTERED, false));
    facts.add(new Fact(
        "neighbour discovery is not RELATED or ESTABLISHED either",
        FILTER_HEAD + ":OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
            + "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n",
        new Probe("2001:db8:1::10", "2001:db8::1", 22), Set.of(22), false, Outcome.FILTERED, false));
    facts.add(new Fact(
        "an IPv6 OUTPUT DROP of ICMPv6 stops the host's neighbour advertisements: TCP times out",
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p ipv6-icmp -j DROP\nCOMMIT\n",
        new Probe("2001:db8:1::10", "2001:db8::1", 22), Set.of(22), false, Outcome.FILTERED, false));
    facts.add(new Fact(
        "IPv4 REDIRECT rewrites the destination to the incoming interface's primary (first) address, not the one asked for",
        NAT_REDIRECT_1433 + FILTER_HEAD + ":OUTPUT ACCEPT [0:0]\n"
            + "-A INPUT -d 198.18.0.1/32 -p tcp -m tcp --dport 8080 -j REJECT --reject-with tcp-reset\n"
            + "-A INPUT -d 198.18.0.2/32 -p tcp -m tcp --dport 8080 -j ACCEPT\nCOMMIT\n",
        new Probe("198.18.1.10", "198.18.0.2", 1433), Set.of(8080), true, Outcome.REFUSED, true));
    facts.add(new Fact(
        "IPv6 REDIRECT rewrites the destination to the first global address the interface lists (the last one added)",
        NAT_REDIRECT_1433 + FILTER_HEAD + ":OUTPUT ACCEPT [0:0]\n"
            + "-A INPUT -d 2001:db8::1/128 -p tcp -m tcp --dport 8080 -j REJECT --reject-with tcp-reset\n"
            + "-A INPUT -d 2001:db8::2/128 -p tcp -m tcp --dport 8080 -j ACCEPT\nCOMMIT\n",
        new Probe("2001:db8:1::10", "2001:db8::1", 1433), Set.of(8080), true, Outcome.OPEN, true));
    facts.add(new Fact(
        "after an IPv6 REDIRECT the reset for a closed port still leaves through OUTPUT, where -d can drop it",
        NAT_REDIRECT_1433 + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + "-A OUTPUT -d 2001:db8:8000::/33 -j DROP\nCOMMIT\n",
        new Probe("2001:db8:8000::1", "2001:db8::1", 1433), Set.of(), true, Outcome.FILTERED, true));
    facts.add(new Fact(
        "REJECT's reset leaves through OUTPUT as RELATED: an ESTABLISHED-only OUTPUT drops it",
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
            + "-A OUTPUT -m state --state ESTABLISHED -j ACCEPT\n"
            + "-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset\nCOMMIT\n",
        new Probe("198.18.1.10", "198.18.0.1", 22), Set.of(), true, Outcome.FILTERED, true));
    facts.add(new Fact(
        "the kernel's own reset for a closed port leaves through OUTPUT as ESTABLISHED",
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
            + "-A OUTPUT -m state --state ESTABLISHED -j ACCEPT\nCOMMIT\n",
        new Probe("198.18.1.10", "198.18.0.1", 22), Set.of(), true, Outcome.REFUSED, true));
    facts.add(new Fact(
        "after NOTRACK the SYN-ACK is not ESTABLISHED or RELATED in OUTPUT",
        "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 22 -j NOTRACK\nCOMMIT\n"
            + "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
            + "-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\n"
            + "-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\nCOMMIT\n",
        new Probe("198.18.1.10", "198.18.0.1", 22), Set.of(22), true, Outcome.FILTERED, true));
    facts.add(new Fact(
        "after NOTRACK the SYN-ACK leaves through OUTPUT as ctstate INVALID",
        "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 22 -j NOTRACK\nCOMMIT\n"
            + "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
            + "-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\n"
            + "-A OUTPUT -m conntrack --ctstate INVALID -j ACCEPT\nCOMMIT\n",
        new Probe("198.18.1.10", "198.18.0.1", 22), Set.of(22), true, Outcome.OPEN, true));
    facts.add(new Fact(
        "after NOTRACK the SYN-ACK is not NEW in OUTPUT",
        "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 22 -j NOTRACK\nCOMMIT\n"
            + "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
            + "-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\n"
            + "-A OUTPUT -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n",
        new Probe("198.18.1.10", "198.18.0.1", 22), Set.of(22), true, Outcome.FILTERED, true));
    facts.add(new Fact(
        "DNAT to an address that is not the host's, with forwarding off, drops silently",
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
            + "-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 198.18.5.5:80\nCOMMIT\n"
            + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
        new Probe("198.18.1.10", "198.18.0.1", 80), Set.of(80), true, Outcome.FILTERED, true));
    facts.add(new Fact(
        "DNAT to 127.0.0.1 of a packet from outside is a martian with route_localnet off: dropped",
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
            + "-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 127.0.0.1:8080\nCOMMIT\n"
            + "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
        new Probe("198.18.1.10", "198.18.0.1", 80), Set.of(8080), true, Outcome.FILTERED, true));
    facts.add(new Fact(
        "only the SYN is accepted (ctstate NEW): the SYN-ACK still comes back, so connect() succeeds;"
            + " the handshake's ACK (ESTABLISHED) meets the REJECT, whose ICMP is only a soft error",
        FILTER_HEAD + ":OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT\n"
            + "-A INPUT -p tcp -j REJECT --reject-with icmp-net-prohibited\nCOMMIT\n",
        new Probe("198.18.1.10", "198.18.0.1", 22), Set.of(22), true, Outcome.OPEN, true));
    return facts;
  }

  @BeforeAll
  static void requireKernel() {
    TruthEnvironment.require();
  }

  @Test
  void kernelFactsHold(@TempDir Path work) throws Exception {
    Path classpath =
        Path.of(ProberMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    TruthCase.Backend backend = TruthEnvironment.backends().get(0);
    List<Fact> facts = facts();
    List<String> failures = new ArrayList<>();
    // Most of a fact's time is the connect timeout, so four labs share them.
    ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < facts.size(); i++) {
      queue.add(i);
    }
    ExecutorService workers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        futures.add(workers.submit(() -> {
          Map<Boolean, Lab> labs = new HashMap<>();
          try {
            for (Integer i = queue.poll(); i != null; i = queue.poll()) {
              Fact fact = facts.get(i);
              Lab lab = labs.computeIfAbsent(fact.staticNeighbours(),
                  pinned -> new Lab(classpath, KernelTruthTest.CONNECT_TIMEOUT_MILLIS, pinned));
              String failure = check(fact, "fact-" + i, lab, backend, work);
              if (failure != null) {
                synchronized (failures) {
                  failures.add(failure);
                }
              }
            }
          } finally {
            labs.values().forEach(Lab::close);
          }
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get(10, TimeUnit.MINUTES);
      }
    } finally {
      workers.shutdownNow();
    }
    assertThat(failures).isEmpty();
  }

  /** Runs one fact; returns what went wrong, or null. */
  private static String check(Fact fact, String name, Lab lab, TruthCase.Backend backend, Path work) {
    boolean v6 = fact.probe().v6();
    TruthCase truthCase = new TruthCase(name, v6 ? null : fact.rules(), v6 ? fact.rules() : null,
        backend, new TreeSet<>(fact.listeners()), List.of(fact.probe()), Set.of());
    Observation observation = lab.run(truthCase).get(fact.probe());
    List<String> problems = new ArrayList<>();
    String predicted = "-";
    if (fact.checkExplain()) {
      Answer answer = Explainer.explain(work.resolve(name), truthCase, TruthRun.addresses());
      predicted = !answer.usable() ? "explain failed: " + answer.stderr()
          : answer.predictions().get(0).unknown() ? "UNKNOWN"
          : answer.predictions().get(0).outcome(truthCase.listenerPorts(), fact.probe().port())
              + " (" + answer.predictions().get(0).summary() + ")";
      // UNKNOWN is an honest answer where the exports do not say (which address REDIRECT picks).
      if (!predicted.equals("UNKNOWN") && !predicted.startsWith(String.valueOf(observation.outcome()))) {
        problems.add("portproof predicted " + predicted + " but the kernel showed " + observation.outcome());
      }
    }
    System.out.println("kernel fact: " + fact.name() + " -> kernel " + observation.outcome()
        + " (" + observation.detail() + "), portproof " + predicted);
    if (fact.kernel() != observation.outcome()) {
      problems.add("expected the kernel to show " + fact.kernel() + ", saw " + observation);
    }
    return problems.isEmpty() ? null : fact.name() + ": " + String.join("; ", problems);
  }
}
