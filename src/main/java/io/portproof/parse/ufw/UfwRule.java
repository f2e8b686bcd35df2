package io.portproof.parse.ufw;

import io.portproof.model.Family;
import io.portproof.model.SourceRef;

/**
 * One ufw rule as {@code ufw status} or a {@code ### tuple ###} line of {@code user.rules} states it.
 *
 * @param action allow, deny, reject or limit
 * @param protocol tcp, udp, another protocol name, or any
 * @param dports destination ports ({@code 80,443}, {@code 6000:6007}) or any
 * @param dst destination CIDR, or null for any
 * @param sports source ports or any
 * @param src source CIDR, or null for any
 * @param dapp the application profile giving the destination ports, or null
 * @param sapp the application profile giving the source ports, or null
 * @param iface the inbound interface, or null for any
 * @param family the family the rule is for
 * @param source the line it came from
 */
record UfwRule(String action, String protocol, String dports, String dst, String sports, String src, String dapp,
    String sapp, String iface, Family family, SourceRef source) {}
