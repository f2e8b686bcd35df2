package io.portproof.parse.nginx;

import io.portproof.model.SourceRef;
import java.util.List;

/**
 * One nginx directive as nginx reads it, includes already spliced in: the vendor model this
 * package converts from.
 *
 * @param name directive name
 * @param args arguments with quotes and escapes removed
 * @param block child directives, or null for a simple directive ending in {@code ;}
 * @param source file:line where the directive starts
 */
record Directive(String name, List<String> args, List<Directive> block, SourceRef source) {
  Directive {
    args = List.copyOf(args);
    block = block == null ? null : List.copyOf(block);
  }

  String arg(int i) {
    return i < args.size() ? args.get(i) : "";
  }
}
