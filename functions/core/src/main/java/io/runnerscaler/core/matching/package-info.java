/**
 * Which pool takes a job. GitLab: all job tags among the pool's labels, untagged jobs only to
 * {@code runUntagged} pools. GitHub: all {@code runs-on} labels among the pool's labels,
 * case-insensitively, with {@code self-hosted}, the OS and the architecture implied as GitHub labels
 * self-hosted runners. Several matches: fewest pool labels wins (the most specific), then config order.
 * No match: a {@link io.runnerscaler.core.matching.MatchResult.Unmatched} with a typed reason, never a
 * silent drop.
 */
package io.runnerscaler.core.matching;
