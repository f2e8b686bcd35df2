package io.portproof.parse.nft;

import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Splits nft's language into tokens. Addresses, CIDRs, ranges and IPv6 literals stay one word; a lone
 * {@code :} (map separator) and a lone {@code .} (concatenation) are symbols because nft's own listing always
 * surrounds them with spaces.
 */
final class NftLexer {
  enum Kind {
    WORD,
    STRING,
    SYM,
    /** {@code $name}: a define to substitute. */
    VAR,
    /** {@code @name}: a named set or map. */
    SETREF,
    /** End of a line: a statement separator outside braces. */
    NL
  }

  /** One token and where it was written. */
  record Tok(Kind kind, String text, SourceRef at) {
    boolean is(String s) {
      return (kind == Kind.WORD || kind == Kind.SYM) && text.equals(s);
    }

    boolean isSym(String s) {
      return kind == Kind.SYM && text.equals(s);
    }

    boolean endsStatement() {
      return kind == Kind.NL || isSym(";");
    }

    /** The token as nft would print it. */
    String render() {
      return switch (kind) {
        case STRING -> '"' + text + '"';
        case VAR -> "$" + text;
        case SETREF -> "@" + text;
        case NL -> "\n";
        default -> text;
      };
    }
  }

  private static final String SYMBOLS = "{}()[];,=!<>|&^";

  private NftLexer() {}

  /**
   * @param refs the source reference for each 1-based line
   */
  static List<Tok> lex(String text, IntFunction<SourceRef> refs, Diagnostics diags) {
    List<Tok> out = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = text.length();
    SourceRef here = null;
    int hereLine = -1;
    while (i < n) {
      char c = text.charAt(i);
      if (hereLine != line) {
        here = refs.apply(line);
        hereLine = line;
      }
      if (c == '\n') {
        out.add(new Tok(Kind.NL, "\n", here));
        line++;
        i++;
      } else if (c == '\\' && i + 1 < n && (text.charAt(i + 1) == '\n' || text.charAt(i + 1) == '\r')) {
        // A continued line is one statement; the line count still advances.
        i += text.charAt(i + 1) == '\r' && i + 2 < n && text.charAt(i + 2) == '\n' ? 3 : 2;
        line++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '"') {
        int end = text.indexOf('"', i + 1);
        int eol = text.indexOf('\n', i + 1);
        if (end < 0 || (eol >= 0 && eol < end)) {
          diags.invalid(here, "unterminated string");
          end = eol < 0 ? n : eol;
          out.add(new Tok(Kind.STRING, text.substring(i + 1, end), here));
          i = end;
        } else {
          out.add(new Tok(Kind.STRING, text.substring(i + 1, end), here));
          i = end + 1;
        }
      } else if (c == '!' && i + 1 < n && text.charAt(i + 1) == '=') {
        out.add(new Tok(Kind.SYM, "!=", here));
        i += 2;
      } else if ((c == '<' || c == '>' || c == '=') && i + 1 < n && text.charAt(i + 1) == '=') {
        out.add(new Tok(Kind.SYM, c + "=", here));
        i += 2;
      } else if ((c == '$' || c == '@') && i + 1 < n && isWordChar(text.charAt(i + 1))) {
        int end = wordEnd(text, i + 1);
        out.add(new Tok(c == '$' ? Kind.VAR : Kind.SETREF, text.substring(i + 1, end), here));
        i = end;
      } else if (SYMBOLS.indexOf(c) >= 0) {
        out.add(new Tok(Kind.SYM, String.valueOf(c), here));
        i++;
      } else if (isWordChar(c)) {
        int end = wordEnd(text, i);
        String w = text.substring(i, end);
        out.add(new Tok(w.equals(":") || w.equals(".") || w.equals("-") || w.equals("/") ? Kind.SYM : Kind.WORD, w, here));
        i = end;
      } else {
        diags.invalid(here, "unexpected character '" + c + "'");
        i++;
      }
    }
    return out;
  }

  private static int wordEnd(String text, int from) {
    int i = from;
    while (i < text.length() && isWordChar(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || "_-./:*+~%".indexOf(c) >= 0;
  }
}
