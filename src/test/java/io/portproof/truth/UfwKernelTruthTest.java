package io.portproof.truth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.portproof.truth.Explainer.Answer;
import io.portproof.truth.Explainer.Prediction;
import io.portproof.truth.Lab.Observation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's truth for ufw: the real ufw configures a fresh network namespace, and what portproof predicts from
 * what that ufw then prints ({@code ufw status verbose}) and writes ({@code user.rules}, {@code user6.rules})
 * must be what the kernel does with connections from the client namespace, probe by probe.
 *
 * <p>ufw runs in a private mount namespace inside the server's network namespace: {@code /etc/ufw}, {@code
 * /etc/default}, {@code /run} (its lock) and its temporary files are fresh tmpfs mounts there, filled from the
 * package's pristine copies in {@code /usr/share/ufw}, so neither the machine's ufw configuration nor its
 * firewall is touched; the test checks both are unchanged afterwards.
 */
@Tag("kernel")
class UfwKernelTruthTest {
  /**
   * ufw's rejects are TCP resets, which answer at once (the ICMP errors that make {@link
   * KernelTruthTest#CONNECT_TIMEOUT_MILLIS} wait for a retransmission never answer a probe here), so only a DROP
   * waits this long.
   */
  private static final int CONNECT_TIMEOUT_MILLIS = 1500;

  private static final List<Integer> PORTS = List.of(22, 25, 80, 443, 3306, 5000, 8080, 8443, 9000, 9001);
  /** Everything but 5000 listens, so an ACCEPT there must be refused, not open. */
  private static final SortedSet<Integer> LISTENERS =
      PORTS.stream().filter(p -> p != 5000).collect(Collectors.toCollection(TreeSet::new));

  /**
   * One ufw configuration: the {@code ufw} commands that build it, in order, on top of the package defaults
   * (deny incoming, allow outgoing), and the ports where portproof must say UNKNOWN.
   */
  record Config(String name, List<String> commands, Set<Integer> undecidable) {
    Config(String name, String... commands) {
      this(name, List.of(commands), Set.of());
    }
  }

  static final List<Config> CONFIGS = List.of(
      new Config("defaults"),
      new Config("allow-22-tcp", "allow 22/tcp"),
      new Config("allow-443-reject-25", "allow 443", "allow 5000/tcp", "reject 25"),
      // The kernel opens a client's first connections (-m recent counts six in 30 s); which connection a probe
      // is, no export says, so UNKNOWN is the only right answer, for both families.
      new Config("limit-ssh", List.of("limit ssh"), Set.of(22)),
      new Config("deny-from-range", "deny from 198.18.1.0/24 to any port 80", "allow 80/tcp"),
      new Config("allow-from-range", "allow from 198.19.0.0/16 to any port 8080 proto tcp"),
      new Config("interfaces", "allow in on eth0 to any port 9000", "allow in on eth1 to any port 9001"),
      new Config("ipv6", "deny from 2001:db8:8000::/33 to any port 443", "allow 443/tcp",
          "allow from 2001:db8:1::/48 to any port 8443 proto tcp"),
      new Config("default-allow", "default allow incoming", "deny 3306",
          "reject from 198.19.0.0/16 to any port 8080 proto tcp"),
      new Config("applications", "allow OpenSSH", "allow 'WWW Full'"));

  /**
   * The profiles the applications configuration names, as Debian ships them: OpenSSH in openssh-server's
   * {@code /etc/ufw/applications.d/openssh-server}, WWW Full in ufw's own {@code ufw-webserver}. Written here
   * so the test does not depend on which packages the machine has.
   */
  private static final String PROFILES = """
      [OpenSSH]
      title=Secure shell server, an rshd replacement
      description=OpenSSH is a free implementation of the Secure Shell protocol.
      ports=22/tcp

      [WWW Full]
      title=Web Server (HTTP,HTTPS)
      description=Web Server (HTTP,HTTPS)
      ports=80,443/tcp
      """;

  /** Debian's {@code /etc/default/ufw}, less its comments; ufw rewrites it for {@code default ...}. */
  private static final String DEFAULTS = """
      IPV6=yes
      DEFAULT_INPUT_POLICY="DROP"
      DEFAULT_OUTPUT_POLICY="ACCEPT"
      DEFAULT_FORWARD_POLICY="DROP"
      DEFAULT_APPLICATION_POLICY="SKIP"
      MANAGE_BUILTINS=no
      IPT_SYSCTL=/etc/ufw/sysctl.conf
      IPT_MODULES=""
      """;

  /**
   * The network settings of ufw's {@code /etc/ufw/sysctl.conf}, which it applies on enable. All are per network
   * namespace; the file is written here rather than copied so that nothing outside the namespace can be set.
   */
  private static final String SYSCTLS = """
      net/ipv4/conf/all/accept_redirects=0
      net/ipv4/conf/default/accept_redirects=0
      net/ipv6/conf/all/accept_redirects=0
      net/ipv6/conf/default/accept_redirects=0
      net/ipv4/icmp_echo_ignore_broadcasts=1
      net/ipv4/icmp_ignore_bogus_error_responses=1
      net/ipv4/icmp_echo_ignore_all=0
      net/ipv4/conf/all/log_martians=0
      net/ipv4/conf/default/log_martians=0
      """;

  /** What ufw left behind in one namespace. */
  record Captured(Path status, Path userRules, Path user6Rules, String iptablesSave, String ip6tablesSave) {}

  @Test
  void whatUfwPrintsAndWritesPredictsWhatTheKernelDoes(@TempDir Path work) throws Exception {
    TruthEnvironment.require();
    TruthEnvironment.requireUfw();
    String hostBefore = hostState();
    Path classpath = Path.of(ProberMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> wrong = new ArrayList<>();
    Set<Outcome> seen = EnumSet.noneOf(Outcome.class);
    int compared = 0;
    long start = System.nanoTime();
    try (Lab lab = new Lab(classpath, CONNECT_TIMEOUT_MILLIS, /* staticNeighbours= */ true)) {
      for (Config config : CONFIGS) {
        Path dir = Files.createDirectories(work.resolve(config.name()));
        TruthCase truthCase = new TruthCase("ufw " + config.name(), null, null, TruthCase.Backend.NFT, LISTENERS,
            probes(), config.undecidable());
        Map<Probe, Observation> kernel = lab.run(truthCase, setup(dir, config), ns -> {});
        Captured captured = new Captured(dir.resolve("status.txt"), dir.resolve("user.rules"), dir.resolve("user6.rules"),
            Files.readString(dir.resolve("iptables-save.txt")), Files.readString(dir.resolve("ip6tables-save.txt")));
        kernel.values().forEach(o -> {
          assertThat(o.outcome()).as("%s: probe failed: %s", config.name(), o.detail()).isNotNull();
          seen.add(o.outcome());
        });
        List<String> wrongHere = new ArrayList<>();
        compared += compare(dir, "ufw status verbose", List.of(captured.status()), truthCase, kernel, wrongHere);
        compared += compare(dir, "user.rules", List.of(captured.userRules(), captured.user6Rules()), truthCase, kernel,
            wrongHere);
        // What ufw loaded goes through portproof's iptables parser too: the same host a third way.
        compared += compare(dir, "iptables-save", List.of(dir.resolve("iptables-save.txt"),
            dir.resolve("ip6tables-save.txt")), truthCase, kernel, wrongHere);
        if (!wrongHere.isEmpty()) {
          wrong.add("ufw " + String.join("; ufw ", config.commands()) + " (" + config.name() + "):\n  "
              + String.join("\n  ", wrongHere) + "\n  ufw status verbose:\n"
              + Files.readString(captured.status()).indent(4) + "  what ufw loaded (iptables-save, ip6tables-save):\n"
              + (captured.iptablesSave() + captured.ip6tablesSave()).indent(4));
        }
      }
    } finally {
      assertThat(hostState()).as("the machine's ufw configuration and firewall after the test").isEqualTo(hostBefore);
    }
    System.out.printf("ufw truth: %d configurations, %d predictions compared with the kernel in %.1f s%n",
        CONFIGS.size(), compared, (System.nanoTime() - start) / 1e9);
    if (!wrong.isEmpty()) {
      fail(wrong.size() + " ufw configurations mispredicted:\n" + String.join("\n", wrong));
    }
    // Configurations that never open, refuse or filter would prove nothing about the verdicts.
    assertThat(seen).contains(Outcome.OPEN, Outcome.REFUSED, Outcome.FILTERED);
  }

  private static List<Probe> probes() {
    List<Probe> probes = new ArrayList<>();
    for (int port : PORTS) {
      Lab.CLIENT_V4.forEach(c -> probes.add(new Probe(c, Lab.SERVER_V4.get(0), port)));
      Lab.CLIENT_V6.forEach(c -> probes.add(new Probe(c, Lab.SERVER_V6.get(0), port)));
    }
    return probes;
  }

  /**
   * The server namespace's setup: a private mount namespace in which ufw finds its package's pristine
   * configuration on tmpfs, takes the configuration's commands, is enabled, and leaves its status, its rule
   * files and what it loaded in {@code dir}.
   */
  private static String setup(Path dir, Config config) throws IOException {
    Files.writeString(dir.resolve("profiles"), PROFILES);
    Files.writeString(dir.resolve("default-ufw"), DEFAULTS);
    Files.writeString(dir.resolve("sysctl.conf"), SYSCTLS);
    String d = "'" + dir + "'";
    StringBuilder s = new StringBuilder("set -e\n");
    s.append("export PATH=/usr/sbin:/usr/bin:/sbin:/bin TMPDIR=/run LC_ALL=C\n");
    // Mounts made here vanish with this process; the network namespace's own mount namespace stays untouched.
    for (String mountPoint : List.of("/etc/ufw", "/etc/default", "/run")) {
      s.append("mount -t tmpfs -o mode=0755 portproof-ufw ").append(mountPoint).append('\n');
    }
    s.append("install -m 0644 ").append(d).append("/default-ufw /etc/default/ufw\n");
    s.append("for f in before after before6 after6 user user6; do install -m 0640 /usr/share/ufw/$f.rules /etc/ufw/; done\n");
    s.append("install -m 0640 /usr/share/ufw/before.init /usr/share/ufw/after.init /etc/ufw/\n");
    s.append("install -m 0644 /usr/share/ufw/ufw.conf ").append(d).append("/sysctl.conf /etc/ufw/\n");
    s.append("install -d -m 0755 /etc/ufw/applications.d\n");
    s.append("install -m 0644 ").append(d).append("/profiles /etc/ufw/applications.d/portproof\n");
    for (String command : config.commands()) {
      s.append("ufw ").append(command).append(" >/dev/null\n");
    }
    s.append("ufw --force enable >/dev/null\n");
    s.append("ufw status verbose > ").append(d).append("/status.txt\n");
    s.append("cp /etc/ufw/user.rules /etc/ufw/user6.rules ").append(d).append('\n');
    s.append("iptables-save > ").append(d).append("/iptables-save.txt\n");
    s.append("ip6tables-save > ").append(d).append("/ip6tables-save.txt\n");
    Path script = Files.writeString(dir.resolve("ufw.sh"), s);
    return "exec " + Shell.tool("unshare").orElseThrow() + " --mount --propagation private /bin/sh -e '" + script + "'\n";
  }

  /** Compares portproof's predictions from {@code exports} with the kernel; returns how many it compared. */
  private static int compare(Path dir, String label, List<Path> exports, TruthCase truthCase,
      Map<Probe, Observation> kernel, List<String> wrong) {
    Answer answer = Explainer.explain(dir.resolve(label.replaceAll("\\W+", "-")), exports, truthCase, TruthRun.addresses());
    if (!answer.usable()) {
      wrong.add(label + ": explain exit " + answer.exitCode() + ": " + answer.stderr());
      return 0;
    }
    int compared = 0;
    for (int i = 0; i < truthCase.probes().size(); i++) {
      Probe probe = truthCase.probes().get(i);
      Prediction prediction = answer.predictions().get(i);
      Outcome observed = kernel.get(probe).outcome();
      compared++;
      if (truthCase.undecidablePorts().contains(probe.port())) {
        boolean limit = prediction.json().contains("ufw limit") || prediction.json().contains("-m recent");
        if (!prediction.unknown() || !limit || observed != Outcome.OPEN) {
          wrong.add(label + ": " + probe + " predicted " + prediction.summary()
              + ", where only UNKNOWN for ufw's limit is right; kernel " + observed + " (the first connection)");
        }
        continue;
      }
      if (prediction.unknown()) {
        wrong.add(label + ": " + probe + " predicted UNKNOWN (" + prediction.json() + "), kernel " + observed);
        continue;
      }
      Outcome predicted = prediction.outcome(truthCase.listenerPorts(), probe.port());
      if (predicted != observed) {
        wrong.add(label + ": " + probe + " predicted " + predicted + " (" + prediction.summary() + "), kernel "
            + observed);
      }
    }
    return compared;
  }

  /**
   * The machine's ufw configuration and the root namespace's firewall, read only: ufw status itself would
   * take ufw's lock in /run, so the files ufw keeps its state in are read instead.
   */
  private static String hostState() throws IOException {
    Map<String, String> state = new LinkedHashMap<>();
    for (String tool : List.of("iptables-save", "ip6tables-save")) {
      state.put(tool, Shell.run(null, Shell.tool(tool).orElseThrow()).orThrow().stdout()
          .replaceAll("(?m)^#.*\\n", "").replaceAll("\\[\\d+:\\d+\\]", ""));
    }
    for (Path root : List.of(Path.of("/etc/ufw"), Path.of("/etc/default/ufw"))) {
      if (!Files.exists(root)) {
        continue;
      }
      try (var files = Files.walk(root)) {
        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
          state.put(file.toString(), Files.readString(file));
        }
      }
    }
    return state.toString();
  }
}
