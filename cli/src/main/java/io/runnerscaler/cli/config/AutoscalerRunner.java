package io.runnerscaler.cli.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code [[runners]]} table with {@code executor = "docker-autoscaler"} or {@code "instance"} on GitLab's AWS
 * fleeting plugin, on its way to becoming a pool. Names and defaults are GitLab Runner's
 * ({@code common/config.go}: {@code AutoscalerConfig}, {@code AutoscalerPolicyConfig}; docs
 * {@code configuration/advanced-configuration.md}, sections {@code [runners.autoscaler]} and
 * {@code [[runners.autoscaler.policy]]}).
 *
 * <p>The autoscaler counts job slots: an instance holds {@code capacity_per_instance} jobs and {@code idle_count}
 * is idle slots. A scaler machine runs one job, so every slot becomes a one-job machine: {@code limit} is
 * {@code max_instances x capacity_per_instance}, {@code idle_count} slots are that many idle machines, and with
 * more than one slot per instance a warning asks for an instance type that size smaller. With one slot per
 * instance (every AWS example in GitLab's docs but one) the numbers carry over unchanged.
 *
 * <p>Policies: the last one whose periods match wins, as in GitLab Runner. The last policy that matches at all
 * times (no {@code periods}, whose default is {@code * * * * *}, or that expression) becomes the pool's own idle
 * settings, policies before it can never apply, and policies after it become {@code periods} in order.
 */
final class AutoscalerRunner {

    static final Set<String> EXECUTORS = Set.of("docker-autoscaler", "instance");
    /** config.toml does not name the instance type (the Auto Scaling group's launch template does). */
    static final String PLACEHOLDER_INSTANCE_TYPE = "m6i.large";
    private static final String ALWAYS = "* * * * *";
    private static final Set<String> RUNNER_KEYS_USED = Set.of("name", "limit", "executor", "token", "autoscaler",
            "instance");
    private static final Set<String> AUTOSCALER_KEYS_USED = Set.of("plugin", "capacity_per_instance",
            "max_use_count", "max_instances", "plugin_config", "connector_config", "policy");
    private static final Set<String> POLICY_KEYS_USED = Set.of("periods", "timezone", "idle_count", "idle_time",
            "scale_factor", "scale_factor_limit", "preemptive_mode");

    private final RunnerTable table;
    private final TomlTable runner;
    private final int concurrent;

    /** @param concurrent the global {@code concurrent}, which bounds a runner without {@code max_instances} */
    AutoscalerRunner(RunnerTable table, int concurrent) {
        this.table = table;
        this.runner = table.toml();
        this.concurrent = concurrent;
    }

    private void warn(String option, String message) {
        table.warn(option, message);
    }

    /** One {@code [[runners.autoscaler.policy]]}, read with GitLab Runner's zero values for what it leaves out. */
    private record Policy(int number, TomlTable toml, List<String> periods, int idleCount, long idleTimeSeconds,
                          double scaleFactor, int scaleFactorLimit) {

        String label() {
            return "[[runners.autoscaler.policy]] #" + number;
        }

        boolean always() {
            return periods.isEmpty() || periods.stream().anyMatch(p -> p.strip().replaceAll("\\s+", " ").equals(ALWAYS));
        }
    }

    /**
     * @param usedNames pool names taken by earlier runners; the new name is added
     * @return the pool, or empty when the runner cannot become one (a problem or a skip warning says why)
     */
    Optional<ObjectNode> toPool(Set<String> usedNames) {
        int problemsBefore = runner.problems().size();
        String executor = runner.text("executor", "");
        TomlTable autoscaler = runner.table("autoscaler", "a " + executor + " runner needs a [runners.autoscaler] section");
        if (autoscaler == null) {
            return Optional.empty();
        }
        String plugin = autoscaler.text("plugin", "");
        if (!isAwsPlugin(plugin)) {
            warn("plugin", "skipped: plugin is " + (plugin.isEmpty() ? "not set" : "'" + plugin + "'")
                    + ", runner-scaler launches EC2 machines only (plugin = \"aws\", GitLab's fleeting-plugin-aws)");
            return Optional.empty();
        }
        TomlTable connector = autoscaler.tableOrEmpty("connector_config");
        if (connector.text("os", "").equalsIgnoreCase("windows")) {
            warn("connector_config.os", "skipped: the scaler's runner bootstrap is a Linux script, so Windows "
                    + "instances cannot become a pool; keep running this runner as it is");
            return Optional.empty();
        }
        String name = table.poolName(usedNames);
        ObjectNode pool = table.newPool(name);
        int capacity = capacity(autoscaler);
        writeMachine(pool, name, autoscaler.tableOrEmpty("plugin_config"), capacity);

        List<Policy> policies = policies(autoscaler);
        int limit = limit(autoscaler, capacity, policies);
        pool.put("limit", limit);
        int base = lastAlways(policies);
        if (base < 0) {
            warn("[[runners.autoscaler.policy]]", (policies.isEmpty() ? "none given" : "none matches at all times")
                    + "; GitLab's docs do not say what the autoscaler keeps idle when no policy matches. The pool's "
                    + "own settings are written as idleCount 0 and idleTime 0 (no idle machine"
                    + (policies.isEmpty() ? "" : " outside the policies' periods")
                    + "); put a policy with periods [\"" + ALWAYS + "\"] first to choose otherwise");
            new IdleKnobs(0, 0, 0, 0).writeTo(pool);
        } else {
            knobs(policies.get(base), limit).writeTo(pool);
        }
        pool.put("maxGrowthRate", 0);
        pool.put("maxBuilds", maxBuilds(autoscaler, capacity));
        pool.set("periods", periods(policies, base, limit));
        table.writeTokenParameter(pool, name);

        warnAutoscalerKeys(autoscaler, connector);
        warnExecutor(executor);
        table.warnOtherRunnerKeys(RUNNER_KEYS_USED);
        return runner.problems().size() > problemsBefore ? Optional.empty() : Optional.of(pool);
    }

    /**
     * GitLab's AWS plugin, in any of the forms {@code plugin} takes ({@code docs/fleet_scaling/fleeting.md}):
     * {@code aws}, {@code aws:latest}, {@code [registry/]gitlab-org/fleeting/plugins/aws[:version]}, or the binary
     * a manual install puts on the PATH, {@code fleeting-plugin-aws}.
     */
    static boolean isAwsPlugin(String plugin) {
        String name = plugin.strip();
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            name = name.substring(0, colon);
        }
        String last = name.substring(name.lastIndexOf('/') + 1);
        return last.equals("fleeting-plugin-aws")
                || (last.equals("aws") && (name.equals("aws") || name.endsWith("gitlab-org/fleeting/plugins/aws")));
    }

    private int capacity(TomlTable autoscaler) {
        int capacity = autoscaler.nonNegative("capacity_per_instance", 0);
        if (capacity == 0) {
            warn("capacity_per_instance", (autoscaler.has("capacity_per_instance") ? "is 0" : "not set")
                    + "; read as 1 job per instance, which is how every scaler machine runs");
            return 1;
        }
        if (capacity > 1) {
            warn("capacity_per_instance", capacity + " jobs per instance: a scaler machine runs one job, so each of "
                    + "an instance's " + capacity + " job slots becomes a machine of its own. limit is max_instances x "
                    + capacity + ", idle_count (which counts job slots) is written as that many idle machines, and "
                    + "max_use_count as maxBuilds per machine. Put an instance type about 1/" + capacity + " the size of"
                    + " the Auto Scaling group's in instanceTypes (the same CPU and memory per job); the simulator's "
                    + "machine-hours then count those smaller machines");
        }
        return capacity;
    }

    /** instanceTypes, subnets, launchTemplate and market: the Auto Scaling group holds them, config.toml does not. */
    private void writeMachine(ObjectNode pool, String name, TomlTable plugin, int capacity) {
        String group = plugin.text("name", "");
        String read = group.isEmpty() ? "" : " (aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "
                + group + " --query 'AutoScalingGroups[0].[LaunchTemplate,MixedInstancesPolicy,VPCZoneIdentifier]')";
        pool.set("instanceTypes", RunnerTable.NODES.arrayNode().add(PLACEHOLDER_INSTANCE_TYPE));
        warn("instanceTypes", "config.toml does not name the instance type, the Auto Scaling group's launch template"
                + " does" + read + "; written as " + PLACEHOLDER_INSTANCE_TYPE + " (the simulator's default price), "
                + "replace it with " + (capacity > 1 ? "a type sized for one job" : "the group's type(s)"));
        pool.set("subnets", RunnerTable.NODES.arrayNode());
        warn("subnets", "the Auto Scaling group's subnets (VPCZoneIdentifier) are not in config.toml; put them in "
                + "subnets (one per zone spreads spot capacity)");
        table.writeLaunchTemplate(pool, name, "from " + (group.isEmpty() ? "the Auto Scaling group's launch template"
                : "the launch template of Auto Scaling group '" + group + "'") + ", with the runner bootstrap user data: "
                + "unlike the autoscaler's instances, a scaler machine runs gitlab-runner itself and registers");
        pool.put("market", "on-demand");
        warn("market", "the Auto Scaling group's purchase options are not in config.toml; written as on-demand, "
                + "write spot-with-fallback if the group buys spot");
        for (String key : plugin.keys()) {
            warn("plugin_config." + key, switch (key) {
                case "name" -> "Auto Scaling group '" + group + "': the scaler launches instances itself (CreateFleet "
                        + "from the pool's launch template) and needs no group; delete it once the scaler runs the "
                        + "jobs";
                case "region" -> "pools launch in the region the scaler is deployed to; deploy the stack in "
                        + plugin.text("region", "");
                case "profile", "config_file", "credentials_file" -> "credentials are not imported: the scaler uses "
                        + "its Lambda role";
                // Values of unknown keys are never quoted: they may be credentials.
                default -> "unknown AWS plugin setting; no equivalent, ignored";
            });
        }
    }

    private List<Policy> policies(TomlTable autoscaler) {
        var policies = new ArrayList<Policy>();
        List<TomlTable> tables = autoscaler.tables("policy");
        for (int i = 0; i < tables.size(); i++) {
            TomlTable p = tables.get(i);
            double scaleFactor = p.number("scale_factor", 0);
            if (scaleFactor < 0) {
                p.problems().add(p.pathOf("scale_factor") + ": must not be negative, got " + scaleFactor);
                scaleFactor = 0;
            }
            policies.add(new Policy(i + 1, p, p.strings("periods"), p.nonNegative("idle_count", 0),
                    p.goDuration("idle_time").map(GoDuration::seconds).orElse(0L), scaleFactor,
                    p.nonNegative("scale_factor_limit", 0)));
        }
        return policies;
    }

    private static int lastAlways(List<Policy> policies) {
        for (int i = policies.size() - 1; i >= 0; i--) {
            if (policies.get(i).always()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Machines at most: {@code max_instances x capacity_per_instance}; without {@code max_instances} (unlimited)
     * the jobs this runner may run ({@code limit}, else {@code concurrent}) plus the largest idle target; and never
     * more than the runner's {@code limit} of jobs plus that idle target.
     */
    private int limit(TomlTable autoscaler, int capacity, List<Policy> policies) {
        int largestIdle = policies.stream().mapToInt(p -> Math.max(p.idleCount(), p.scaleFactor() > 0
                ? p.scaleFactorLimit() : 0)).max().orElse(0);
        int maxInstances = autoscaler.nonNegative("max_instances", 0);
        int runnerLimit = runner.nonNegative("limit", 0);
        if (maxInstances == 0) {
            int jobs = runnerLimit > 0 ? runnerLimit : concurrent;
            int limit = jobs + largestIdle;
            warn("max_instances", (autoscaler.has("max_instances") ? "is 0 (no limit)" : "not set (no limit)")
                    + "; written as limit " + limit + " = " + (runnerLimit > 0 ? "the runner's limit " : "concurrent ")
                    + jobs + " + the largest idle_count " + largestIdle + ", the most machines it could need");
            return Math.max(1, limit);
        }
        long slots = (long) maxInstances * capacity;
        int limit = (int) Math.min(Integer.MAX_VALUE, slots);
        if (runnerLimit > 0 && runnerLimit + largestIdle < limit) {
            warn("limit", "the runner runs at most " + runnerLimit + " jobs at once; with the largest idle_count "
                    + largestIdle + " it never needs more than " + (runnerLimit + largestIdle) + " of the " + limit
                    + " machines max_instances allows, so limit is written as " + (runnerLimit + largestIdle));
            return runnerLimit + largestIdle;
        }
        if (runnerLimit > 0) {
            warn("limit", "the runner runs at most " + runnerLimit + " jobs at once; a pool bounds machines (limit "
                    + limit + ") and all pools together bound jobs (concurrent), so lower concurrent if this runner's "
                    + "job limit mattered");
        }
        return limit;
    }

    private int maxBuilds(TomlTable autoscaler, int capacity) {
        int uses = autoscaler.nonNegative("max_use_count", 0);
        if (uses == 0 || capacity == 1) {
            return uses;
        }
        int perMachine = (uses + capacity - 1) / capacity;
        warn("max_use_count", uses + " jobs per instance of " + capacity + " slots is about " + perMachine
                + " per one-job machine; written as maxBuilds " + perMachine);
        return perMachine;
    }

    /**
     * A policy's idle settings as a one-job machine pool's: {@code idle_count} slots are that many machines; with
     * a scale factor the autoscaler keeps {@code max(idle_count, min(ceil(factor x in use), scale_factor_limit))}
     * slots idle (0 = no cap), which is {@code idleCountMin}, {@code idleScaleFactor} and {@code idleCount} as upper
     * bound. The planner rounds the factor's product down and keeps at least one machine where the autoscaler
     * rounds up and keeps {@code idle_count}: a warning says so.
     */
    private IdleKnobs knobs(Policy p, int limit) {
        int idleCount;
        int idleCountMin;
        if (p.scaleFactor() > 0) {
            idleCountMin = p.idleCount();
            idleCount = p.scaleFactorLimit() > 0 ? Math.max(p.idleCount(), p.scaleFactorLimit()) : limit;
            warn(p.label() + " scale_factor", "written as idleScaleFactor " + p.scaleFactor() + " between idleCountMin "
                    + idleCountMin + " (idle_count) and idleCount " + Math.min(idleCount, limit) + " ("
                    + (p.scaleFactorLimit() > 0 ? "scale_factor_limit" : "no scale_factor_limit: limit") + "). The "
                    + "autoscaler adds ceil(" + p.scaleFactor() + " x jobs running), the scaler floor(...) and at least "
                    + "one idle machine, so it may keep one machine fewer while busy and one more while idle_count is 0");
        } else {
            idleCount = p.idleCount();
            idleCountMin = 0;
        }
        if (idleCount > limit) {
            if (p.scaleFactor() == 0 || p.scaleFactorLimit() > 0) {
                warn(p.label() + " idle_count", idleCount + " exceeds limit " + limit
                        + "; the autoscaler never ran more than max_instances, so it is written as " + limit);
            }
            idleCount = limit;
        }
        idleCountMin = Math.min(idleCountMin, idleCount);
        if (!p.toml().has("idle_time") && idleCount > 0) {
            warn(p.label() + " idle_time", "not set, which GitLab Runner reads as 0s: instances above idle_count are "
                    + "removed as soon as they are idle; written as 0");
        }
        if (p.toml().has("preemptive_mode")) {
            warn(p.label() + " preemptive_mode", "no setting needed: a scaler machine's runner asks GitLab for a job "
                    + "only once the machine has booted, which is what preemptive mode does; without it the job waits "
                    + "in GitLab's queue (pending) instead of on the manager, for the same time");
        }
        p.toml().keys().stream().filter(key -> !POLICY_KEYS_USED.contains(key))
                .forEach(key -> warn(p.label() + " " + key, "unknown policy setting; no equivalent, ignored"));
        return new IdleKnobs(idleCount, idleCountMin, p.scaleFactor(), p.idleTimeSeconds());
    }

    private ArrayNode periods(List<Policy> policies, int base, int limit) {
        ArrayNode periods = RunnerTable.NODES.arrayNode();
        for (int i = 0; i < policies.size(); i++) {
            Policy p = policies.get(i);
            if (i < base) {
                warn(p.label(), "never applies: " + policies.get(base).label() + " after it matches at all times and "
                        + "the last matching policy wins; not imported");
                continue;
            }
            if (i == base) {
                continue;
            }
            ObjectNode period = RunnerTable.NODES.objectNode();
            period.set("schedules", RunnerTable.strings(p.periods()));
            knobs(p, limit).writeTo(period);
            // GitLab's docs: "Default: The system's local time zone."
            period.put("timezone", table.timezone(p.toml(), "timezone", p.label() + " timezone", true));
            periods.add(period);
        }
        return periods;
    }

    private void warnAutoscalerKeys(TomlTable autoscaler, TomlTable connector) {
        for (String key : connector.keys()) {
            warn("connector_config." + key, switch (key) {
                case "arch" -> "the architecture comes from the instance type and image: for arm64 choose Graviton "
                        + "types (m7g.large) and an arm64 image in the launch template";
                case "os" -> "the scaler's machines run Linux; nothing to set";
                // Values are never quoted: password and key_path are credentials.
                default -> "no equivalent: nothing connects to the machines, the runner on each one connects out to "
                        + "GitLab, so no SSH or WinRM access (and no inbound rule) is needed";
            });
        }
        for (String key : autoscaler.keys()) {
            if (AUTOSCALER_KEYS_USED.contains(key)) {
                continue;
            }
            warn(key, switch (key) {
                case "instance_ready_command" -> "no equivalent: run the command in the launch template's user data "
                        + "before the runner bootstrap; a machine whose bootstrap fails never takes a job and is "
                        + "removed after bootTimeout";
                case "delete_instances_on_shutdown" -> "no equivalent: there is no manager process to shut down; idle "
                        + "machines end after idleTime, and `runner-scaler machines` lists what runs";
                case "instance_acquire_timeout" -> "no equivalent: a job waits in GitLab's queue until a machine is "
                        + "ready; bootTimeout (default 10m) bounds how long a machine may take to boot";
                case "update_interval", "update_interval_when_expecting", "deletion_retry_interval",
                     "shutdown_deletion_interval", "shutdown_deletion_retries", "failure_threshold" ->
                        "no equivalent: the scaler learns of instance changes from EC2 events and its reaper pass "
                                + "every minute";
                case "scale_throttle" -> "a rate of new instances per second; the nearest pool key is maxGrowthRate "
                        + "(most machines launching at once), written as 0 (unlimited); set it to bound bursts";
                case "reservation_throttling" -> "no equivalent: the scaler reserves capacity per job atomically";
                case "log_internal_ip", "log_external_ip" -> "no equivalent: each job's runner is named "
                        + "<pool>-<instance id>, which the job log shows";
                case "state_storage" -> "no equivalent: the scaler keeps machine state in DynamoDB";
                case "vm_isolation" -> "no equivalent: nested VMs (nesting, on macOS only) are not supported, and "
                        + "the scaler's runner bootstrap is a Linux script; keep running this runner as it is";
                default -> key.toLowerCase(Locale.ROOT).endsWith("_buckets")
                        ? "no equivalent: Prometheus buckets of the manager; the scaler emits CloudWatch metrics"
                        : "unknown [runners.autoscaler] setting; no equivalent, ignored";
            });
        }
    }

    private void warnExecutor(String executor) {
        if (executor.equals("instance")) {
            warn("executor", "the instance executor runs jobs in the instance's own shell; the scaler's runner "
                    + "bootstrap registers each machine with the docker executor: change --executor to shell in the "
                    + "bootstrap of the launch template's user data if the jobs need the host itself");
        }
        if (runner.has("instance")) {
            warn("instance", "[runners.instance] settings belong to the manager's instance executor; configure the "
                    + "runner on each machine in the launch template's user data instead");
        }
    }
}
