package io.portproof.policy.waiver;

import io.portproof.model.SourceRef;
import java.time.LocalDate;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An accepted finding: it still shows in every report, marked waived, but does not fail the run until the
 * waiver expires.
 *
 * @param checkId the check it waives
 * @param host the host name, or a glob ({@code web-*})
 * @param subject a glob over the finding's subject ({@code tcp/22 on *}), or null for every subject
 * @param expires the last day it applies
 * @param reason why the finding is accepted
 * @param ticket where that decision is tracked, or null
 * @param source where it is declared
 */
public record Waiver(String checkId, String host, String subject, LocalDate expires, String reason, String ticket,
    SourceRef source) {
  public Waiver {
    Objects.requireNonNull(checkId);
    Objects.requireNonNull(host);
    Objects.requireNonNull(expires);
    Objects.requireNonNull(reason);
    Objects.requireNonNull(source);
  }

  /** Whether it applies to a finding of {@code checkId} on {@code host} about {@code subject}. */
  public boolean matches(FindingKey key) {
    return key.checkId().equals(checkId) && glob(host).matcher(key.host()).matches()
        && (subject == null || glob(subject).matcher(key.subject()).matches());
  }

  /** Expired once {@code today} is past its last day. */
  public boolean expiredOn(LocalDate today) {
    return today.isAfter(expires);
  }

  /** e.g. {@code UNEXPECTED-EXPOSURE on web-* (tcp/22 on *)} */
  public String describe() {
    return checkId + " on " + host + (subject == null ? "" : " (" + subject + ")");
  }

  /**
   * Only {@code *} and {@code ?} are special. The JDK's path globs are not used because subjects contain '/'
   * ({@code tcp/443}), which a path glob's {@code *} never crosses.
   */
  private static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*' || c == '?') {
        if (literal.length() > 0) {
          re.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        re.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      re.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
