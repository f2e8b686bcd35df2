package io.portproof.parse;

import io.portproof.diag.Diagnostics;
import io.portproof.model.fw.IpsetDefinition;
import io.portproof.model.fw.Ruleset;
import java.util.List;
import java.util.Map;

/** An input format that describes a packet filter. */
public interface FirewallFormat extends InputFormat {
  /**
   * Reads one export. Bad lines become diagnostics; the result holds everything that could be understood.
   *
   * @param ipsets sets from {@code ipset save} inputs, by name, for rules that match on them
   */
  List<Ruleset> parse(InputText in, Map<String, IpsetDefinition> ipsets, Diagnostics diags);
}
