package io.portproof.parse.nginx;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one nginx configuration file into directives the way {@code ngx_conf_read_token} does:
 * whitespace-separated words, single and double quotes with backslash escapes, {@code #} comments
 * at the start of a word, {@code ${var}} braces that are not blocks, {@code ;} and {@code {…}}.
 * Includes are not resolved here; the reader splices them in.
 */
final class NginxTokenizer {
  private final String file;
  private final String text;
  /** The text as an array: the tokenizer is the hot loop of reading large trees. */
  private final char[] chars;
  private final String[] lines;
  private final Diagnostics diagnostics;
  private int pos;
  private int line = 1;

  /**
   * @param file the file name to put in source references
   * @param text the file content
   */
  NginxTokenizer(String file, String text, Diagnostics diagnostics) {
    this.file = file;
    this.text = text;
    this.chars = text.toCharArray();
    this.lines = text.split("\n", -1);
    this.diagnostics = diagnostics;
  }

  /** A directive whose block (if any) holds raw children, includes unresolved. */
  List<Directive> parse() {
    List<Directive> top = new ArrayList<>();
    parseBlock(top, null);
    return top;
  }

  /** Returns normally at EOF or at the {@code }} closing {@code opener}. */
  private void parseBlock(List<Directive> out, SourceRef opener) {
    List<String> words = new ArrayList<>();
    int startLine = 0;
    while (true) {
      skipSpaceAndComments();
      if (pos >= text.length()) {
        if (!words.isEmpty()) {
          diagnostics.invalid(ref(startLine), "unexpected end of file, expecting \";\" or \"}\"");
        }
        if (opener != null) {
          diagnostics.invalid(opener, "unexpected end of file, expecting \"}\" to close this block");
        }
        return;
      }
      char c = text.charAt(pos);
      if (c == ';' || c == '{') {
        pos++;
        if (words.isEmpty()) {
          diagnostics.invalid(ref(line), "unexpected \"" + c + "\"");
          if (c == '{') {
            parseBlock(new ArrayList<>(), ref(line));
          }
          continue;
        }
        SourceRef at = ref(startLine);
        List<Directive> children = null;
        if (c == '{') {
          children = new ArrayList<>();
          parseBlock(children, at);
        }
        out.add(new Directive(words.get(0), words.subList(1, words.size()), children, at));
        words = new ArrayList<>();
        continue;
      }
      if (c == '}') {
        pos++;
        if (!words.isEmpty()) {
          diagnostics.invalid(ref(startLine), "unexpected \"}\": directive is not terminated by \";\"");
          words = new ArrayList<>();
        }
        if (opener == null) {
          diagnostics.invalid(ref(line), "unexpected \"}\" without an open block");
          continue;
        }
        return;
      }
      if (words.isEmpty()) {
        startLine = line;
      }
      words.add(word());
    }
  }

  private void skipSpaceAndComments() {
    int n = chars.length;
    while (pos < n) {
      char c = chars[pos];
      if (c == '\n') {
        line++;
        pos++;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || Character.isWhitespace(c)) {
        pos++;
      } else if (c == '#') {
        while (pos < n && chars[pos] != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private String word() {
    char first = text.charAt(pos);
    if (first == '"' || first == '\'') {
      int openLine = line;
      pos++;
      StringBuilder sb = new StringBuilder();
      while (pos < text.length() && text.charAt(pos) != first) {
        char c = text.charAt(pos++);
        if (c == '\n') {
          line++;
        }
        if (c == '\\' && pos < text.length()) {
          char n = text.charAt(pos++);
          switch (n) {
            case '"', '\'', '\\' -> sb.append(n);
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'n' -> sb.append('\n');
            default -> sb.append('\\').append(n);
          }
          if (n == '\n') {
            line++;
          }
        } else {
          sb.append(c);
        }
      }
      if (pos >= text.length()) {
        diagnostics.invalid(ref(openLine), "unterminated quoted string");
      } else {
        pos++;
        // nginx lets ")" follow a quote so that if ($host = "x") reads naturally
        if (pos < text.length() && !isDelimiter(text.charAt(pos)) && text.charAt(pos) != ')') {
          diagnostics.invalid(
              ref(line), "unexpected \"" + text.charAt(pos) + "\" right after a quoted string");
        }
      }
      return sb.toString();
    }
    int start = pos;
    int n = chars.length;
    // the common case: a plain word without escapes or ${…}, taken as one substring
    while (pos < n && !isDelimiter(chars[pos]) && chars[pos] != '\\' && chars[pos] != '$') {
      pos++;
    }
    if (pos >= n || isDelimiter(chars[pos])) {
      return new String(chars, start, pos - start);
    }
    StringBuilder sb = new StringBuilder().append(chars, start, pos - start);
    int braces = 0;
    while (pos < n) {
      char c = chars[pos];
      if (braces == 0 && isDelimiter(c)) {
        break;
      }
      pos++;
      if (c == '\\' && pos < n) {
        char next = chars[pos++];
        if (next == '\n') {
          line++;
        }
        // nginx keeps the backslash outside quotes except before a quote or another backslash
        if (next != '"' && next != '\'' && next != '\\') {
          sb.append('\\');
        }
        sb.append(next);
        continue;
      }
      if (c == '$' && pos < n && chars[pos] == '{') {
        braces++;
        sb.append(c).append('{');
        pos++;
        continue;
      }
      if (c == '}' && braces > 0) {
        braces--;
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static boolean isDelimiter(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == ';' || c == '{' || c == '}' || c == '\r'
        || (c > ' ' ? false : Character.isWhitespace(c));
  }

  private SourceRef ref(int atLine) {
    String lineText = atLine >= 1 && atLine <= lines.length ? lines[atLine - 1] : "";
    return new SourceRef(file, atLine, lineText);
  }
}
