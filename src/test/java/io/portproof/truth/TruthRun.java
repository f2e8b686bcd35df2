package io.portproof.truth;

import static org.assertj.core.api.Assertions.assertThat;

import io.portproof.truth.Explainer.Answer;
import io.portproof.truth.Explainer.Prediction;
import io.portproof.truth.Lab.Observation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs cases through portproof's explain and through the kernel, side by side, on several labs in
 * parallel, and tallies every tuple: agreement, disagreement, or UNKNOWN (not comparable). Then it
 * shrinks a few disagreements to the smallest ruleset that still shows them.
 */
final class TruthRun {
  private final Path workDir;
  private final int labs;
  private final int connectTimeoutMillis;
  private final Path classpath;
  private final Consumer<String> log;

  TruthRun(Path workDir, int labs, int connectTimeoutMillis, Consumer<String> log) {
    this.workDir = workDir;
    this.labs = labs;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.log = log;
    try {
      this.classpath =
          Path.of(ProberMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One tuple on which portproof and the kernel differ.
   *
   * @param listening whether a listener was bound on the port the packet finally reached
   */
  record Disagreement(
      TruthCase truthCase,
      Probe probe,
      boolean listening,
      Prediction prediction,
      Outcome predicted,
      Observation observed) {

    /** Disagreements with the same shape usually have the same cause; one of each is shrunk. */
    String signature() {
      String rule = prediction.decidedBy().replaceFirst("^\\S+:\\d+ ", "");
      return (probe.v6() ? "v6 " : "v4 ") + prediction.verdict() + "/" + predicted + "->"
          + observed.outcome() + " @ " + rule;
    }

    String describe() {
      return truthCase.name() + " [" + truthCase.backend() + "] " + probe
          + (listening ? " (listener bound)" : " (no listener)") + "\n      portproof: "
          + predicted + " (" + prediction.summary() + ")\n      kernel:    " + observed.outcome()
          + " (" + observed.detail() + ", " + observed.millis() + " ms)";
    }
  }

  /** Everything a run counted. Mutated only under its own lock. */
  static final class Summary {
    int cases;
    int tuples;
    int compared;
    int agreements;
    int unknown;
    int unknownOnUndecidablePorts;
    int casesWithUndecidablePorts;
    long explainNanos;
    final Map<Outcome, Integer> observed = new EnumMap<>(Outcome.class);
    final Map<TruthCase.Backend, Integer> backends = new EnumMap<>(TruthCase.Backend.class);
    final List<Disagreement> disagreements = new ArrayList<>();
    final List<String> explainFailures = new ArrayList<>();
    final List<String> harnessFailures = new ArrayList<>();
    final Map<String, String> shrunk = new LinkedHashMap<>();
    /** Every tuple as a tab-separated line: case, probe, listening, observed, detail, prediction. */
    final List<String> ledger = new ArrayList<>();

    synchronized void add(TruthCase truthCase, Answer answer, Map<Probe, Observation> kernel) {
      cases++;
      backends.merge(truthCase.backend(), 1, Integer::sum);
      if (!truthCase.undecidablePorts().isEmpty()) {
        casesWithUndecidablePorts++;
      }
      List<Probe> probes = truthCase.probes();
      for (int i = 0; i < probes.size(); i++) {
        Probe probe = probes.get(i);
        tuples++;
        Observation seen = kernel.get(probe);
        if (seen == null || seen.outcome() == null) {
          harnessFailures.add(truthCase.name() + " " + probe + ": prober failed: " + seen);
          continue;
        }
        observed.merge(seen.outcome(), 1, Integer::sum);
        Prediction prediction = answer.usable() ? answer.predictions().get(i) : null;
        ledger.add(String.join("\t", truthCase.name(), probe.toString(),
            String.valueOf(truthCase.listenerPorts().contains(probe.port())),
            seen.outcome().toString(), seen.detail(), prediction == null ? "-" : prediction.json()));
        if (prediction == null) {
          continue;
        }
        if (prediction.unknown()) {
          unknown++;
          if (truthCase.undecidablePorts().contains(probe.port())) {
            unknownOnUndecidablePorts++;
          }
          continue;
        }
        compared++;
        int finalPort =
            prediction.rewrittenPort() != null ? prediction.rewrittenPort() : probe.port();
        boolean listening = truthCase.listenerPorts().contains(finalPort);
        Outcome predicted;
        try {
          predicted = prediction.outcome(truthCase.listenerPorts(), probe.port());
        } catch (RuntimeException e) {
          explainFailures.add(truthCase.name() + " " + probe + ": unreadable answer " + prediction.json());
          continue;
        }
        if (predicted == seen.outcome()) {
          agreements++;
        } else {
          disagreements.add(new Disagreement(truthCase, probe, listening, prediction, predicted, seen));
        }
      }
      if (!answer.usable()) {
        explainFailures.add(truthCase.name() + ": explain exited " + answer.exitCode() + ": " + answer.stderr().strip());
      }
    }

    synchronized void explainTook(long nanos) {
      explainNanos += nanos;
    }

    synchronized void harnessFailure(String message) {
      harnessFailures.add(message);
    }

    synchronized String render() {
      StringBuilder out = new StringBuilder();
      out.append("kernel truth: ").append(cases).append(" rulesets, ").append(tuples)
          .append(" tuples probed, ").append(compared).append(" compared, ").append(agreements)
          .append(" agreements, ").append(disagreements.size()).append(" disagreements, ")
          .append(unknown).append(" UNKNOWN (").append(unknownOnUndecidablePorts)
          .append(" on deliberately undecidable ports in ").append(casesWithUndecidablePorts)
          .append(" rulesets), ").append(explainFailures.size()).append(" explain failures\n");
      out.append("  kernel outcomes: ").append(observed).append("; backends: ").append(backends)
          .append(String.format("; explain took %.1f s in all%n", explainNanos / 1e9));
      Map<String, List<Disagreement>> bySignature = new LinkedHashMap<>();
      disagreements.forEach(d -> bySignature.computeIfAbsent(d.signature(), k -> new ArrayList<>()).add(d));
      if (!bySignature.isEmpty()) {
        out.append("  disagreements by kind (").append(bySignature.size()).append("):\n");
        bySignature.forEach((signature, list) -> {
          out.append("  * ").append(list.size()).append("x ").append(signature).append('\n');
          list.stream().limit(2).forEach(d -> out.append("    - ").append(d.describe()).append('\n'));
          String minimal = shrunk.get(signature);
          if (minimal != null) {
            out.append("    minimal reproduction:\n").append(minimal.indent(6));
          }
        });
      }
      explainFailures.stream().limit(10).forEach(f -> out.append("  explain failure: ").append(f).append('\n'));
      harnessFailures.stream().limit(10).forEach(f -> out.append("  harness failure: ").append(f).append('\n'));
      return out.toString();
    }
  }

  /**
   * Runs every case once and then shrinks up to {@code shrinkLimit} distinct disagreements, each
   * lab working through a shared queue.
   */
  Summary run(List<TruthCase> cases, int shrinkLimit, Duration shrinkBudget) {
    long start = System.nanoTime();
    Summary summary = new Summary();
    ConcurrentLinkedQueue<TruthCase> queue = new ConcurrentLinkedQueue<>(cases);
    AtomicInteger done = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(labs);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < labs; i++) {
        futures.add(workers.submit(() -> {
          try (Lab lab = new Lab(classpath, connectTimeoutMillis, /* staticNeighbours= */ true)) {
            for (TruthCase next = queue.poll(); next != null; next = queue.poll()) {
              runOne(lab, next, summary);
              int finished = done.incrementAndGet();
              if (finished % 25 == 0) {
                log.accept("kernel truth: " + finished + "/" + cases.size() + " rulesets done");
              }
            }
          }
          return null;
        }));
      }
      await(futures, summary);
      log.accept(String.format("kernel truth: %d rulesets through explain and the kernel in %.1f s",
          cases.size(), (System.nanoTime() - start) / 1e9));
      shrink(summary, shrinkLimit, shrinkBudget, workers);
    } finally {
      workers.shutdownNow();
    }
    return summary;
  }

  private void runOne(Lab lab, TruthCase truthCase, Summary summary) {
    Answer answer;
    Path dir = workDir.resolve(truthCase.name().replaceAll("[^A-Za-z0-9_.-]", "_"));
    try {
      // Main.run builds its command objects per call, so lab threads call it concurrently.
      long start = System.nanoTime();
      answer = Explainer.explain(dir, truthCase, addresses());
      summary.explainTook(System.nanoTime() - start);
    } catch (RuntimeException e) {
      answer = new Answer(null, -1, "explain threw " + e);
    }
    Map<Probe, Observation> kernel;
    try {
      kernel = lab.run(truthCase);
    } catch (RuntimeException e) {
      summary.harnessFailure(truthCase.name() + ": " + e.getMessage());
      return;
    }
    summary.add(truthCase, answer, kernel);
  }

  static List<String> addresses() {
    return Stream.concat(Lab.SERVER_V4.stream(), Lab.SERVER_V6.stream()).toList();
  }

  /**
   * Greedily deletes rule lines while the tuple still disagrees the same way, one distinct
   * signature at a time, within the time budget.
   */
  private void shrink(Summary summary, int limit, Duration budget, ExecutorService workers) {
    Map<String, Disagreement> firstOfEach = new LinkedHashMap<>();
    synchronized (summary) {
      summary.disagreements.forEach(d -> firstOfEach.putIfAbsent(d.signature(), d));
    }
    List<Disagreement> todo = new ArrayList<>(firstOfEach.values()).subList(0, Math.min(limit, firstOfEach.size()));
    if (todo.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + budget.toNanos();
    ConcurrentLinkedQueue<Disagreement> queue = new ConcurrentLinkedQueue<>(todo);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < Math.min(labs, todo.size()); i++) {
      futures.add(workers.submit(() -> {
        try (Lab lab = new Lab(classpath, connectTimeoutMillis, /* staticNeighbours= */ true)) {
          for (Disagreement d = queue.poll(); d != null; d = queue.poll()) {
            String minimal = shrinkOne(lab, d, deadline);
            synchronized (summary) {
              summary.shrunk.put(d.signature(), minimal);
            }
          }
        }
        return null;
      }));
    }
    await(futures, summary);
  }

  private String shrinkOne(Lab lab, Disagreement d, long deadline) {
    String rules = d.truthCase().rulesFor(d.probe());
    boolean iptables = d.truthCase().backend().iptables();
    List<String> lines = new ArrayList<>(rules.lines().toList());
    int attempts = 0;
    for (int i = lines.size() - 1; i >= 0 && System.nanoTime() < deadline; i--) {
      String line = lines.get(i);
      // Only rules go: iptables' -A lines, nft's statements two tabs deep (not set or chain headers).
      boolean rule = iptables ? line.startsWith("-A ") || line.startsWith("#")
          : line.startsWith("\t\t") && !line.matches("\t\t(type|elements|flags|policy) .*");
      if (!rule) {
        continue;
      }
      List<String> candidate = new ArrayList<>(lines);
      candidate.remove(i);
      attempts++;
      if (stillDisagrees(lab, d, String.join("\n", candidate) + "\n")) {
        lines = candidate;
      }
    }
    String minimal = String.join("\n", lines) + "\n";
    return "(" + attempts + " shrink attempts; " + (System.nanoTime() < deadline ? "complete" : "budget ran out")
        + ") listeners " + d.truthCase().listenerPorts() + ", tuple " + d.probe() + ", backend "
        + d.truthCase().backend() + "\n" + (!iptables ? "ruleset.nft" : d.probe().v6() ? "rules.v6" : "rules.v4") + ":\n" + minimal;
  }

  private boolean stillDisagrees(Lab lab, Disagreement d, String rules) {
    TruthCase reduced = d.truthCase().reducedTo(d.probe(), rules);
    Answer answer =
        Explainer.explain(workDir.resolve("shrink-" + Thread.currentThread().getId()), reduced, addresses());
    if (!answer.usable() || answer.predictions().get(0).unknown()) {
      return false;
    }
    Outcome predicted;
    try {
      predicted = answer.predictions().get(0).outcome(reduced.listenerPorts(), d.probe().port());
    } catch (RuntimeException e) {
      return false;
    }
    if (predicted != d.predicted()) {
      return false;
    }
    Map<Probe, Observation> kernel;
    try {
      kernel = lab.run(reduced);
    } catch (RuntimeException e) {
      // A candidate iptables-restore rejects (a jump to a chain whose rule we just removed is fine,
      // but a removed chain is not) is simply not smaller.
      return false;
    }
    Observation seen = kernel.get(d.probe());
    return seen != null && seen.outcome() == d.observed().outcome();
  }

  private static void await(List<Future<?>> futures, Summary summary) {
    for (Future<?> future : futures) {
      try {
        future.get(30, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        summary.harnessFailure("interrupted");
        return;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        summary.harnessFailure("lab failed: " + e);
      }
    }
  }

  /**
   * How a suite runs and reports.
   *
   * @param title how its report lines start ({@code kernel truth}, {@code nft kernel truth})
   * @param outDir where under target/ it writes its reports and ledgers
   */
  record Suite(String title, String outDir, int connectTimeoutMillis, int labs, int shrink, Duration shrinkBudget) {}

  /** Runs the cases, prints the summary and writes the full report and ledger under target/. */
  static Summary runAndReport(Suite suite, Path work, List<TruthCase> cases, String label) throws IOException {
    long start = System.nanoTime();
    TruthRun run = new TruthRun(work, suite.labs(), suite.connectTimeoutMillis(), System.out::println);
    Summary summary = run.run(cases, suite.shrink(), suite.shrinkBudget());
    String report = summary.render().replace("kernel truth:", suite.title() + " (" + label + "):")
        + String.format("  took %.1f s%n", (System.nanoTime() - start) / 1e9);
    System.out.println(report);
    Path out = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve("target").resolve(suite.outDir());
    Files.createDirectories(out);
    StringBuilder full = new StringBuilder(report);
    summary.disagreements.forEach(d -> full.append("\n").append(d.describe()).append('\n')
        .append("      ").append(d.prediction().json()).append('\n').append(d.truthCase().rulesFor(d.probe())));
    String suffix = label + "-" + ProcessHandle.current().pid();
    Files.writeString(out.resolve("report-" + suffix + ".txt"), full);
    Files.write(out.resolve("tuples-" + suffix + ".tsv"), summary.ledger);
    return summary;
  }

  /** A generated run proves something only if it is big and varied enough. */
  static void assertCoverage(Summary summary, int minRulesets, int minTuples) {
    assertThat(summary.cases).as("rulesets run").isGreaterThanOrEqualTo(minRulesets);
    assertThat(summary.compared).as("tuples compared").isGreaterThanOrEqualTo(minTuples);
    // A generator that never produces some outcome proves nothing about it.
    for (Outcome outcome : Outcome.values()) {
      assertThat(summary.observed.getOrDefault(outcome, 0)).as("kernel outcome %s seen", outcome)
          .isGreaterThanOrEqualTo(summary.tuples / 50);
    }
    assertThat(summary.unknown).as("UNKNOWN tuples").isLessThan(summary.tuples / 10);
    if (summary.casesWithUndecidablePorts >= 3) {
      assertThat(summary.unknownOnUndecidablePorts).as("UNKNOWN on ports whose first rule cannot be decided").isPositive();
    }
  }

  static void assertClean(Summary summary) {
    assertThat(summary.harnessFailures).as("harness failures").isEmpty();
    assertThat(summary.explainFailures).as("explain failures").isEmpty();
    assertThat(summary.disagreements.size())
        .as("tuples where portproof and the kernel disagree (the report above lists them)").isZero();
  }
}
