package io.portproof.parse.firewalld;

import io.portproof.model.SourceRef;
import io.portproof.parse.firewalld.Zone.Item;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * firewalld's common service definitions, bundled as resources in firewalld's own XML format (ports as in
 * {@code /usr/lib/firewalld/services}); a zone names them, the exports do not repeat them.
 */
final class Services {
  /**
   * A service.
   *
   * @param name its name
   * @param ports ports with their protocol
   * @param protocols IP protocols
   * @param sourcePorts source ports with their protocol
   * @param ipv4 the IPv4 destination the service is limited to, or null
   * @param ipv6 the IPv6 destination the service is limited to, or null
   * @param limitedToFamilies whether a destination element exists: then families without an address get no rules
   * @param includes services this one includes, which firewalld adds as if the zone named them too
   */
  record Service(String name, List<Item> ports, List<String> protocols, List<Item> sourcePorts, String ipv4, String ipv6,
      boolean limitedToFamilies, List<String> includes) {}

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  private static final Map<String, Optional<Service>> CACHE = new ConcurrentHashMap<>();

  private Services() {}

  /** The bundled definition, or empty when firewalld's name is not one portproof bundles. */
  static Optional<Service> get(String name) {
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    return CACHE.computeIfAbsent(name, Services::load);
  }

  private static Optional<Service> load(String name) {
    try (InputStream in = Services.class.getResourceAsStream("services/" + name + ".xml")) {
      if (in == null) {
        return Optional.empty();
      }
      Xml.El root = Xml.parse(in, "services/" + name + ".xml");
      List<Item> ports = new ArrayList<>();
      List<String> protocols = new ArrayList<>();
      List<Item> sourcePorts = new ArrayList<>();
      String v4 = null;
      String v6 = null;
      boolean limited = false;
      List<String> includes = new ArrayList<>();
      for (Xml.El e : root.children()) {
        switch (e.name()) {
          case "port" -> ports.add(new Item(e.attr("port"), e.attr("protocol"), SourceRef.ofFile("service " + name)));
          case "source-port" -> sourcePorts.add(new Item(e.attr("port"), e.attr("protocol"), SourceRef.ofFile("service " + name)));
          case "protocol" -> protocols.add(e.attr("value"));
          case "include" -> includes.add(e.attr("service"));
          case "destination" -> {
            limited = true;
            v4 = e.attr("ipv4");
            v6 = e.attr("ipv6");
          }
          default -> {
            // short, description, helpers, modules: nothing a filter decision depends on.
          }
        }
      }
      return Optional.of(new Service(name, ports, protocols, sourcePorts, v4, v6, limited, includes));
    } catch (IOException e) {
      throw new UncheckedIOException("bundled firewalld service " + name + " is unreadable", e);
    }
  }
}
