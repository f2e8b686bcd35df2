package io.portproof.model.web;

import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * A URI-matched block (nginx {@code location}, Apache {@code <Location>}) with its rules, its
 * effective headers (inheritance already resolved by the parser) and its content handler.
 *
 * @param match how {@code pattern} is matched
 * @param pattern the prefix, exact URI, or Java regular expression
 * @param rules rewrite steps, in order
 * @param nested nested locations (searched when this one matches)
 * @param headers the header rules in force in this block after inheritance
 * @param content what serves requests that no rule answered
 * @param source the line that opens the block
 */
public record Location(
    Match match,
    String pattern,
    List<Rule> rules,
    List<Location> nested,
    List<HeaderRule> headers,
    Content content,
    SourceRef source) {
  /** nginx's location modifiers. */
  public enum Match {
    /** {@code location = /x} */
    EXACT,
    /** {@code location /x} */
    PREFIX,
    /** {@code location ^~ /x}: a longest-prefix match that stops the regex search */
    PREFIX_NO_REGEX,
    /** {@code location ~ re} */
    REGEX,
    /** {@code location ~* re} */
    REGEX_CI,
    /** {@code location @name}: reached only by internal redirects */
    NAMED
  }

  public Location {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(pattern, "pattern");
    rules = List.copyOf(rules);
    nested = List.copyOf(nested);
    headers = List.copyOf(headers);
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(source, "source");
  }
}
