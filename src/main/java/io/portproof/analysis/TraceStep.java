package io.portproof.analysis;

import io.portproof.model.SourceRef;

/**
 * One step of a packet's way through the rulesets, for {@code explain}.
 *
 * @param kind what happened: ENTER (a base chain), CALL / GOTO (a user chain), MATCH (a rule matched),
 *     RETURN, POLICY (a base chain's policy applied), REWRITE (NAT), BRANCH (an undecidable match forked the
 *     analysis), REPLY (the reply leaves through OUTPUT)
 * @param table the table
 * @param chain the chain
 * @param depth call depth, 0 for a base chain
 * @param detail human text: the action, the new destination, the policy
 * @param source the rule or chain line
 */
public record TraceStep(String kind, String table, String chain, int depth, String detail, SourceRef source) {}
