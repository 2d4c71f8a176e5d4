/**
 * Every decision of the scaler: {@link io.runnerscaler.core.planner.Planner#plan} turns a pool snapshot and an
 * instant into a {@link io.runnerscaler.core.planner.Plan} of actions with typed
 * {@link io.runnerscaler.core.planner.Reason}s (launch on a market, drain, terminate, discard, record ended,
 * reset boot failures, hold), and the planner's follow-up questions decide what EC2's news about a machine, a
 * launch the fleet fell short on and a failed registration call for. Scale-up, the reaper, ec2-events, the
 * simulator and the demo all ask it; the executor only carries out what it returns.
 *
 * <p>Scaling follows GitLab Runner's docker+machine autoscaler ({@code idle_limit_strategy.go}):
 * <ul>
 *   <li>idle target = {@code idleCount}, or with {@code idleScaleFactor} the factor times busy machines,
 *       rounded down, between {@code max(idleCountMin, 1)} and {@code idleCount};</li>
 *   <li>available = IDLE + LAUNCHING machines; launches = queued jobs (as far as {@code concurrent}
 *       lets them run) + idle target - available, capped by {@code limit} (all live machines count but those
 *       the plan ends, which it lists first) and by {@code maxGrowthRate} (machines LAUNCHING at once, 0 =
 *       unlimited);</li>
 *   <li>removal order: the oldest available machines (launch time, then instance id) fill the target;
 *       an IDLE machine after them goes once idle for {@code idleTime}: the newest go first, as
 *       docker+machine's walk over its machines in name (creation) order does;</li>
 *   <li>{@code maxBuilds}: an IDLE machine that ran that many jobs is terminated and not counted as
 *       available, so waiting jobs get a replacement; BUSY machines are never terminated;</li>
 *   <li>LAUNCHING past {@code bootTimeout} is terminated ({@code BOOT_TIMEOUT}); DRAINING without a job
 *       is terminated ({@code DRAINED}); above {@code limit} the newest IDLE machines go at once.</li>
 * </ul>
 * Market choice, reconciliation with EC2's listing, the boot-failure backoff ({@link
 * io.runnerscaler.core.planner.BootBackoff}) and failed registrations are described on
 * {@link io.runnerscaler.core.planner.Planner}. Periods come from
 * {@link io.runnerscaler.core.periods.PeriodResolver}: last matching period wins.
 */
package io.runnerscaler.core.planner;
