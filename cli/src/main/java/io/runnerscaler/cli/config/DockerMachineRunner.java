package io.runnerscaler.cli.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code [[runners]]} table with {@code executor = "docker+machine"} on its way to becoming a pool. GitLab
 * Runner's meaning is kept: where config.toml leaves a knob out, the pool gets the value GitLab Runner used.
 */
final class DockerMachineRunner {

    /** docker-machine's amazonec2 default when {@code amazonec2-instance-type} is not given. */
    static final String DEFAULT_INSTANCE_TYPE = "t2.micro";

    private static final JsonNodeFactory NODES = RunnerTable.NODES;
    private static final Set<String> RUNNER_KEYS_USED = Set.of("name", "limit", "executor", "token", "machine");
    private static final Set<String> MACHINE_KEYS_USED = Set.of("IdleCount", "IdleCountMin", "IdleScaleFactor",
            "IdleTime", "MaxGrowthRate", "MaxBuilds", "MachineDriver", "MachineOptions", "autoscaling",
            "OffPeakPeriods", "OffPeakIdleCount", "OffPeakIdleTime", "OffPeakTimezone");
    private static final Set<String> PERIOD_KEYS_USED = Set.of("Periods", "IdleCount", "IdleCountMin",
            "IdleScaleFactor", "IdleTime", "Timezone");

    private final RunnerTable table;
    private final TomlTable runner;
    private final int concurrent;

    /** @param concurrent the global {@code concurrent}, which bounds a runner without {@code limit} */
    DockerMachineRunner(RunnerTable table, int concurrent) {
        this.table = table;
        this.runner = table.toml();
        this.concurrent = concurrent;
    }

    private void warn(String option, String message) {
        table.warn(option, message);
    }

    /**
     * @param usedNames pool names taken by earlier runners; the new name is added
     * @return the pool, or empty when the runner cannot become one (a problem or a skip warning says why)
     */
    Optional<ObjectNode> toPool(Set<String> usedNames) {
        int problemsBefore = runner.problems().size();
        TomlTable machine = runner.table("machine", "a docker+machine runner needs a [runners.machine] section");
        if (machine == null) {
            return Optional.empty();
        }
        String driver = machine.text("MachineDriver", "");
        if (!driver.equals("amazonec2")) {
            warn("MachineDriver", "skipped: driver is " + (driver.isEmpty() ? "not set" : "'" + driver + "'")
                    + ", runner-scaler launches EC2 machines only (MachineDriver = \"amazonec2\")");
            return Optional.empty();
        }
        String name = table.poolName(usedNames);
        MachineOptions options = MachineOptions.parse(machine.strings("MachineOptions"));

        ObjectNode pool = table.newPool(name);
        writeMachine(pool, name, options);

        int limit = runner.integer("limit", 0);
        if (limit <= 0) {
            limit = concurrent + largestIdleCount(machine);
            warn("limit", (runner.has("limit") ? "is 0 (no limit)" : "not set (no limit)")
                    + "; written as concurrent + the largest IdleCount = " + limit
                    + ", the most machines docker+machine would run for this runner");
        }
        pool.put("limit", limit);
        idleKnobs(machine, limit, "").writeTo(pool);
        pool.put("maxGrowthRate", machine.nonNegative("MaxGrowthRate", 0));
        pool.put("maxBuilds", machine.nonNegative("MaxBuilds", 0));
        pool.set("periods", periods(machine, limit));

        table.writeTokenParameter(pool, name);

        warnOtherKeys(machine);
        return runner.problems().size() > problemsBefore ? Optional.empty() : Optional.of(pool);
    }

    /** instanceTypes, subnets, launchTemplate, ami and market, from the amazonec2 MachineOptions. */
    private void writeMachine(ObjectNode pool, String name, MachineOptions options) {
        String instanceType = options.first("amazonec2-instance-type").orElseGet(() -> {
            warn("amazonec2-instance-type", "not set; docker-machine's default " + DEFAULT_INSTANCE_TYPE
                    + " is written, you can list several types in instanceTypes to widen spot capacity");
            return DEFAULT_INSTANCE_TYPE;
        });
        pool.set("instanceTypes", NODES.arrayNode().add(instanceType));

        ArrayNode subnets = NODES.arrayNode();
        options.all("amazonec2-subnet-id").forEach(subnets::add);
        pool.set("subnets", subnets);
        if (subnets.isEmpty()) {
            warn("amazonec2-subnet-id", "not set; docker-machine picked the default subnet"
                    + options.first("amazonec2-zone").map(z -> " of zone " + z).orElse("")
                    + options.first("amazonec2-vpc-id").map(v -> " in VPC " + v).orElse("")
                    + ". Put the subnet ids to launch into in subnets (one per zone spreads spot capacity)");
        }

        table.writeLaunchTemplate(pool, name, "with the runner bootstrap user data and the machine settings "
                + "this runner's other warnings name");
        options.first("amazonec2-ami").ifPresentOrElse(ami -> pool.put("ami", ami),
                () -> warn("amazonec2-ami", "not set; docker-machine's default Ubuntu image is not carried over, "
                        + "the launch template's image is used"));

        boolean spot = options.flag("amazonec2-request-spot-instance");
        pool.put("market", spot ? "spot" : "on-demand");
        if (spot) {
            warn("amazonec2-request-spot-instance", "written as market: spot, which like docker-machine fails "
                    + "when spot has no capacity; market: spot-with-fallback buys on-demand instead");
        }
        options.values().forEach((option, values) -> MachineOptionAdvice.forOption(option, String.join(",", values))
                .ifPresent(advice -> warn(option, advice)));
    }

    private static int largestIdleCount(TomlTable machine) {
        int largest = Math.max(0, machine.integer("IdleCount", 0));
        for (TomlTable period : machine.tables("autoscaling")) {
            largest = Math.max(largest, period.integer("IdleCount", 0));
        }
        return Math.max(largest, machine.integer("OffPeakIdleCount", 0));
    }

    /**
     * GitLab Runner's periods: the last matching {@code [[runners.machine.autoscaling]]} wins, and its settings
     * replace the runner's entirely (a key it leaves out counts as 0), so every knob is written.
     */
    private ArrayNode periods(TomlTable machine, int limit) {
        ArrayNode periods = NODES.arrayNode();
        offPeakPeriod(machine, limit).ifPresent(periods::add);
        List<TomlTable> autoscaling = machine.tables("autoscaling");
        for (int i = 0; i < autoscaling.size(); i++) {
            TomlTable entry = autoscaling.get(i);
            String label = "[[runners.machine.autoscaling]] #" + (i + 1);
            List<String> schedules = entry.strings("Periods");
            if (schedules.isEmpty()) {
                warn(label, "has no Periods, so GitLab Runner never applies it; not imported");
                continue;
            }
            ObjectNode period = NODES.objectNode();
            period.set("schedules", RunnerTable.strings(schedules));
            idleKnobs(entry, limit, label + " ").writeTo(period);
            period.put("timezone", table.timezone(entry, "Timezone", label + " Timezone", false));
            entry.keys().stream().filter(key -> !PERIOD_KEYS_USED.contains(key))
                    .forEach(key -> warn(label + " " + key, "unknown autoscaling setting; no equivalent, ignored"));
            periods.add(period);
        }
        return periods;
    }

    /** The OffPeak* settings GitLab Runner 14 removed make one period; it comes first so later ones win. */
    private Optional<ObjectNode> offPeakPeriod(TomlTable machine, int limit) {
        List<String> schedules = machine.strings("OffPeakPeriods");
        if (schedules.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode period = NODES.objectNode();
        period.set("schedules", RunnerTable.strings(schedules));
        new IdleKnobs(Math.min(machine.nonNegative("OffPeakIdleCount", 0), limit), 0, 0,
                machine.nonNegative("OffPeakIdleTime", 0)).writeTo(period);
        period.put("timezone", table.timezone(machine, "OffPeakTimezone", "OffPeakTimezone", false));
        warn("OffPeakPeriods", "removed in GitLab Runner 14.0; OffPeakPeriods, OffPeakIdleCount, OffPeakIdleTime "
                + "and OffPeakTimezone are written as the first period");
        return Optional.of(period);
    }

    /** The runner's or a period's idle knobs, capped the way docker+machine effectively capped them. */
    private IdleKnobs idleKnobs(TomlTable settings, int limit, String label) {
        int idleCount = settings.nonNegative("IdleCount", 0);
        int idleCountMin = settings.nonNegative("IdleCountMin", 0);
        double idleScaleFactor = settings.number("IdleScaleFactor", 0);
        int idleTime = settings.nonNegative("IdleTime", 0);
        if (idleScaleFactor < 0) {
            settings.problems().add(settings.pathOf("IdleScaleFactor") + ": must not be negative, got " + idleScaleFactor);
        }
        if (idleCount > limit) {
            warn(label + "IdleCount", idleCount + " exceeds limit " + limit
                    + "; docker+machine never ran more than limit machines, so it is written as " + limit);
            idleCount = limit;
        }
        if (idleCountMin > idleCount) {
            warn(label + "IdleCountMin", idleCountMin + " exceeds IdleCount " + idleCount + "; written as "
                    + idleCount + ", the most idle machines GitLab Runner keeps");
            idleCountMin = idleCount;
        }
        if (!settings.has("IdleTime") && idleCount + idleCountMin > 0) {
            warn(label + "IdleTime", "not set, which GitLab Runner reads as 0: machines above the idle target are "
                    + "removed as soon as they are idle; written as 0");
        }
        return new IdleKnobs(idleCount, idleCountMin, idleScaleFactor, idleTime);
    }

    private void warnOtherKeys(TomlTable machine) {
        for (String key : machine.keys()) {
            if (!MACHINE_KEYS_USED.contains(key)) {
                warn(key, key.equals("MachineName")
                        ? "no equivalent: the scaler names and tags instances itself"
                        : "unknown [runners.machine] setting; no equivalent, ignored");
            }
        }
        table.warnOtherRunnerKeys(RUNNER_KEYS_USED);
    }
}
