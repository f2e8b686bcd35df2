package io.portproof.model.web;

import io.portproof.model.SourceRef;
import java.util.Objects;

/**
 * One test on a request, in nginx's vocabulary ({@code $scheme}, {@code $host}, {@code $uri}, …),
 * which the other servers' parsers translate into.
 *
 * @param variable the variable tested, with its {@code $}
 * @param op the comparison
 * @param operand the literal or regular expression compared against
 * @param source the line of the test
 */
public record Condition(String variable, Op op, String operand, SourceRef source) {
  /** Comparisons. {@link #UNKNOWN} is a test the model cannot evaluate (file checks, ACLs). */
  public enum Op {
    EQ,
    NE,
    MATCH,
    MATCH_CI,
    NOT_MATCH,
    NOT_MATCH_CI,
    PREFIX,
    NOT_PREFIX,
    UNKNOWN
  }

  public Condition {
    Objects.requireNonNull(variable, "variable");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(operand, "operand");
    Objects.requireNonNull(source, "source");
  }

  /** A test the analysis cannot decide; predictions that depend on it are marked unknown. */
  public static Condition unknown(SourceRef source) {
    return new Condition("", Op.UNKNOWN, "", source);
  }
}
