package io.portproof.probe;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed Strict-Transport-Security header (RFC 6797).
 *
 * @param maxAge seconds; -1 when the directive is missing or malformed (the UA then ignores the
 *     header)
 * @param includeSubDomains the directive is present
 * @param preload the directive is present
 * @param raw the header value as received
 */
public record Hsts(long maxAge, boolean includeSubDomains, boolean preload, String raw) {
  public Hsts {
    Objects.requireNonNull(raw, "raw");
    if (maxAge < -1) {
      throw new IllegalArgumentException("maxAge must be >= -1: " + maxAge);
    }
  }

  /** Parses a header value; directives are case-insensitive and max-age may be quoted. */
  public static Hsts parse(String raw) {
    long maxAge = -1;
    boolean sub = false;
    boolean preload = false;
    for (String part : raw.split(";")) {
      String directive = part.strip();
      int eq = directive.indexOf('=');
      String name = (eq < 0 ? directive : directive.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : directive.substring(eq + 1).strip();
      switch (name) {
        case "max-age" -> maxAge = parseSeconds(value).orElse(-1L);
        case "includesubdomains" -> sub = true;
        case "preload" -> preload = true;
        default -> {
          // RFC 6797 6.1: unknown directives are ignored.
        }
      }
    }
    return new Hsts(maxAge, sub, preload, raw);
  }

  private static Optional<Long> parseSeconds(String value) {
    String digits =
        value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
            ? value.substring(1, value.length() - 1)
            : value;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    // Absurdly long values still mean "a very long time", not an error.
    return Optional.of(digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits));
  }
}
