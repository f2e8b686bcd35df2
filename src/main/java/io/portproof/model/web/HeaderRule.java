package io.portproof.model.web;

import io.portproof.model.SourceRef;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A response header the server adds, and on which responses it really appears.
 *
 * @param name header name as written
 * @param value header value with the server's quoting removed
 * @param scope which responses carry it
 * @param source the line that adds it
 */
public record HeaderRule(String name, String value, Scope scope, SourceRef source) {
  /** The statuses nginx's {@code add_header} without {@code always} applies to. */
  public static final Set<Integer> NGINX_SUCCESS_CODES =
      Set.of(200, 201, 204, 206, 301, 302, 303, 304, 307, 308);

  /** Which responses a header rule reaches. Each server has its own trap here. */
  public enum Scope {
    /** Every response, errors and redirects included (nginx {@code always}, Apache {@code always}). */
    ALWAYS,
    /** nginx {@code add_header} without {@code always}: only {@link #NGINX_SUCCESS_CODES}. */
    NGINX_SUCCESS,
    /**
     * Apache {@code Header set} (the {@code onsuccess} table): upstream responses and locally
     * generated 2xx; lost on httpd's own redirects and errors.
     */
    LOCAL_2XX_OR_UPSTREAM,
    /** HAProxy {@code http-response}: only responses that came from a backend server. */
    UPSTREAM_ONLY
  }

  public HeaderRule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(source, "source");
  }

  /**
   * Whether this header is on a response.
   *
   * @param status the response status
   * @param upstream whether the response came from a backend rather than the server itself
   */
  public boolean appliesTo(int status, boolean upstream) {
    return switch (scope) {
      case ALWAYS -> true;
      case NGINX_SUCCESS -> NGINX_SUCCESS_CODES.contains(status);
      case LOCAL_2XX_OR_UPSTREAM -> upstream || (status >= 200 && status < 300);
      case UPSTREAM_ONLY -> upstream;
    };
  }

  public boolean named(String header) {
    return name.toLowerCase(Locale.ROOT).equals(header.toLowerCase(Locale.ROOT));
  }
}
