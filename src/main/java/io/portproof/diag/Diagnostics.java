package io.portproof.diag;

import io.portproof.model.SourceRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects diagnostics while a parser carries on past bad lines. Not thread-safe: one per parse.
 */
public final class Diagnostics {
  private final List<Diagnostic> items = new ArrayList<>();

  public void unsupported(SourceRef at, String message) {
    items.add(new Diagnostic(Diagnostic.Kind.UNSUPPORTED, message, at));
  }

  public void risky(SourceRef at, String message) {
    items.add(new Diagnostic(Diagnostic.Kind.RISKY, message, at));
  }

  public void invalid(SourceRef at, String message) {
    items.add(new Diagnostic(Diagnostic.Kind.INVALID, message, at));
  }

  public void add(Diagnostic d) {
    items.add(d);
  }

  public void addAll(List<Diagnostic> more) {
    items.addAll(more);
  }

  public boolean hasInvalid() {
    return items.stream().anyMatch(d -> d.kind() == Diagnostic.Kind.INVALID);
  }

  public List<Diagnostic> asList() {
    return List.copyOf(items);
  }
}
