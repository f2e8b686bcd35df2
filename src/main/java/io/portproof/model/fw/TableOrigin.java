package io.portproof.model.fw;

import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * The kernel object behind one table of a {@link Ruleset}, and how faithfully its export showed it. Several
 * exports of one host may show the same kernel table (iptables-nft's {@code filter} in {@code iptables-save} is
 * nftables' {@code table ip filter}); the origin is what tells them apart from a namesake in another backend
 * (iptables-legacy's {@code filter} is a different table of the same name).
 *
 * @param table the table's name as {@link Chain#table()} spells it in its ruleset
 * @param backend the kernel subsystem holding the table
 * @param family the table's family as nftables names it: {@code ip}, {@code ip6}, {@code inet}, {@code netdev}
 * @param name the table's name in the kernel
 * @param export the tool whose output showed it
 * @param lost the export's lines where it left out facts the kernel holds (an iptables-nft extension printed by
 *     name only, a table iptables-save could not show); empty when the export showed the table exactly
 * @param shown false when the export could not show the table's rules at all, only that it exists
 * @param source where the table starts in the export
 */
public record TableOrigin(String table, Backend backend, String family, String name, Export export, List<SourceRef> lost,
    boolean shown, SourceRef source) {
  /** Which netfilter subsystem holds a table. */
  public enum Backend {
    /** nftables, whether written by nft, firewalld or iptables-nft. */
    NF_TABLES,
    /** x_tables, written by iptables-legacy: never the same table as an nftables one. */
    X_TABLES,
    /** The export does not say (an iptables-save file without its header line). */
    UNKNOWN
  }

  /** The tools whose output says which kernel table it shows. */
  public enum Export {
    IPTABLES_SAVE("iptables-save"),
    NFT("nft list ruleset"),
    NFT_JSON("nft -j list ruleset");

    private final String command;

    Export(String command) {
      this.command = command;
    }

    /** The command as an operator types it. */
    public String command() {
      return command;
    }
  }

  public TableOrigin {
    Objects.requireNonNull(table);
    Objects.requireNonNull(backend);
    Objects.requireNonNull(family);
    Objects.requireNonNull(name);
    Objects.requireNonNull(export);
    lost = List.copyOf(lost);
    Objects.requireNonNull(source);
    if (!shown && lost.isEmpty()) {
      throw new IllegalArgumentException("a table the export could not show must name the line that says so");
    }
  }

  /** The same kernel table, wherever it was seen: backend, family and name. */
  public String kernelTable() {
    return (backend == Backend.X_TABLES ? "iptables-legacy " : "") + "table " + family + " " + name;
  }
}
