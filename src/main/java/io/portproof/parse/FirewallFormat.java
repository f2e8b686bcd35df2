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

  /**
   * Joins what several inputs of this format gave for one host. By default each input is a filter of its own
   * that must accept too (two iptables exports, a NACL and a security group); a format whose inputs are parts of
   * one filter (the security groups of one instance, whichever file lists them) says how they combine.
   */
  default List<Ruleset> combine(List<Ruleset> fromEachInput) {
    return fromEachInput;
  }
}
