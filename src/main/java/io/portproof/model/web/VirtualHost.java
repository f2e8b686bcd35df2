package io.portproof.model.web;

import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * One name-based virtual host (nginx {@code server}, Apache {@code <VirtualHost>}, HAProxy
 * {@code frontend}/{@code listen}), vendor-independent.
 *
 * @param listeners the sockets it is reachable on
 * @param names server names: exact, {@code *.suffix}/{@code .suffix}, {@code prefix.*}, or
 *     {@code ~regex}; empty for a server without names
 * @param tls TLS settings, or null when no listener of this host speaks TLS
 * @param rules server-level rewrite steps, run before location matching
 * @param locations URI blocks, in configuration order
 * @param headers effective server-level header rules
 * @param content what serves requests no location and no rule answered
 * @param serverNameInRedirect whether relative redirects use the primary server name rather
 *     than the Host header (nginx {@code server_name_in_redirect})
 * @param portInRedirect whether relative redirects carry a non-default port
 * @param source the line that opens the host
 */
public record VirtualHost(
    List<ListenerRef> listeners,
    List<String> names,
    TlsSettings tls,
    List<Rule> rules,
    List<Location> locations,
    List<HeaderRule> headers,
    Content content,
    boolean serverNameInRedirect,
    boolean portInRedirect,
    SourceRef source) {
  public VirtualHost {
    listeners = List.copyOf(listeners);
    names = List.copyOf(names);
    rules = List.copyOf(rules);
    locations = List.copyOf(locations);
    headers = List.copyOf(headers);
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(source, "source");
  }

  /** The name {@code $server_name} expands to: the first one, or empty. */
  public String primaryName() {
    return names.isEmpty() ? "" : names.get(0);
  }
}
