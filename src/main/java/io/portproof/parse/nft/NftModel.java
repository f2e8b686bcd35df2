package io.portproof.parse.nft;

import io.portproof.model.SourceRef;
import io.portproof.parse.nft.NftLexer.Tok;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * nftables as the text or JSON export describes it, before conversion: tables holding chains (rules still as
 * tokens) and sets. Mutable while a reader fills it; the converter only reads it.
 */
final class NftModel {
  /** Tables by {@code family name}, in the order they were declared. */
  final Map<String, Table> tables = new LinkedHashMap<>();

  static final class Table {
    final String family;
    final String name;
    final SourceRef at;
    final Map<String, ChainDef> chains = new LinkedHashMap<>();
    final Map<String, SetDef> sets = new LinkedHashMap<>();

    Table(String family, String name, SourceRef at) {
      this.family = family;
      this.name = name;
      this.at = at;
    }
  }

  static final class ChainDef {
    final String name;
    final SourceRef at;
    String type;
    String hook;
    int priority;
    final List<String> devices = new ArrayList<>();
    String policy;
    SourceRef policyAt;
    final List<RuleDef> rules = new ArrayList<>();

    ChainDef(String name, SourceRef at) {
      this.name = name;
      this.at = at;
    }

    boolean base() {
      return hook != null;
    }
  }

  /** One rule: its tokens after the chain name, and its line. */
  record RuleDef(List<Tok> tokens, SourceRef at) {
    RuleDef {
      tokens = List.copyOf(tokens);
    }
  }

  static final class SetDef {
    final String name;
    final boolean map;
    final SourceRef at;
    /** {@code type}/{@code typeof} tokens, for diagnostics only: elements are read by the lookup's key. */
    final List<Tok> type = new ArrayList<>();
    final Set<String> flags = new LinkedHashSet<>();
    /** Each element's tokens; for maps including {@code : value}. */
    final List<List<Tok>> elements = new ArrayList<>();
    /** Where rules add or update elements from the packet path, if any. */
    SourceRef updatedAt;

    SetDef(String name, boolean map, SourceRef at) {
      this.name = name;
      this.map = map;
      this.at = at;
    }

    boolean dynamic() {
      return flags.contains("dynamic") || updatedAt != null;
    }
  }
}
