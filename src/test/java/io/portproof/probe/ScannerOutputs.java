package io.portproof.probe;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads sslscan's and nmap's XML into the prober's shape: protocol label to the set of IANA suite
 * names. Names go through {@link CipherSuites}, the table under test.
 */
final class ScannerOutputs {
  private ScannerOutputs() {}

  /** sslscan --xml=-: {@code <cipher status=... sslversion="TLSv1.2" cipher="OPENSSL-NAME"/>}. */
  static Map<String, Set<String>> sslscan(String xml) throws Exception {
    return sslscan(parse(xml).getDocumentElement());
  }

  /** sslscan --targets output: one {@code <ssltest port=...>} per target, keyed by port. */
  static Map<Integer, Map<String, Set<String>>> sslscanByPort(String xml) throws Exception {
    Map<Integer, Map<String, Set<String>>> out = new LinkedHashMap<>();
    NodeList tests = parse(xml).getElementsByTagName("ssltest");
    for (int i = 0; i < tests.getLength(); i++) {
      Element test = (Element) tests.item(i);
      out.put(Integer.parseInt(test.getAttribute("port")), sslscan(test));
    }
    return out;
  }

  private static Map<String, Set<String>> sslscan(Element doc) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    NodeList protocols = doc.getElementsByTagName("protocol");
    for (int i = 0; i < protocols.getLength(); i++) {
      Element p = (Element) protocols.item(i);
      if (p.getAttribute("enabled").equals("1")) {
        String label =
            p.getAttribute("type").equals("ssl")
                ? "SSLv" + p.getAttribute("version")
                : label("TLSv" + p.getAttribute("version"));
        out.put(label, new TreeSet<>());
      }
    }
    NodeList ciphers = doc.getElementsByTagName("cipher");
    for (int i = 0; i < ciphers.getLength(); i++) {
      Element c = (Element) ciphers.item(i);
      String name = c.getAttribute("cipher");
      String iana =
          CipherSuites.standard()
              .byOpenSslName(name)
              .map(CipherSuites.CipherSuite::ianaName)
              .orElse("unmapped:" + name);
      out.computeIfAbsent(label(c.getAttribute("sslversion")), k -> new TreeSet<>()).add(iana);
    }
    return out;
  }

  /** nmap -oX - --script ssl-enum-ciphers: tables keyed by version holding a "ciphers" table. */
  static Map<String, Set<String>> nmap(String xml) throws Exception {
    Document doc = parse(xml);
    Map<String, Set<String>> out = new LinkedHashMap<>();
    NodeList tables = doc.getElementsByTagName("table");
    for (int i = 0; i < tables.getLength(); i++) {
      Element t = (Element) tables.item(i);
      String key = t.getAttribute("key");
      if (!key.startsWith("TLSv") && !key.startsWith("SSLv")) {
        continue;
      }
      Set<String> names = new TreeSet<>();
      NodeList elems = t.getElementsByTagName("elem");
      for (int j = 0; j < elems.getLength(); j++) {
        Element e = (Element) elems.item(j);
        Element parentTable = (Element) e.getParentNode().getParentNode();
        if (e.getAttribute("key").equals("name") && parentTable.getAttribute("key").equals("ciphers")) {
          // nmap 7.93 still prints TLS 1.3 suites with their draft names.
          names.add(e.getTextContent().strip().replace("TLS_AKE_WITH_", "TLS_"));
        }
      }
      out.put(label(key), names);
    }
    return out;
  }

  /** "TLSv1.0" (sslscan, nmap) is "TLSv1" in nginx and JDK speech. */
  private static String label(String version) {
    return version.equals("TLSv1.0") ? "TLSv1" : version;
  }

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setExpandEntityReferences(false);
    int start = xml.indexOf("<?xml");
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.substring(Math.max(0, start)).getBytes(StandardCharsets.UTF_8)));
  }
}
