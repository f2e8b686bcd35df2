package io.portproof.parse.nft;

import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import io.portproof.model.fw.TableOrigin;
import io.portproof.parse.FirewallFormat;
import io.portproof.parse.InputText;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * nftables rulesets: {@code nft list ruleset} text and {@code nft -f} files ({@code json=false}, name {@code nft}),
 * or {@code nft -j list ruleset} JSON ({@code json=true}, name {@code nft-json}). Every export yields two rulesets,
 * IPv4 then IPv6.
 */
public record NftFormat(String name, boolean json) implements FirewallFormat {
  public static final NftFormat TEXT = new NftFormat("nft", false);
  public static final NftFormat JSON = new NftFormat("nft-json", true);

  /** The first statement of an nft file, after comments and blank lines. */
  private static final Pattern TEXT_START = Pattern.compile(
      "\\A(?:\\s*(?:#[^\\n]*)?\\n)*\\s*(?:table\\s|flush\\s+ruleset|add\\s+table\\s|define\\s|include\\s)");

  private static final Pattern JSON_START = Pattern.compile("\\A\\s*\\{\\s*\"nftables\"\\s*:");

  @Override
  public String summary() {
    return json ? "'nft -j list ruleset' JSON" : "'nft list ruleset' output or an 'nft -f' file";
  }

  @Override
  public boolean sniff(String head, String fileName) {
    return (json ? JSON_START : TEXT_START).matcher(head).lookingAt();
  }

  @Override
  public List<Ruleset> parse(InputText in, Map<String, IpsetDefinition> ipsets, Diagnostics diags) {
    NftModel model = json ? NftJsonReader.read(in, diags) : NftReader.read(in, diags);
    return new NftConverter(in.name(), model, json ? TableOrigin.Export.NFT_JSON : TableOrigin.Export.NFT, diags).convert();
  }
}
