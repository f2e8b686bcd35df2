package io.portproof.model.web;

import java.util.List;
import java.util.Objects;

/**
 * Everything one server configuration (or {@code ss} capture) says about the sockets it serves.
 *
 * @param format {@code nginx}, {@code apache}, {@code haproxy} or {@code ss}
 * @param origin the input path as the user named it
 * @param hosts virtual hosts in configuration order (order decides default servers)
 * @param boundSockets sockets observed bound ({@code ss}); empty for configurations, whose sockets
 *     are in {@link VirtualHost#listeners()}
 */
public record ServerModel(
    String format, String origin, List<VirtualHost> hosts, List<ListenerRef> boundSockets) {
  public ServerModel {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(origin, "origin");
    hosts = List.copyOf(hosts);
    boundSockets = List.copyOf(boundSockets);
  }

  /**
   * Whether anything could be analyzed. When false the diagnostics say why, and the CLI should
   * exit 2.
   */
  public boolean analyzable() {
    return !hosts.isEmpty() || !boundSockets.isEmpty();
  }
}
