package io.portproof.model.fw;

import io.portproof.model.Family;
import io.portproof.model.IpSet;
import io.portproof.model.PortSet;
import io.portproof.model.SourceRef;
import java.util.List;
import java.util.Objects;

/**
 * An ipset as {@code ipset save} describes it, reduced to what a match can use.
 *
 * @param name the set's name
 * @param type e.g. {@code hash:net}, {@code hash:ip,port}
 * @param family the family of its addresses
 * @param addresses for address-only types, the members; else empty
 * @param ports for port-only types (bitmap:port), the members; else empty
 * @param memberSets for list:set, the names of the member sets
 * @param exact whether {@code addresses}/{@code ports}/{@code memberSets} say everything the set matches
 *     (false for types with several dimensions, or entries with options portproof does not model)
 * @param source its {@code create} line
 */
public record IpsetDefinition(String name, String type, Family family, IpSet addresses, PortSet ports,
    List<String> memberSets, boolean exact, SourceRef source) {
  public IpsetDefinition {
    Objects.requireNonNull(name);
    Objects.requireNonNull(type);
    Objects.requireNonNull(addresses);
    Objects.requireNonNull(ports);
    memberSets = List.copyOf(memberSets);
    Objects.requireNonNull(source);
  }
}
