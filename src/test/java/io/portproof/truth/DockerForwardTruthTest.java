package io.portproof.truth;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.truth.Explainer.Answer;
import io.portproof.truth.Explainer.Prediction;
import io.portproof.truth.Lab.Observation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Docker bypasses ufw", on the real kernel: samples/docker-ufw's rulesets, addresses moved into
 * 198.18.0.0/15, loaded into a host namespace that forwards (as dockerd makes it), with a bridge named
 * docker0 and a container namespace behind it listening on 80, probed from a client namespace. The host
 * itself listens on 22 and 443 (sshd, the web server) and on 8080 (docker-proxy, which a published port
 * also starts), so every DROP is a real timeout and not a missing listener.
 *
 * <p>Both variants run once for the whole class: rules.v4 as Docker leaves it, and docker-user.v4 with
 * the DOCKER-USER fix. The tests then compare what the kernel did with what {@code portproof explain
 * --forwarding} predicted, tuple by tuple.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerForwardTruthTest {
  private static final String HOST_V4 = "198.18.0.1";
  private static final String HOST_V6 = "2001:db8::1";
  /** Stands in for the sample's office network 203.0.113.0/24, which DOCKER-USER lets through. */
  private static final String OFFICE_NET = "198.18.0.16/28";
  private static final String OFFICE_CLIENT = "198.18.0.20";
  private static final String OTHER_CLIENT = "198.18.0.100";
  private static final String CLIENT_V6 = "2001:db8::10";
  /** docker0's 172.17.0.1/16 and the container's 172.17.0.2, moved. */
  private static final String BRIDGE_NET = "198.19.17.0/24";
  private static final String BRIDGE_V4 = "198.19.17.1";
  private static final String CONTAINER_V4 = "198.19.17.2";
  private static final Set<Integer> HOST_LISTENERS = Set.of(22, 443, 8080);
  /** 80 is the sample's published port; the generated chains publish 81 too. */
  private static final Set<Integer> CONTAINER_LISTENERS = Set.of(80, 81);
  private static final List<Integer> PORTS = List.of(22, 80, 443, 3306, 8080);
  private static final long LIFETIME_SECONDS = 300;

  /** One probe of one variant: what the kernel did and what portproof said. */
  record Tuple(String variant, Probe probe, Observation kernel, Prediction prediction) {
    /** The connections nat DOCKER rewrites to the container: they cross FORWARD, not INPUT. */
    boolean published() {
      return !probe.v6() && probe.port() == 8080;
    }

    Outcome predicted() {
      if (prediction.unknown()) {
        return null;
      }
      boolean toContainer = prediction.rewrittenTo() != null && prediction.rewrittenTo().startsWith(CONTAINER_V4 + ":");
      return prediction.outcome(toContainer ? CONTAINER_LISTENERS : HOST_LISTENERS, probe.port());
    }

    @Override
    public String toString() {
      return variant + " " + probe + ": kernel " + kernel.outcome() + " (" + kernel.detail() + "), portproof "
          + (prediction.unknown() ? "UNKNOWN" : predicted()) + " (" + prediction.summary() + ")";
    }
  }

  private final List<Tuple> tuples = new ArrayList<>();

  @BeforeAll
  void runBothVariants(@TempDir Path work) throws IOException, URISyntaxException {
    TruthEnvironment.require();
    Path classpath = Path.of(ProberMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    TruthCase.Backend backend = TruthEnvironment.backends().get(0);
    Path sample = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "samples", "docker-ufw");
    String rulesV6 = Files.readString(sample.resolve("rules.v6"));
    List<Probe> probes = new ArrayList<>();
    for (int port : PORTS) {
      probes.add(new Probe(OFFICE_CLIENT, HOST_V4, port));
      probes.add(new Probe(OTHER_CLIENT, HOST_V4, port));
      probes.add(new Probe(CLIENT_V6, HOST_V6, port));
    }
    Path forward = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "resources", "forward");
    for (String file : List.of("rules.v4", "docker-user.v4", "no-reply-rule.v4", "reject-answers.v4", "with-answers.v4")) {
      Path path = file.contains("-") && !file.startsWith("docker-user") ? forward.resolve(file) : sample.resolve(file);
      TruthCase truthCase = new TruthCase(file, relocate(Files.readString(path)), rulesV6, backend,
          new TreeSet<>(HOST_LISTENERS), probes, Set.of());
      Map<Probe, Observation> kernel = run(truthCase, classpath, work);
      Answer answer = Explainer.explain(work.resolve(file), truthCase, List.of(HOST_V4, HOST_V6), List.of("--forwarding", "--route", "docker0=198.19.17.0/24"));
      assertThat(answer.usable()).as("explain of %s: %s", file, answer.stderr()).isTrue();
      for (int i = 0; i < probes.size(); i++) {
        Tuple t = new Tuple(file, probes.get(i), kernel.get(probes.get(i)), answer.predictions().get(i));
        System.out.println("docker truth: " + t);
        tuples.add(t);
      }
    }
  }

  /**
   * Random FORWARD chains around two published ports (8080 and 8081 to the container's 80 and 81): accepts and
   * drops by state, interface, address, port and TCP flags, REJECT endings, either policy. Whether the
   * container's answer gets back decides as much as whether the SYN gets there. Both ports listen, as portproof
   * answers for a listening service.
   */
  @Test
  void generatedForwardChainsAgreeWithTheKernel(@TempDir Path work) throws IOException, URISyntaxException {
    Path classpath = Path.of(ProberMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    TruthCase.Backend backend = TruthEnvironment.backends().get(0);
    String[] pool = {
        "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A FORWARD -m conntrack --ctstate NEW -j ACCEPT",
        "-A FORWARD -o docker0 -j ACCEPT",
        "-A FORWARD -i docker0 -j ACCEPT",
        "-A FORWARD -i docker0 ! -o docker0 -j ACCEPT",
        "-A FORWARD -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT",
        "-A FORWARD -d 172.17.0.2/32 -p tcp -m tcp --dport 81 -j ACCEPT",
        "-A FORWARD -s 172.17.0.2/32 -p tcp -m tcp --sport 80 -j ACCEPT",
        "-A FORWARD -s 203.0.113.0/24 -j ACCEPT",
        "-A FORWARD -s 203.0.113.0/24 -o docker0 -j DROP",
        "-A FORWARD ! -s 203.0.113.0/24 -o docker0 -p tcp -m tcp --dport 80 -j DROP",
        "-A FORWARD -p tcp -m tcp --dport 81 -j REJECT --reject-with tcp-reset",
        "-A FORWARD -i eth0 -o docker0 -m conntrack --ctstate NEW -j ACCEPT",
        "-A FORWARD -p tcp -m tcp --tcp-flags SYN,ACK SYN,ACK -j DROP",
        "-A FORWARD -i docker0 -p tcp -m tcp --sport 81 -j DROP",
        "-A FORWARD -m conntrack --ctstate ESTABLISHED -p tcp -m tcp --tcp-flags RST RST -j DROP"};
    String[] endings = {"", "-A FORWARD -j REJECT --reject-with icmp-host-prohibited", "-A FORWARD -p tcp -j REJECT --reject-with tcp-reset",
        "-A FORWARD -j DROP"};
    List<Probe> probes = new ArrayList<>();
    for (int port : List.of(22, 8080, 8081)) {
      probes.add(new Probe(OFFICE_CLIENT, HOST_V4, port));
      probes.add(new Probe(OTHER_CLIENT, HOST_V4, port));
    }
    String v6 = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";
    List<String> disagreements = new ArrayList<>();
    int compared = 0;
    long base = Long.getLong("portproof.forward.truth.seed", 7000L);
    for (long seed = base; seed < base + Integer.getInteger("portproof.forward.truth.rulesets", 16); seed++) {
      Random rnd = new Random(seed);
      StringBuilder rules = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
          + "-A PREROUTING -d " + HOST_V4 + "/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80\n"
          + "-A PREROUTING -d " + HOST_V4 + "/32 -p tcp -m tcp --dport 8081 -j DNAT --to-destination 172.17.0.2:81\n");
      if (rnd.nextBoolean()) {
        rules.append("-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n");
      }
      rules.append("COMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ").append(rnd.nextBoolean() ? "DROP" : "ACCEPT")
          .append(" [0:0]\n:OUTPUT ACCEPT [0:0]\n");
      List<String> picked = new ArrayList<>(List.of(pool));
      java.util.Collections.shuffle(picked, rnd);
      picked.subList(0, 2 + rnd.nextInt(4)).forEach(r -> rules.append(r).append('\n'));
      String ending = endings[rnd.nextInt(endings.length)];
      if (!ending.isEmpty()) {
        rules.append(ending).append('\n');
      }
      rules.append("COMMIT\n");
      String name = "forward-seed=" + seed;
      TruthCase truthCase = new TruthCase(name, relocate(rules.toString()), v6, backend, new TreeSet<>(HOST_LISTENERS), probes, Set.of());
      Map<Probe, Observation> kernel = run(truthCase, classpath, work);
      Answer answer = Explainer.explain(work.resolve(name), truthCase, List.of(HOST_V4, HOST_V6),
          List.of("--forwarding", "--route", "docker0=" + BRIDGE_NET));
      assertThat(answer.usable()).as("explain of %s: %s", name, answer.stderr()).isTrue();
      for (int i = 0; i < probes.size(); i++) {
        Tuple t = new Tuple(name, probes.get(i), kernel.get(probes.get(i)), answer.predictions().get(i));
        compared++;
        if (t.kernel().outcome() == null || t.predicted() != t.kernel().outcome()) {
          disagreements.add(t + "\n" + truthCase.rulesV4());
        }
      }
    }
    System.out.println("forward truth: " + compared + " tuples compared, " + disagreements.size() + " disagreements");
    assertThat(disagreements).as("forwarded tuples where portproof and the kernel disagree").isEmpty();
    assertThat(compared).as("tuples compared").isGreaterThan(60);
  }

  /** The sample's addresses, moved where the lab may send traffic; nothing else changes. */
  private static String relocate(String rules) {
    String moved = rules.replace("172.17.0.0/16", BRIDGE_NET).replace("172.17.0.2", CONTAINER_V4)
        .replace("203.0.113.0/24", OFFICE_NET);
    assertThat(moved).doesNotContain("172.17.").doesNotContain("203.0.113.");
    return moved;
  }

  /**
   * Forwarding chains that do (with-answers) or do not (no-reply-rule, reject-answers) let the container's
   * answer back: what the kernel does with the published port decides whether it is open at all.
   */
  @Test
  void theKernelOpensAForwardedPortOnlyWhenTheAnswerComesBack() {
    Map<String, Outcome> seen = new LinkedHashMap<>();
    tuples.stream().filter(t -> t.published() && t.variant().endsWith("answers.v4") || t.published() && t.variant().startsWith("no-reply"))
        .forEach(t -> seen.put(t.variant() + " " + t.probe(), t.kernel().outcome()));
    assertThat(seen).hasSize(6);
    seen.forEach((k, v) -> assertThat(v).as(k).isEqualTo(
        k.startsWith("with-answers") ? Outcome.OPEN : k.startsWith("reject-answers") ? Outcome.UNREACHABLE : Outcome.FILTERED));
  }

  @Test
  void theKernelLetsThePublishedPortPastUfw() {
    Map<String, Outcome> seen = new LinkedHashMap<>();
    tuples.stream().filter(t -> t.variant().equals("rules.v4") || t.variant().equals("docker-user.v4"))
        .forEach(t -> seen.put(t.variant() + " " + t.probe(), t.kernel().outcome()));
    Map<String, Outcome> expected = new LinkedHashMap<>();
    for (String variant : List.of("rules.v4", "docker-user.v4")) {
      for (Probe p : tuples.stream().filter(t -> t.variant().equals(variant)).map(Tuple::probe).toList()) {
        Outcome o;
        if (p.port() == 22 || p.port() == 443) {
          o = Outcome.OPEN;
        } else if (p.port() == 8080 && !p.v6()) {
          // ufw never allows 8080; Docker's FORWARD accept does, unless DOCKER-USER drops the client first.
          o = variant.equals("rules.v4") || p.src().equals(OFFICE_CLIENT) ? Outcome.OPEN : Outcome.FILTERED;
        } else {
          // ufw's INPUT policy; over IPv6 that includes 8080, where only docker-proxy listens.
          o = Outcome.FILTERED;
        }
        expected.put(variant + " " + p, o);
      }
    }
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void portproofFollowsTheDnatToTheContainer() {
    assertThat(tuples.stream().filter(Tuple::published).map(t -> t.prediction().rewrittenTo()).distinct().toList())
        .containsExactly(CONTAINER_V4 + ":80");
    assertThat(tuples.stream().filter(t -> !t.published()).map(t -> t.prediction().rewrittenTo()).distinct().toList())
        .containsExactly((String) null);
  }

  @Test
  void portproofAgreesWithTheKernelOnWhatUfwDecides() {
    assertAgreement(t -> !t.published());
  }

  @Test
  void portproofAgreesWithTheKernelOnThePublishedPort() {
    assertAgreement(Tuple::published);
  }

  private void assertAgreement(Predicate<Tuple> which) {
    List<Tuple> selected = tuples.stream().filter(which).toList();
    assertThat(selected).isNotEmpty();
    List<String> disagreements = new ArrayList<>();
    for (Tuple t : selected) {
      if (t.kernel().outcome() == null || t.predicted() != t.kernel().outcome()) {
        disagreements.add(t.toString());
      }
    }
    assertThat(disagreements).as("tuples where portproof and the kernel disagree").isEmpty();
  }

  /**
   * Three namespaces, torn down on every exit path: client ─veth─ host (eth0; docker0 bridge) ─veth─
   * container. Only the host forwards.
   */
  private static Map<Probe, Observation> run(TruthCase truthCase, Path classpath, Path work) throws IOException {
    String host = Namespaces.create("dhost");
    String client = null;
    String container = null;
    List<Process> listeners = new ArrayList<>();
    try {
      client = Namespaces.create("dcli");
      container = Namespaces.create("dctr");
      String ip = Namespaces.ip();
      Shell.run(null, ip, "-n", client, "link", "add", "ppC", "type", "veth", "peer", "name", "eth0", "netns", host).orThrow();
      Shell.run(null, ip, "-n", host, "link", "add", "vethpp", "type", "veth", "peer", "name", "eth0", "netns", container).orThrow();
      inside(client, sysctls() + ip + " -batch - <<'BATCH'\nlink set lo up\n"
          + "addr add " + OFFICE_CLIENT + "/24 dev ppC\naddr add " + OTHER_CLIENT + "/24 dev ppC\n"
          + "addr add " + CLIENT_V6 + "/64 dev ppC nodad\nlink set ppC up\nBATCH\n");
      inside(container, sysctls() + ip + " -batch - <<'BATCH'\nlink set lo up\n"
          + "addr add " + CONTAINER_V4 + "/24 dev eth0\nlink set eth0 up\nroute add default via " + BRIDGE_V4 + "\nBATCH\n");
      Path rulesV4 = work.resolve(truthCase.name() + ".relocated");
      Path rulesV6 = work.resolve("rules.v6");
      Files.writeString(rulesV4, truthCase.rulesV4());
      Files.writeString(rulesV6, truthCase.rulesV6());
      // dockerd turns on IPv4 forwarding; IPv6 stays a host, as Docker 25 leaves it without ip6tables.
      inside(host, sysctls() + "echo 1 > /proc/sys/net/ipv4/ip_forward\n" + ip + " -batch - <<'BATCH'\n"
          + "link set lo up\naddr add " + HOST_V4 + "/24 dev eth0\naddr add " + HOST_V6 + "/64 dev eth0 nodad\n"
          + "link set eth0 up\nlink add docker0 type bridge\naddr add " + BRIDGE_V4 + "/24 dev docker0\n"
          + "link set vethpp master docker0\nlink set vethpp up\nlink set docker0 up\nBATCH\n"
          + "for dev in eth0 docker0; do\n  i=0\n  until " + ip + " link show dev $dev | grep -q LOWER_UP; do\n"
          + "    i=$((i+1)); [ $i -lt 100 ] || { echo \"no carrier on $dev\" >&2; exit 1; }\n    sleep 0.02\n  done\ndone\n"
          + tool(truthCase.backend().restoreV4) + " < " + rulesV4 + "\n"
          + tool(truthCase.backend().restoreV6) + " < " + rulesV6 + "\n");
      listeners.add(listen(host, HOST_LISTENERS, classpath));
      listeners.add(listen(container, CONTAINER_LISTENERS, classpath));
      try (ProbeClient prober = new ProbeClient(client, classpath, LIFETIME_SECONDS, 32)) {
        return prober.probeAll(truthCase.probes(), KernelTruthTest.CONNECT_TIMEOUT_MILLIS);
      }
    } finally {
      listeners.forEach(Namespaces::stop);
      if (container != null) {
        Namespaces.delete(container);
      }
      if (client != null) {
        Namespaces.delete(client);
      }
      Namespaces.delete(host);
    }
  }

  /**
   * A new namespace copies some IPv4 settings from the machine's own, so forwarding is pinned off (the host
   * turns IPv4 on again); duplicate address detection would hold the IPv6 addresses back for a second.
   */
  private static String sysctls() {
    return "set -e\necho 0 > /proc/sys/net/ipv4/ip_forward\n"
        + "echo 0 > /proc/sys/net/ipv6/conf/all/forwarding\n"
        + "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad\necho 0 > /proc/sys/net/ipv6/conf/default/accept_dad\n";
  }

  private static void inside(String ns, String script) {
    Shell.run(script, Namespaces.ip(), "netns", "exec", ns, "/bin/sh", "-s").orThrow();
  }

  private static String tool(String name) {
    return Shell.tool(name).orElseThrow(() -> new IllegalStateException(name + " not found"));
  }

  /** Starts a {@link ListenerMain} in {@code ns} and waits for its READY. */
  private static Process listen(String ns, Set<Integer> ports, Path classpath) throws IOException {
    List<Object> args = new ArrayList<>(List.of(LIFETIME_SECONDS));
    args.addAll(new TreeSet<>(ports));
    Process listener = Namespaces.start(ns, ProbeClient.childJava(classpath, "ListenerMain", args.toArray()));
    // Bounded: the listener either binds and says READY or exits, which ends the stream.
    String line = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8)).readLine();
    if (!"READY".equals(line)) {
      Namespaces.stop(listener);
      throw new UncheckedIOException(new IOException("listener in " + ns + " on " + ports + " said " + line));
    }
    return listener;
  }
}
