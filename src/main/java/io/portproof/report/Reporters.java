package io.portproof.report;

import java.util.List;
import java.util.Optional;

/** The registry of report formats: adding one is a {@link Reporter} and a line here. */
public final class Reporters {
  public static final List<Reporter> ALL = List.of(new TextReporter(), new JsonReporter(), new SarifReporter(),
      new JUnitReporter(), new MarkdownReporter(), new HtmlReporter());

  private Reporters() {}

  public static Optional<Reporter> named(String name) {
    return ALL.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  public static List<String> names() {
    return ALL.stream().map(Reporter::name).toList();
  }
}
