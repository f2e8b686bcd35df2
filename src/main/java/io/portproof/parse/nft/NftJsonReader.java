package io.portproof.parse.nft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portproof.diag.Diagnostics;
import io.portproof.model.SourceRef;
import io.portproof.parse.InputText;
import io.portproof.parse.nft.NftLexer.Tok;
import io.portproof.parse.nft.NftModel.ChainDef;
import io.portproof.parse.nft.NftModel.RuleDef;
import io.portproof.parse.nft.NftModel.SetDef;
import io.portproof.parse.nft.NftModel.Table;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code nft -j list ruleset} (the libnftables JSON schema) into the same vendor model as the text reader.
 * Each rule's expressions are rendered back into nft's language, which is what diagnostics quote and what the
 * converter reads. JSON has no lines: a model object's line is its index in the {@code nftables} array, and its
 * text says so ({@code rule #57: …}).
 */
final class NftJsonReader {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Strings nft's lexer reads as one bare word; anything else is quoted. */
  private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_./:*+~%-]+");

  private final String file;
  private final Diagnostics diags;
  private final NftModel model = new NftModel();

  private NftJsonReader(String file, Diagnostics diags) {
    this.file = file;
    this.diags = diags;
  }

  static NftModel read(InputText in, Diagnostics diags) {
    NftJsonReader r = new NftJsonReader(in.name(), diags);
    JsonNode root;
    try {
      root = MAPPER.readTree(in.text());
    } catch (JsonProcessingException e) {
      diags.invalid(new SourceRef(in.name(), e.getLocation() == null ? 0 : e.getLocation().getLineNr(), ""),
          "not valid JSON: " + e.getOriginalMessage());
      return r.model;
    }
    JsonNode list = root == null ? null : root.get("nftables");
    if (list == null || !list.isArray()) {
      diags.invalid(SourceRef.ofFile(in.name()), "expected {\"nftables\": [ … ]} as 'nft -j list ruleset' writes it");
      return r.model;
    }
    for (int i = 0; i < list.size(); i++) {
      r.object(i, list.get(i));
    }
    return r.model;
  }

  private SourceRef ref(int index, String kind, String text) {
    return new SourceRef(file, index, kind + " #" + index + ": " + text);
  }

  private void object(int index, JsonNode o) {
    Iterator<Map.Entry<String, JsonNode>> it = o.fields();
    if (!it.hasNext()) {
      diags.invalid(ref(index, "object", o.toString()), "empty object in the nftables array");
      return;
    }
    Map.Entry<String, JsonNode> e = it.next();
    JsonNode v = e.getValue();
    String family = v.path("family").asText("ip");
    switch (e.getKey()) {
      case "metainfo" -> {
        // Versions only.
      }
      case "table" -> {
        String name = v.path("name").asText();
        model.tables.computeIfAbsent(family + " " + name, k -> new Table(family, name, ref(index, "table", family + " " + name)));
      }
      case "chain" -> {
        Table t = table(index, v, "chain");
        if (t == null) {
          return;
        }
        String name = v.path("name").asText();
        ChainDef ch = t.chains.computeIfAbsent(name, k -> new ChainDef(k, ref(index, "chain", name + chainText(v))));
        if (v.has("hook")) {
          ch.type = v.path("type").asText("filter");
          ch.hook = v.path("hook").asText();
          ch.priority = v.path("prio").asInt();
          JsonNode dev = v.path("dev");
          if (dev.isArray()) {
            dev.forEach(d -> ch.devices.add(d.asText()));
          } else if (dev.isTextual()) {
            ch.devices.add(dev.asText());
          }
          if (v.has("policy")) {
            ch.policy = v.path("policy").asText();
            ch.policyAt = ch.at;
          }
        }
      }
      case "rule" -> {
        Table t = table(index, v, "rule");
        if (t == null) {
          return;
        }
        ChainDef ch = t.chains.get(v.path("chain").asText());
        StringBuilder sb = new StringBuilder();
        for (JsonNode x : v.path("expr")) {
          if (sb.length() > 0) {
            sb.append(' ');
          }
          sb.append(statement(x));
        }
        String text = sb.toString();
        SourceRef at = ref(index, "rule", text);
        if (ch == null) {
          diags.invalid(at, "rule for chain " + v.path("chain").asText() + ", which does not exist in table " + t.family + " " + t.name);
          return;
        }
        ch.rules.add(new RuleDef(lex(text, at), at));
      }
      case "set", "map" -> {
        Table t = table(index, v, e.getKey());
        if (t == null) {
          return;
        }
        String name = v.path("name").asText();
        SourceRef at = ref(index, e.getKey(), name);
        SetDef sd = t.sets.computeIfAbsent(name, k -> new SetDef(k, e.getKey().equals("map"), at));
        JsonNode flags = v.path("flags");
        if (flags.isArray()) {
          flags.forEach(f -> sd.flags.add(f.asText()));
        } else if (flags.isTextual()) {
          sd.flags.add(flags.asText());
        }
        for (JsonNode el : v.path("elem")) {
          String text = element(el);
          sd.elements.add(lex(text, at));
        }
      }
      case "element" -> {
        Table t = table(index, v, "element");
        SetDef sd = t == null ? null : t.sets.get(v.path("name").asText());
        if (sd == null) {
          diags.invalid(ref(index, "element", v.toString()), "elements for set " + v.path("name").asText() + ", which does not exist");
          return;
        }
        for (JsonNode el : v.path("elem")) {
          sd.elements.add(lex(element(el), sd.at));
        }
      }
      default -> diags.unsupported(ref(index, e.getKey(), v.path("name").asText()), "'" + e.getKey() + "' objects do not decide verdicts; ignored");
    }
  }

  private static String chainText(JsonNode v) {
    if (!v.has("hook")) {
      return "";
    }
    return " { type " + v.path("type").asText() + " hook " + v.path("hook").asText() + " priority " + v.path("prio").asInt()
        + (v.has("policy") ? "; policy " + v.path("policy").asText() : "") + " }";
  }

  private Table table(int index, JsonNode v, String kind) {
    String key = v.path("family").asText("ip") + " " + v.path("table").asText();
    Table t = model.tables.get(key);
    if (t == null) {
      diags.invalid(ref(index, kind, v.toString()), kind + " in table " + key + ", which does not exist");
    }
    return t;
  }

  private List<Tok> lex(String text, SourceRef at) {
    return NftLexer.lex(text, line -> at, diags).stream().filter(x -> x.kind() != NftLexer.Kind.NL).toList();
  }

  // -----------------------------------------------------------------------------------------------------------
  // Rendering JSON expressions as nft text

  private String statement(JsonNode x) {
    Map.Entry<String, JsonNode> e = x.fields().next();
    JsonNode v = e.getValue();
    String k = e.getKey();
    return switch (k) {
      case "accept", "drop", "continue", "return", "notrack", "masquerade" -> k;
      case "jump", "goto" -> k + " " + v.path("target").asText();
      case "match" -> match(v);
      case "counter" -> "counter";
      case "log" -> "log";
      case "limit" -> "limit rate " + (v.path("inv").asBoolean() ? "over " : "") + v.path("rate").asText() + "/" + v.path("per").asText("second");
      case "quota" -> "quota " + v.path("val").asText();
      case "reject" -> {
        String type = v.path("type").asText("");
        if (type.isEmpty()) {
          yield "reject";
        }
        if (type.equals("tcp reset")) {
          yield "reject with tcp reset";
        }
        yield "reject with " + type + " " + v.path("expr").asText("port-unreachable");
      }
      case "dnat", "snat" -> {
        String fam = v.path("family").asText("");
        String addr = v.has("addr") ? expr(v.get("addr")) : "";
        if (fam.equals("ip6") && v.has("port") && !addr.isEmpty()) {
          addr = "[" + addr + "]";
        }
        yield k + (fam.isEmpty() ? "" : " " + fam) + " to " + addr + (v.has("port") ? ":" + expr(v.get("port")) : "");
      }
      case "redirect" -> "redirect" + (v.has("port") ? " to :" + expr(v.get("port")) : "");
      case "mangle" -> expr(v.get("key")) + " set " + expr(v.get("value"));
      case "vmap" -> expr(v.get("key")) + " vmap " + expr(v.get("data"));
      case "xt" -> "xt " + v.path("type").asText("match") + " " + v.path("name").asText();
      case "set" -> v.path("op").asText("add") + " " + v.path("set").asText() + " { " + expr(v.get("elem")) + " }";
      case "ct count" -> "ct count " + (v.path("inv").asBoolean() ? "over " : "") + v.path("val").asText();
      case "queue", "dup", "fwd", "tproxy", "synproxy" -> k;
      default -> "numgen " + k;
    };
  }

  private String match(JsonNode m) {
    String op = m.path("op").asText("==");
    String left = expr(m.get("left"));
    String right = expr(m.get("right"));
    // "in" is nft's implicit operator: a flag test or a set lookup.
    return left + (op.equals("in") ? "" : " " + op) + " " + right;
  }

  private String element(JsonNode el) {
    if (el.isArray() && el.size() == 2) {
      return expr(el.get(0)) + " : " + expr(el.get(1));
    }
    return expr(el);
  }

  String expr(JsonNode x) {
    if (x == null || x.isNull()) {
      return "";
    }
    if (x.isTextual()) {
      String s = x.asText();
      return BARE.matcher(s).matches() || (s.startsWith("@") && s.length() > 1) ? s : '"' + s + '"';
    }
    if (x.isNumber() || x.isBoolean()) {
      return x.asText();
    }
    if (x.isArray()) {
      List<String> parts = new ArrayList<>();
      x.forEach(p -> parts.add(expr(p)));
      return String.join(",", parts);
    }
    Map.Entry<String, JsonNode> e = x.fields().next();
    JsonNode v = e.getValue();
    return switch (e.getKey()) {
      case "payload" -> v.has("protocol") ? v.path("protocol").asText() + " " + v.path("field").asText() : "numgen raw payload";
      case "meta" -> "meta " + v.path("key").asText();
      case "ct" -> "ct " + (v.has("dir") ? v.path("dir").asText() + " " : "") + v.path("key").asText();
      case "fib" -> {
        List<String> flags = new ArrayList<>();
        JsonNode f = v.path("flags");
        if (f.isArray()) {
          f.forEach(y -> flags.add(y.asText()));
        } else {
          flags.add(f.asText());
        }
        yield "fib " + String.join(" . ", flags) + " " + v.path("result").asText();
      }
      case "prefix" -> expr(v.get("addr")) + "/" + v.path("len").asInt();
      case "range" -> expr(v.get(0)) + "-" + expr(v.get(1));
      case "set" -> {
        List<String> parts = new ArrayList<>();
        if (v.isArray()) {
          v.forEach(p -> parts.add(element(p)));
        } else {
          parts.add(element(v));
        }
        yield "{ " + String.join(", ", parts) + " }";
      }
      case "concat" -> {
        List<String> parts = new ArrayList<>();
        v.forEach(p -> parts.add(expr(p)));
        yield String.join(" . ", parts);
      }
      case "elem" -> expr(v.get("val"));
      case "&" -> expr(v.get(0)) + " & " + (v.get(1).isArray() ? "(" + String.join(" | ", names(v.get(1))) + ")" : expr(v.get(1)));
      case "map" -> expr(v.get("key")) + " map " + expr(v.get("data"));
      case "accept", "drop", "continue", "return" -> e.getKey();
      case "jump", "goto" -> e.getKey() + " " + v.path("target").asText();
      case "tcp option" -> "tcp option " + v.path("name").asText() + " " + v.path("field").asText("");
      default -> "numgen " + e.getKey();
    };
  }

  private List<String> names(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(a -> out.add(expr(a)));
    return out;
  }
}
