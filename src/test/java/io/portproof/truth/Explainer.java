package io.portproof.truth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portproof.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Asks portproof, in process and through its CLI contract, what it predicts for each probe: {@code
 * explain --firewall rules.v4 --firewall rules.v6 --packets packets --format json --address ...}.
 */
final class Explainer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Explainer() {}

  /**
   * portproof's answer for one packet, as the JSON line says it.
   *
   * @param verdict ACCEPT, DROP, REJECT or UNKNOWN
   * @param rejectWith the REJECT type, or null
   * @param expected open, refused, unreachable, filtered, or null
   * @param rewrittenTo {@code address:port} after DNAT/REDIRECT, or null when not rewritten
   * @param rewrittenPort the port after DNAT/REDIRECT, or null when not rewritten
   * @param followsAck whether the trace follows the client's handshake ACK, i.e. assumes a listener
   *     answered the SYN with a SYN-ACK
   * @param decidedBy {@code file:line text} of the deciding rule, for reports
   * @param json the whole line, for reports
   */
  record Prediction(
      String verdict,
      String rejectWith,
      String expected,
      String rewrittenTo,
      Integer rewrittenPort,
      boolean followsAck,
      String decidedBy,
      String json) {

    /** The fields that matter to a reader, without the trace. */
    String summary() {
      return verdict + (rejectWith == null ? "" : " " + rejectWith) + ", expected " + expected
          + (rewrittenTo == null ? "" : ", rewritten to " + rewrittenTo) + ", decided by " + decidedBy;
    }

    boolean unknown() {
      return "UNKNOWN".equals(verdict);
    }

    /**
     * What a client should see given which ports actually listen, per DESIGN.md: ACCEPT is open
     * when something listens on the (rewritten) port and refused otherwise; REJECT is refused or
     * unreachable by its type; DROP is filtered. portproof's own {@code expected} assumes a
     * listener, so it only decides when it says something other than open (a reply path that drops
     * the answer, say). Empty for UNKNOWN, which is not comparable.
     */
    Outcome outcome(Set<Integer> listeners, int dport) {
      if (unknown()) {
        throw new IllegalStateException("UNKNOWN has no outcome");
      }
      int port = rewrittenPort != null ? rewrittenPort : dport;
      if (followsAck && !listeners.contains(port)) {
        // The SYN was accepted and its answer left through OUTPUT; with nothing listening that
        // answer is the kernel's reset, and there is no handshake ACK to follow.
        return Outcome.REFUSED;
      }
      if (expected != null && !"open".equals(expected)) {
        return Outcome.parse(expected);
      }
      switch (verdict) {
        case "ACCEPT":
          return listeners.contains(port) ? Outcome.OPEN : Outcome.REFUSED;
        case "DROP":
          return Outcome.FILTERED;
        case "REJECT":
          return rejectOutcome(rejectWith);
        default:
          throw new IllegalStateException("verdict " + verdict + " in " + json);
      }
    }
  }

  static Outcome rejectOutcome(String rejectWith) {
    if (rejectWith == null
        || rejectWith.equals("tcp-reset")
        || rejectWith.equals("icmp-port-unreachable")
        || rejectWith.equals("icmp6-port-unreachable")) {
      return Outcome.REFUSED;
    }
    return Outcome.UNREACHABLE;
  }

  /** What explain produced for a whole case: one prediction per probe, or why there are none. */
  record Answer(List<Prediction> predictions, int exitCode, String stderr) {
    boolean usable() {
      return predictions != null;
    }
  }

  static Answer explain(Path dir, TruthCase truthCase, List<String> addresses) {
    return explain(dir, truthCase, addresses, List.of());
  }

  /** The same, with further {@code explain} options that describe the host ({@code --forwarding}). */
  static Answer explain(Path dir, TruthCase truthCase, List<String> addresses, List<String> hostOptions) {
    try {
      Files.createDirectories(dir);
      List<Path> firewall = new ArrayList<>();
      for (TruthCase.Load load : truthCase.loads()) {
        Path file = dir.resolve(load.fileName());
        Files.writeString(file, load.text());
        firewall.add(file);
      }
      return explain(dir, firewall, truthCase, addresses, hostOptions);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** portproof's answer for the case's probes given these firewall exports (any format it sniffs). */
  static Answer explain(Path dir, List<Path> firewall, TruthCase truthCase, List<String> addresses) {
    return explain(dir, firewall, truthCase, addresses, List.of());
  }

  static Answer explain(Path dir, List<Path> firewall, TruthCase truthCase, List<String> addresses, List<String> hostOptions) {
    try {
      Files.createDirectories(dir);
      List<String> args = new ArrayList<>(List.of("explain"));
      firewall.forEach(f -> args.addAll(List.of("--firewall", f.toString())));
      StringBuilder packets = new StringBuilder("# " + truthCase.name() + "\n");
      truthCase.probes().forEach(p -> packets.append(p.packetLine(Lab.SERVER_IF)).append('\n'));
      Path packetFile = dir.resolve("packets");
      Files.writeString(packetFile, packets);
      args.addAll(List.of("--packets", packetFile.toString(), "--format", "json"));
      addresses.forEach(a -> args.addAll(List.of("--address", a)));
      args.addAll(hostOptions);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit;
      try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
          PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
        exit = Main.run(o, e, args.toArray(String[]::new));
      }
      String stderr = err.toString(StandardCharsets.UTF_8);
      List<String> lines =
          out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
      if (lines.size() != truthCase.probes().size()) {
        return new Answer(
            null,
            exit,
            "expected " + truthCase.probes().size() + " JSON lines, got " + lines.size() + "; "
                + stderr + String.join("\n", lines.subList(0, Math.min(3, lines.size()))));
      }
      List<Prediction> predictions = new ArrayList<>();
      for (String line : lines) {
        predictions.add(parse(line));
      }
      return new Answer(predictions, exit, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Prediction parse(String line) throws IOException {
    JsonNode node = JSON.readTree(line);
    JsonNode rewritten = node.path("rewrittenTo");
    JsonNode decided = node.path("decidedBy");
    String decidedBy =
        decided.isObject()
            ? Path.of(decided.path("file").asText()).getFileName() + ":" + decided.path("line").asText()
                + " " + decided.path("text").asText()
            : "-";
    return new Prediction(
        node.path("verdict").asText(),
        text(node.path("rejectWith")),
        text(node.path("expected")),
        rewritten.isObject()
            ? rewritten.path("address").asText() + ":" + rewritten.path("port").asText()
            : null,
        rewritten.isObject() && rewritten.hasNonNull("port") ? rewritten.path("port").asInt() : null,
        node.path("trace").findValuesAsText("step").contains("ACK"),
        decidedBy,
        line);
  }

  private static String text(JsonNode node) {
    return node.isNull() || node.isMissingNode() ? null : node.asText();
  }
}
