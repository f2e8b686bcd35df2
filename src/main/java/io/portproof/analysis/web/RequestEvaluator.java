package io.portproof.analysis.web;

import io.portproof.model.SourceRef;
import io.portproof.model.web.Condition;
import io.portproof.model.web.Content;
import io.portproof.model.web.HeaderRule;
import io.portproof.model.web.Location;
import io.portproof.model.web.ResponsePrediction;
import io.portproof.model.web.Rule;
import io.portproof.model.web.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one request through a virtual host with nginx's processing order: server-level rewrite
 * steps, location selection (exact, longest prefix, {@code ^~}, regexes in order), the location's
 * rewrite steps ({@code last} restarts the search, at most 10 times), then the content handler.
 */
final class RequestEvaluator {
  private static final int MAX_REWRITE_CYCLES = 10;
  private static final Pattern VARIABLE = Pattern.compile("\\$(\\{([A-Za-z0-9_]+)\\}|([A-Za-z0-9_]+))");

  private final VirtualHost host;
  private final String hostname;
  private final String scheme;
  private final int port;

  private String uri;
  private String args;
  private final String requestUri;
  private final Map<String, String> assigned = new HashMap<>();
  private List<String> captures = List.of();
  private List<HeaderRule> headers;
  private SourceRef unknownBy;

  private enum Flow {
    CONTINUE,
    LAST,
    BREAK,
    RESPONSE
  }

  private ResponsePrediction response;

  RequestEvaluator(VirtualHost host, String hostname, String scheme, int port, String target) {
    this.host = host;
    this.hostname = hostname.toLowerCase(Locale.ROOT);
    this.scheme = scheme;
    this.port = port;
    this.requestUri = target;
    int q = target.indexOf('?');
    this.uri = q >= 0 ? target.substring(0, q) : target;
    this.args = q >= 0 ? target.substring(q + 1) : "";
    this.headers = host.headers();
  }

  ResponsePrediction evaluate() {
    Flow flow = run(host.rules());
    if (flow == Flow.RESPONSE) {
      return response;
    }
    for (int cycle = 0; cycle <= MAX_REWRITE_CYCLES; cycle++) {
      Location loc = find(host.locations(), uri);
      if (loc == null) {
        headers = host.headers();
        return content(host.content());
      }
      headers = loc.headers();
      flow = run(loc.rules());
      if (flow == Flow.RESPONSE) {
        return response;
      }
      if (flow != Flow.LAST) {
        return content(loc.content());
      }
    }
    return respond(500, null, host.source());
  }

  private Flow run(List<Rule> rules) {
    for (Rule rule : rules) {
      Flow f = step(rule);
      if (f != Flow.CONTINUE) {
        return f;
      }
    }
    return Flow.CONTINUE;
  }

  private Flow step(Rule rule) {
    if (rule instanceof Rule.Return r) {
      if (r.status() == 444) {
        response = new ResponsePrediction(requestUri, ResponsePrediction.CLOSED, null, null,
            r.source(), null);
        return Flow.RESPONSE;
      }
      String location = r.location() == null ? null : expand(r.location(), r.source());
      if (unknownBy != null) {
        return unknown();
      }
      respond(r.status(), location == null ? null : absolute(location), r.source());
      return Flow.RESPONSE;
    }
    if (rule instanceof Rule.Rewrite w) {
      Pattern p = Pattern.compile(w.regex(), w.caseInsensitive() ? Pattern.CASE_INSENSITIVE : 0);
      Matcher m = p.matcher(uri);
      if (!m.find()) {
        return Flow.CONTINUE;
      }
      captures = groups(m);
      String result = expand(w.replacement(), w.source());
      if (unknownBy != null) {
        return unknown();
      }
      if (w.flag() == Rule.Rewrite.Flag.REDIRECT) {
        if (w.appendArgs() && !args.isEmpty()) {
          result += (result.contains("?") ? "&" : "?") + args;
        }
        respond(w.redirectStatus(), absolute(result), w.source());
        return Flow.RESPONSE;
      }
      int q = result.indexOf('?');
      if (q >= 0) {
        String newArgs = result.substring(q + 1);
        args = w.appendArgs() && !args.isEmpty() ? newArgs + "&" + args : newArgs;
        uri = result.substring(0, q);
      } else {
        uri = result;
      }
      return switch (w.flag()) {
        case LAST -> Flow.LAST;
        case BREAK -> Flow.BREAK;
        default -> Flow.CONTINUE;
      };
    }
    if (rule instanceof Rule.If i) {
      Boolean holds = holds(i.conditions());
      if (holds == null) {
        return unknown();
      }
      if (!holds) {
        return Flow.CONTINUE;
      }
      if (i.headers() != null) {
        headers = i.headers();
      }
      return run(i.rules());
    }
    if (rule instanceof Rule.Assign a) {
      assigned.put(a.variable().substring(1), expand(a.value(), a.source()));
      return Flow.CONTINUE;
    }
    // the one case left of the sealed interface: Rule.Break
    return Flow.BREAK;
  }

  private Flow unknown() {
    response = new ResponsePrediction(requestUri, ResponsePrediction.UNKNOWN, null, null,
        unknownBy, null);
    return Flow.RESPONSE;
  }

  /** True, false, or null when a condition cannot be evaluated. */
  private Boolean holds(List<Condition> conditions) {
    for (Condition c : conditions) {
      if (c.op() == Condition.Op.UNKNOWN) {
        unknownBy = c.source();
        return null;
      }
      String value = expand(c.variable(), c.source());
      if (unknownBy != null) {
        return null;
      }
      boolean ok = switch (c.op()) {
        case EQ -> value.equals(c.operand());
        case NE -> !value.equals(c.operand());
        case PREFIX -> value.startsWith(c.operand());
        case NOT_PREFIX -> !value.startsWith(c.operand());
        case MATCH, MATCH_CI -> {
          Matcher m = Pattern.compile(c.operand(),
              c.op() == Condition.Op.MATCH_CI ? Pattern.CASE_INSENSITIVE : 0).matcher(value);
          boolean found = m.find();
          if (found) {
            captures = groups(m);
          }
          yield found;
        }
        case NOT_MATCH, NOT_MATCH_CI -> !Pattern.compile(c.operand(),
            c.op() == Condition.Op.NOT_MATCH_CI ? Pattern.CASE_INSENSITIVE : 0).matcher(value).find();
        case UNKNOWN -> false;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static List<String> groups(Matcher m) {
    List<String> g = new ArrayList<>();
    for (int i = 0; i <= m.groupCount(); i++) {
      g.add(m.group(i) == null ? "" : m.group(i));
    }
    return g;
  }

  private ResponsePrediction content(Content content) {
    return switch (content.kind()) {
      case UPSTREAM -> respond(ResponsePrediction.UPSTREAM, null, content.source());
      case ERROR -> respond(503, null, content.source());
      case STATIC -> respond(uri.endsWith("/") ? 200 : content.missingStatus(), null, content.source());
    };
  }

  private ResponsePrediction respond(int status, String location, SourceRef decidedBy) {
    boolean upstream = status == ResponsePrediction.UPSTREAM;
    String hsts = null;
    SourceRef hstsBy = null;
    for (HeaderRule h : headers) {
      if (h.named("Strict-Transport-Security")) {
        // an upstream's status is unknown; assume the 2xx a working application sends
        if (h.appliesTo(upstream ? 200 : status, upstream)) {
          hsts = h.value();
          hstsBy = h.source();
          break;
        }
        hstsBy = h.source();
      }
    }
    response = new ResponsePrediction(requestUri, status, location, hsts, decidedBy, hstsBy);
    return response;
  }

  /** nginx (absolute_redirect on) turns a relative Location into an absolute URL. */
  private String absolute(String location) {
    if (!location.startsWith("/")) {
      return location;
    }
    String name = host.serverNameInRedirect() && !host.primaryName().isEmpty()
        ? host.primaryName() : hostname;
    boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
    String portPart = host.portInRedirect() && !defaultPort ? ":" + port : "";
    return scheme + "://" + name + portPart + location;
  }

  /** Expands nginx variables; an unknown variable marks the result unknown. */
  private String expand(String template, SourceRef at) {
    Matcher m = VARIABLE.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group(2) != null ? m.group(2) : m.group(3);
      String value = variable(name);
      if (value == null) {
        unknownBy = at;
        value = "";
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private String variable(String name) {
    if (name.chars().allMatch(Character::isDigit)) {
      int i = Integer.parseInt(name);
      return i < captures.size() ? captures.get(i) : "";
    }
    if (assigned.containsKey(name)) {
      return assigned.get(name);
    }
    if (name.startsWith("arg_")) {
      return argument(name.substring(4));
    }
    if (name.startsWith("http_")) {
      // the probe sends only Host (and no proxy headers such as X-Forwarded-Proto)
      return name.equals("http_host") ? hostname : "";
    }
    return switch (name) {
      case "host" -> hostname;
      case "server_name" -> host.primaryName();
      case "request_uri" -> requestUri;
      case "uri", "document_uri" -> uri;
      case "args", "query_string" -> args;
      case "is_args" -> args.isEmpty() ? "" : "?";
      case "scheme" -> scheme;
      case "https" -> scheme.equals("https") ? "on" : "";
      case "server_port" -> Integer.toString(port);
      case "request_method" -> "GET";
      case "server_protocol" -> "HTTP/1.1";
      default -> null;
    };
  }

  private String argument(String key) {
    for (String pair : args.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(key)) {
        return pair.substring(eq + 1);
      }
    }
    return "";
  }

  /** nginx's location search over one level, descending into nested locations. */
  static Location find(List<Location> locations, String uri) {
    Location exact = null;
    Location prefix = null;
    for (Location l : locations) {
      switch (l.match()) {
        case EXACT -> {
          if (l.pattern().equals(uri)) {
            exact = l;
          }
        }
        case PREFIX, PREFIX_NO_REGEX -> {
          if (uri.startsWith(l.pattern())
              && (prefix == null || l.pattern().length() > prefix.pattern().length())) {
            prefix = l;
          }
        }
        default -> {}
      }
    }
    if (exact != null) {
      return exact;
    }
    if (prefix != null && !prefix.nested().isEmpty()) {
      Location inner = find(prefix.nested(), uri);
      if (inner != null) {
        return inner;
      }
    }
    if (prefix == null || prefix.match() != Location.Match.PREFIX_NO_REGEX) {
      for (Location l : locations) {
        if ((l.match() == Location.Match.REGEX || l.match() == Location.Match.REGEX_CI)
            && Pattern.compile(l.pattern(),
                l.match() == Location.Match.REGEX_CI ? Pattern.CASE_INSENSITIVE : 0)
                .matcher(uri).find()) {
          return l;
        }
      }
    }
    return prefix;
  }
}
