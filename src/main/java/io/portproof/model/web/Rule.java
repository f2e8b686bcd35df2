package io.portproof.model.web;

import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * One request-rewriting step, executed in order the way nginx's rewrite module runs them. Apache's
 * mod_alias/mod_rewrite and HAProxy's {@code http-request} rules are translated into the same
 * steps by their parsers.
 */
public sealed interface Rule {
  SourceRef source();

  /**
   * Answer now: nginx {@code return}, a translated {@code Redirect} or {@code http-request
   * redirect}.
   *
   * @param status the status; 444 closes the connection without a response
   * @param location the Location template (variables not yet expanded) for 3xx, or null
   */
  record Return(int status, String location, SourceRef source) implements Rule {
    public Return {
      if (status < 0 || status > 999) {
        throw new IllegalArgumentException("status " + status);
      }
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * Replace the URI when {@code regex} matches it; a replacement that is an absolute URL, or a
   * redirect flag, answers with a redirect.
   *
   * @param regex Java regular expression over the current URI (no query string)
   * @param caseInsensitive whether the match ignores case
   * @param replacement the template; {@code $1}… refer to groups
   * @param flag what happens after a match
   * @param redirectStatus the redirect status when the result is a redirect (301/302/…)
   * @param appendArgs whether the original query string is appended to the result
   */
  record Rewrite(
      String regex,
      boolean caseInsensitive,
      String replacement,
      Flag flag,
      int redirectStatus,
      boolean appendArgs,
      SourceRef source)
      implements Rule {
    /** nginx's rewrite flags; Apache's [L]/[END] map to LAST/BREAK, [R] to REDIRECT. */
    public enum Flag {
      NONE,
      LAST,
      BREAK,
      REDIRECT
    }

    public Rewrite {
      Objects.requireNonNull(regex, "regex");
      Objects.requireNonNull(replacement, "replacement");
      Objects.requireNonNull(flag, "flag");
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * Run {@code rules} when every condition holds.
   *
   * @param conditions all must hold (an empty list always holds)
   * @param rules the steps inside the block
   * @param headers the header rules in force when the block matched (nginx {@code if} in a
   *     location has its own configuration level), or null to keep the enclosing level's
   */
  record If(List<Condition> conditions, List<Rule> rules, List<HeaderRule> headers, SourceRef source)
      implements Rule {
    public If {
      conditions = List.copyOf(conditions);
      rules = List.copyOf(rules);
      headers = headers == null ? null : List.copyOf(headers);
      Objects.requireNonNull(source, "source");
    }
  }

  /** Stop running rewrite steps at this level (nginx {@code break}). */
  record Break(SourceRef source) implements Rule {
    public Break {
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * Assign a variable (nginx {@code set}).
   *
   * @param variable name with its {@code $}
   * @param value template
   */
  record Assign(String variable, String value, SourceRef source) implements Rule {
    public Assign {
      Objects.requireNonNull(variable, "variable");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(source, "source");
    }
  }
}
