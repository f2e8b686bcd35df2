package io.portproof.report;

import java.util.List;
import java.util.Map;

/**
 * Which audit controls a check gives evidence for, so an auditor can file the report under them. Indicative:
 * the assessor decides what a result proves. Checks not listed map to nothing.
 */
public final class Controls {
  /**
   * One requirement of a framework.
   *
   * @param framework e.g. PCI DSS 4.0
   * @param id the requirement's number
   * @param title its gist
   */
  public record Control(String framework, String id, String title) {}

  private static final String PCI = "PCI DSS 4.0";
  private static final Control NSC_STANDARDS = new Control(PCI, "1.2.1", "Configuration standards for network security controls are defined, implemented and maintained");
  private static final Control PORTS_APPROVED = new Control(PCI, "1.2.5", "All allowed services, protocols and ports are identified, approved and have a business need");
  private static final Control NSC_REVIEW = new Control(PCI, "1.2.7", "Configurations of network security controls are reviewed");
  private static final Control INBOUND_CDE = new Control(PCI, "1.3.1", "Inbound traffic to the CDE is restricted to what is necessary");
  private static final Control UNTRUSTED_INBOUND = new Control(PCI, "1.4.2", "Inbound traffic from untrusted networks to trusted networks is restricted");
  private static final Control STRONG_CRYPTO = new Control(PCI, "4.2.1", "Strong cryptography protects data in transit over open, public networks");

  private static final Control NECESSARY_SERVICES = new Control(PCI, "2.2.4", "Only necessary services, protocols and daemons are enabled");

  private static final Map<String, List<Control>> BY_CHECK = Map.ofEntries(
      Map.entry("HTTPS-OPEN", List.of(STRONG_CRYPTO, NSC_STANDARDS)),
      Map.entry("HTTP-OPEN", List.of(STRONG_CRYPTO)),
      Map.entry("IPV6-PARITY", List.of(NSC_STANDARDS, UNTRUSTED_INBOUND)),
      Map.entry("IPV6-NEIGHBOUR-DISCOVERY", List.of(NSC_STANDARDS)),
      Map.entry("UNEXPECTED-EXPOSURE", List.of(PORTS_APPROVED, INBOUND_CDE, UNTRUSTED_INBOUND)),
      Map.entry("HTTP-REDIRECTS-TO-HTTPS", List.of(STRONG_CRYPTO)),
      Map.entry("HTTPS-LISTENER", List.of(STRONG_CRYPTO)),
      Map.entry("HSTS", List.of(STRONG_CRYPTO)),
      Map.entry("TLS-PROTOCOLS", List.of(STRONG_CRYPTO)),
      Map.entry("TLS-CIPHERS", List.of(STRONG_CRYPTO)),
      Map.entry("CERTIFICATE", List.of(STRONG_CRYPTO)),
      Map.entry("RUNNING-CONFIG", List.of(NECESSARY_SERVICES, PORTS_APPROVED)),
      Map.entry("INCONCLUSIVE", List.of(NSC_REVIEW)));

  private Controls() {}

  public static List<Control> of(String checkId) {
    return BY_CHECK.getOrDefault(checkId, List.of());
  }
}
