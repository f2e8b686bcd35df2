package io.portproof.parse.firewalld;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * firewalld's XML files (zones, services) as a small element tree that remembers each element's line. Read with
 * the JDK's SAX parser, DTDs and external entities refused: a zone file is configuration, never a reason to
 * fetch or expand anything.
 */
final class Xml {
  /**
   * One element.
   *
   * @param name the tag
   * @param attributes its attributes in document order
   * @param children child elements
   * @param source the line where its start tag ends (what SAX's locator reports), with that line's text
   */
  record El(String name, Map<String, String> attributes, List<El> children, SourceRef source) {
    String attr(String key) {
      return attributes.get(key);
    }

    List<El> all(String tag) {
      return children.stream().filter(c -> c.name.equals(tag)).toList();
    }

    El first(String tag) {
      return children.stream().filter(c -> c.name.equals(tag)).findFirst().orElse(null);
    }
  }

  private Xml() {}

  /** Parses {@code text}; malformed XML is an INVALID diagnostic at its line and the result is null. */
  static El parse(String text, String file, Diagnostics diags) {
    List<String> lines = text.lines().toList();
    try {
      return parse(new InputSource(new StringReader(text)), file, lines);
    } catch (SAXParseException e) {
      int line = Math.max(0, e.getLineNumber());
      String t = line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
      diags.invalid(new SourceRef(file, line, t), "malformed XML: " + e.getMessage());
      return null;
    } catch (SAXException | IOException | ParserConfigurationException e) {
      diags.invalid(SourceRef.ofFile(file), "cannot read XML: " + e.getMessage());
      return null;
    }
  }

  /** Parses a bundled resource, which is known to be well-formed. */
  static El parse(InputStream in, String name) throws IOException {
    byte[] bytes = in.readAllBytes();
    String text = new String(bytes, StandardCharsets.UTF_8);
    try {
      return parse(new InputSource(new StringReader(text)), name, text.lines().toList());
    } catch (SAXException | ParserConfigurationException e) {
      throw new IOException(name + ": " + e.getMessage(), e);
    }
  }

  private static El parse(InputSource src, String file, List<String> lines)
      throws SAXException, IOException, ParserConfigurationException {
    SAXParserFactory f = SAXParserFactory.newInstance();
    f.setNamespaceAware(false);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    SAXParser p = f.newSAXParser();
    Builder b = new Builder(file, lines);
    p.parse(src, b);
    return b.root;
  }

  private static final int MAX_TEXT = 240;

  private static final class Builder extends DefaultHandler {
    private final String file;
    private final List<String> lines;
    private final List<List<El>> stack = new ArrayList<>();
    private final List<String[]> open = new ArrayList<>();
    private final List<Map<String, String>> attrs = new ArrayList<>();
    private final List<SourceRef> refs = new ArrayList<>();
    private Locator locator;
    private El root;

    Builder(String file, List<String> lines) {
      this.file = file;
      this.lines = lines;
    }

    @Override
    public void setDocumentLocator(Locator locator) {
      this.locator = locator;
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes a) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < a.getLength(); i++) {
        m.put(a.getQName(i), a.getValue(i));
      }
      int line = locator == null ? 0 : locator.getLineNumber();
      String text = line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
      // A whole zone can sit on one line; the line number says where, a screenful of it is enough to recognise.
      refs.add(new SourceRef(file, Math.max(0, line), text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT - 1) + "…" : text));
      open.add(new String[] {qName});
      attrs.add(m);
      stack.add(new ArrayList<>());
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
      int i = open.size() - 1;
      El el = new El(open.remove(i)[0], attrs.remove(i), List.copyOf(stack.remove(i)), refs.remove(i));
      if (stack.isEmpty()) {
        root = el;
      } else {
        stack.get(stack.size() - 1).add(el);
      }
    }
  }
}
