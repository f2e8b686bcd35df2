/**
 * The gate between findings and the exit code: waivers (accepted findings with an expiry), a baseline (a
 * previous JSON report, so only new findings fail), and {@link io.portproof.policy.waiver.Gate}, which decides
 * for every finding whether it counts. Reports show the decision; only the CLI turns it into an exit code.
 */
package io.portproof.policy.waiver;
