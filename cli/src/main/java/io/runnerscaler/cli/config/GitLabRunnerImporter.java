package io.runnerscaler.cli.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.runnerscaler.core.config.ConfigException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns GitLab Runner's {@code config.toml} into pools YAML: one pool per {@code docker+machine} runner, keeping
 * the meaning of every docker+machine knob, and a warning for each setting that has no equivalent.
 *
 * <p>The runner token is a secret: it is never read into the output, a warning or an error. The pool gets the
 * name of an SSM parameter to hold it instead.
 */
public final class GitLabRunnerImporter {

    static final String DOCKER_MACHINE = "docker+machine";
    static final String GLOBAL = "global";
    /** docker-machine's amazonec2 default when {@code amazonec2-instance-type} is not given. */
    static final String DOCKER_MACHINE_DEFAULT_INSTANCE_TYPE = "t2.micro";
    /** GitLab Runner's default when {@code concurrent} is not given. */
    static final int GITLAB_DEFAULT_CONCURRENT = 1;

    private static final TomlMapper TOML = new TomlMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Values of these keys may be quoted by a TOML parse error; they are blanked out of it. */
    private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
            "(?im)^\\s*\"?(token|[a-z_]*(?:secret|password|access_?key|dsn)[a-z_]*)\"?\\s*=\\s*['\"]([^'\"\\r\\n]+)");
    private static final Pattern SECRET_MACHINE_OPTION = Pattern.compile(
            "(?i)amazonec2-(?:access-key|secret-key|session-token)=([^\"',\\s]+)");

    /** Bookkeeping GitLab Runner writes itself; nothing to carry over or to warn about. */
    private static final Set<String> RUNNER_BOOKKEEPING = Set.of("id", "token_obtained_at", "token_expires_at");

    /**
     * @param toml   the content of config.toml
     * @param source the file name, used in messages
     * @throws ConfigException when the TOML is malformed, a value has the wrong type, or no runner can be imported
     */
    public ImportResult importConfig(String toml, String source) {
        JsonNode root = parseToml(toml, source);
        var problems = new ArrayList<String>();
        var warnings = new ArrayList<ImportWarning>();

        int concurrent = GITLAB_DEFAULT_CONCURRENT;
        if (root.has("concurrent")) {
            concurrent = intValue(root.get("concurrent"), "concurrent", problems);
        } else {
            warnings.add(new ImportWarning(GLOBAL, "concurrent", "not set; GitLab Runner's default of "
                    + GITLAB_DEFAULT_CONCURRENT + " is written, raise it to the most jobs you want running at once"));
        }
        root.fieldNames().forEachRemaining(key -> {
            if (!key.equals("concurrent") && !key.equals("runners")) {
                warnings.add(new ImportWarning(GLOBAL, key, globalAdvice(key)));
            }
        });

        JsonNode runners = root.path("runners");
        if (!runners.isMissingNode() && !runners.isArray()) {
            problems.add("runners: expected [[runners]] tables");
        }
        var pools = NODES.arrayNode();
        var poolNames = new ArrayList<String>();
        var usedNames = new HashSet<String>();
        for (int i = 0; i < runners.size(); i++) {
            JsonNode runner = runners.get(i);
            String path = "runners[" + i + "]";
            if (!runner.isObject()) {
                problems.add(path + ": expected a [[runners]] table");
                continue;
            }
            String displayName = runner.path("name").asText("");
            String scope = displayName.isEmpty() ? path : path + " \"" + displayName + "\"";
            String executor = runner.path("executor").asText("");
            if (!executor.equals(DOCKER_MACHINE)) {
                warnings.add(new ImportWarning(scope, "executor", "skipped: executor is "
                        + (executor.isEmpty() ? "not set" : "'" + executor + "'") + ", only '" + DOCKER_MACHINE
                        + "' runners become pools; keep running this runner as it is"));
                continue;
            }
            var runnerImport = new RunnerImport(runner, path, scope, concurrent, problems, warnings);
            ObjectNode pool = runnerImport.toPool(usedNames);
            if (pool != null) {
                pools.add(pool);
                poolNames.add(pool.get("name").asText());
            }
        }
        if (problems.isEmpty() && pools.isEmpty()) {
            problems.add(source + ": no [[runners]] with executor = \"" + DOCKER_MACHINE
                    + "\" and MachineDriver = \"amazonec2\"; nothing to import");
            warnings.stream().filter(w -> !w.scope().equals(GLOBAL)).map(ImportWarning::toString).forEach(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.stream().map(p -> p.startsWith(source) ? p : source + ": " + p).toList());
        }

        ObjectNode config = NODES.objectNode();
        config.put("concurrent", concurrent);
        config.set("pools", pools);
        return new ImportResult(header(source) + toYaml(config), poolNames, warnings);
    }

    private static JsonNode parseToml(String toml, String source) {
        try {
            JsonNode root = TOML.readTree(toml);
            return root == null ? NODES.objectNode() : root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : " line " + at.getLineNr() + ", column " + at.getColumnNr() + ":";
            throw new ConfigException(List.of(source + ":" + where + " not valid TOML: "
                    + withoutSecrets(String.valueOf(e.getOriginalMessage()), toml)));
        }
    }

    /** A parse error may quote the text it choked on; blank out anything in the file that looks like a secret. */
    static String withoutSecrets(String message, String toml) {
        String clean = message;
        for (Pattern pattern : List.of(SECRET_ASSIGNMENT, SECRET_MACHINE_OPTION)) {
            Matcher m = pattern.matcher(toml);
            while (m.find()) {
                String secret = m.group(m.groupCount()).strip();
                if (secret.length() >= 4) {
                    clean = clean.replace(secret, "[hidden]");
                }
            }
        }
        return clean;
    }

    private static String header(String source) {
        return "# Pools imported from " + source + " by `runner-scaler config import-gitlab`.\n"
                + "# Read the warnings it printed: labels, the launch template and the token parameter need your input.\n";
    }

    private static String toYaml(ObjectNode config) {
        try {
            return YAML.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write pools YAML", e);
        }
    }

    private static String globalAdvice(String key) {
        return switch (key) {
            case "check_interval" -> "no equivalent: the scaler reacts to job webhooks instead of polling GitLab";
            case "listen_address" -> "no equivalent: there is no manager process to scrape; the scaler emits CloudWatch metrics";
            case "session_server" -> "no equivalent: the interactive web terminal needs the runner on the machine; "
                    + "configure it in the runner bootstrap of your launch template";
            case "log_level", "log_format" -> "no equivalent: scaler logs are JSON lines in CloudWatch Logs";
            case "shutdown_timeout" -> "no equivalent: machines are drained by the scaler, not by a manager process";
            default -> "a setting of the GitLab Runner manager process; no equivalent in the scaler, ignored";
        };
    }

    static int intValue(JsonNode node, String path, List<String> problems) {
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.intValue();
        }
        problems.add(path + ": expected an integer, got " + describe(node));
        return 0;
    }

    static double numberValue(JsonNode node, String path, List<String> problems) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        problems.add(path + ": expected a number, got " + describe(node));
        return 0;
    }

    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "a table";
            case NUMBER -> node.isIntegralNumber() ? "an out-of-range integer" : "a decimal number";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    static String slug(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return slug.isEmpty() ? "pool" : slug;
    }

    /** One docker+machine runner on its way to becoming a pool. */
    private static final class RunnerImport {

        private final JsonNode runner;
        private final String path;
        private final String scope;
        private final int concurrent;
        private final List<String> problems;
        private final List<ImportWarning> warnings;

        RunnerImport(JsonNode runner, String path, String scope, int concurrent, List<String> problems,
                     List<ImportWarning> warnings) {
            this.runner = runner;
            this.path = path;
            this.scope = scope;
            this.concurrent = concurrent;
            this.problems = problems;
            this.warnings = warnings;
        }

        private void warn(String option, String message) {
            warnings.add(new ImportWarning(scope, option, message));
        }

        /** The pool, or null when the runner cannot become one (a problem or a skip warning says why). */
        ObjectNode toPool(Set<String> usedNames) {
            JsonNode machine = runner.path("machine");
            if (!machine.isObject()) {
                problems.add(path + ".machine: a docker+machine runner needs a [runners.machine] section");
                return null;
            }
            String driver = machine.path("MachineDriver").asText("");
            if (!driver.equals("amazonec2")) {
                warn("MachineDriver", "skipped: driver is " + (driver.isEmpty() ? "not set" : "'" + driver + "'")
                        + ", runner-scaler launches EC2 machines only (MachineDriver = \"amazonec2\")");
                return null;
            }
            int problemsBefore = problems.size();
            String name = poolName(usedNames);
            MachineOptions options = MachineOptions.parse(stringList(machine.path("MachineOptions"),
                    path + ".machine.MachineOptions"));

            ObjectNode pool = NODES.objectNode();
            pool.put("name", name);
            pool.put("forge", "gitlab");
            pool.set("labels", NODES.arrayNode());
            // GitLab registers a runner without tags with run_untagged = true; the labels written are empty.
            pool.put("runUntagged", true);
            warn("tags", "runner tags and run_untagged live in GitLab, not in config.toml: labels is written "
                    + "empty and runUntagged true, as GitLab registers a runner without tags; copy both from the "
                    + "runner's settings page in GitLab into pool '" + name + "'");

            MachineSettings settings = new MachineSettings(machine, options);
            settings.writeTo(pool, name);

            int maxIdle = settings.maxIdleCount();
            int limit = runner.has("limit") ? intValue(runner.get("limit"), path + ".limit", problems) : 0;
            if (limit <= 0) {
                limit = concurrent + maxIdle;
                warn("limit", (runner.has("limit") ? "is 0 (no limit)" : "not set (no limit)")
                        + "; written as concurrent + the largest IdleCount = " + limit
                        + ", the most machines docker+machine would run for this runner");
            }
            pool.put("limit", limit);
            settings.writeIdle(pool, limit);
            pool.set("periods", settings.periods(limit));

            String tokenParameter = "/runner-scaler/" + name + "/token";
            pool.put("tokenParameter", tokenParameter);
            warn("token", (runner.has("token") ? "not copied, it is a secret. " : "not set. ")
                    + "Store the runner authentication token as an SSM SecureString named " + tokenParameter
                    + " (aws ssm put-parameter --type SecureString --name " + tokenParameter
                    + " --value <token>), then remove it from shell history");

            warnOtherRunnerKeys();
            return problems.size() > problemsBefore ? null : pool;
        }

        private String poolName(Set<String> usedNames) {
            String original = runner.path("name").asText("");
            String base = slug(original.isEmpty() ? "gitlab-" + path.replaceAll("[^0-9]", "") : original);
            String name = base;
            for (int n = 2; !usedNames.add(name); n++) {
                name = base + "-" + n;
            }
            if (original.isEmpty()) {
                warn("name", "not set; the pool is named '" + name + "'");
            } else if (!name.equals(original)) {
                warn("name", "pool names are lower-case letters, digits and dashes, and unique; '" + original
                        + "' is written as '" + name + "'");
            }
            return name;
        }

        private void warnOtherRunnerKeys() {
            Iterator<Map.Entry<String, JsonNode>> fields = runner.fields();
            var handled = Set.of("name", "limit", "executor", "token", "machine");
            while (fields.hasNext()) {
                String key = fields.next().getKey();
                if (handled.contains(key) || RUNNER_BOOKKEEPING.contains(key)) {
                    continue;
                }
                warn(key, switch (key) {
                    case "url" -> "not a pool setting: the runner bootstrap on each machine registers against your "
                            + "GitLab URL; set it there (launch template user data)";
                    case "request_concurrency" -> "no equivalent: each machine's runner asks GitLab for its own jobs";
                    default -> "a setting of the runner process itself, not of scaling; carry it into the runner "
                            + "config.toml your launch template's user data writes on each machine";
                });
            }
        }

        private List<String> stringList(JsonNode node, String at) {
            if (node.isMissingNode()) {
                return List.of();
            }
            if (!node.isArray()) {
                problems.add(at + ": expected an array of strings, got " + describe(node));
                return List.of();
            }
            var list = new ArrayList<String>();
            for (int i = 0; i < node.size(); i++) {
                if (node.get(i).isTextual()) {
                    list.add(node.get(i).asText());
                } else {
                    problems.add(at + "[" + i + "]: expected a string, got " + describe(node.get(i)));
                }
            }
            return list;
        }

        /** {@code [runners.machine]}: idle knobs, periods and the amazonec2 MachineOptions. */
        private final class MachineSettings {

            private final JsonNode machine;
            private final MachineOptions options;
            private final String at;

            MachineSettings(JsonNode machine, MachineOptions options) {
                this.machine = machine;
                this.options = options;
                this.at = path + ".machine";
            }

            void writeTo(ObjectNode pool, String name) {
                String instanceType = options.first("amazonec2-instance-type").orElseGet(() -> {
                    warn("amazonec2-instance-type", "not set; docker-machine's default "
                            + DOCKER_MACHINE_DEFAULT_INSTANCE_TYPE + " is written, you can list several types "
                            + "in instanceTypes to widen spot capacity");
                    return DOCKER_MACHINE_DEFAULT_INSTANCE_TYPE;
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

                String template = "runner-scaler-" + name;
                pool.put("launchTemplate", template);
                warn("launchTemplate", "config.toml has no launch template; create EC2 launch template '" + template
                        + "' (or write the name of yours) with the runner bootstrap user data and the machine "
                        + "settings this runner's other warnings name");
                options.first("amazonec2-ami").ifPresentOrElse(ami -> pool.put("ami", ami),
                        () -> warn("amazonec2-ami", "not set; docker-machine's default Ubuntu image is not carried "
                                + "over, the launch template's image is used"));

                boolean spot = options.flag("amazonec2-request-spot-instance");
                pool.put("market", spot ? "spot" : "on-demand");
                if (spot) {
                    warn("amazonec2-request-spot-instance", "written as market: spot, which like docker-machine "
                            + "fails when spot has no capacity; market: spot-with-fallback buys on-demand instead");
                }
                warnMachineOptions();
                warnOtherMachineKeys();
            }

            void writeIdle(ObjectNode pool, int limit) {
                IdleKnobs knobs = idleKnobs(machine, at, limit, "");
                knobs.writeTo(pool);
                pool.put("maxGrowthRate", nonNegative("MaxGrowthRate"));
                pool.put("maxBuilds", nonNegative("MaxBuilds"));
            }

            int maxIdleCount() {
                int max = machine.has("IdleCount") && machine.get("IdleCount").canConvertToInt()
                        ? machine.get("IdleCount").intValue() : 0;
                for (JsonNode period : machine.path("autoscaling")) {
                    if (period.path("IdleCount").canConvertToInt()) {
                        max = Math.max(max, period.path("IdleCount").intValue());
                    }
                }
                if (machine.path("OffPeakIdleCount").canConvertToInt()) {
                    max = Math.max(max, machine.path("OffPeakIdleCount").intValue());
                }
                return Math.max(max, 0);
            }

            /**
             * GitLab Runner's periods: the last matching {@code [[runners.machine.autoscaling]]} wins, and its
             * settings replace the runner's entirely (a key it leaves out counts as 0), so every knob is written.
             */
            ArrayNode periods(int limit) {
                ArrayNode periods = NODES.arrayNode();
                offPeakPeriod(limit, periods);
                JsonNode autoscaling = machine.path("autoscaling");
                if (!autoscaling.isMissingNode() && !autoscaling.isArray()) {
                    problems.add(at + ".autoscaling: expected [[runners.machine.autoscaling]] tables");
                    return periods;
                }
                for (int i = 0; i < autoscaling.size(); i++) {
                    JsonNode entry = autoscaling.get(i);
                    String entryAt = at + ".autoscaling[" + i + "]";
                    String label = "[[runners.machine.autoscaling]] #" + (i + 1);
                    List<String> schedules = stringList(entry.path("Periods"), entryAt + ".Periods");
                    if (schedules.isEmpty()) {
                        warn(label, "has no Periods, so GitLab Runner never applies it; not imported");
                        continue;
                    }
                    ObjectNode period = NODES.objectNode();
                    ArrayNode list = NODES.arrayNode();
                    schedules.forEach(list::add);
                    period.set("schedules", list);
                    idleKnobs(entry, entryAt, limit, label + " ").writeTo(period);
                    period.put("timezone", timezone(entry.path("Timezone"), entryAt + ".Timezone", label));
                    entry.fieldNames().forEachRemaining(key -> {
                        if (!Set.of("Periods", "IdleCount", "IdleCountMin", "IdleScaleFactor", "IdleTime", "Timezone")
                                .contains(key)) {
                            warn(label + " " + key, "unknown autoscaling setting; no equivalent, ignored");
                        }
                    });
                    periods.add(period);
                }
                return periods;
            }

            /** The OffPeak* settings GitLab Runner 14 removed are one period; it comes first so later ones win. */
            private void offPeakPeriod(int limit, ArrayNode periods) {
                if (!machine.has("OffPeakPeriods")) {
                    return;
                }
                List<String> schedules = stringList(machine.get("OffPeakPeriods"), at + ".OffPeakPeriods");
                if (schedules.isEmpty()) {
                    return;
                }
                ObjectNode period = NODES.objectNode();
                ArrayNode list = NODES.arrayNode();
                schedules.forEach(list::add);
                period.set("schedules", list);
                int idleCount = machine.has("OffPeakIdleCount")
                        ? intValue(machine.get("OffPeakIdleCount"), at + ".OffPeakIdleCount", problems) : 0;
                int idleTime = machine.has("OffPeakIdleTime")
                        ? intValue(machine.get("OffPeakIdleTime"), at + ".OffPeakIdleTime", problems) : 0;
                new IdleKnobs(Math.min(idleCount, limit), 0, 0, idleTime).writeTo(period);
                period.put("timezone", timezone(machine.path("OffPeakTimezone"), at + ".OffPeakTimezone", "OffPeakTimezone"));
                periods.add(period);
                warn("OffPeakPeriods", "removed in GitLab Runner 14.0; OffPeakPeriods, OffPeakIdleCount, "
                        + "OffPeakIdleTime and OffPeakTimezone are written as the first period");
            }

            private String timezone(JsonNode node, String fieldAt, String label) {
                if (node.isMissingNode() || node.asText("").isEmpty()) {
                    return "UTC"; // Go's time.LoadLocation("") is UTC
                }
                String zone = node.asText();
                if (zone.equals("Local")) {
                    warn(label + " Timezone", "'Local' was the manager host's zone, which the scaler does not have; "
                            + "written as UTC, replace it with your IANA zone (e.g. Europe/Berlin)");
                    return "UTC";
                }
                try {
                    ZoneId.of(zone);
                } catch (DateTimeException e) {
                    problems.add(fieldAt + ": unknown time zone '" + zone + "' (expected an IANA name like Europe/Berlin)");
                }
                return zone;
            }

            private IdleKnobs idleKnobs(JsonNode table, String tableAt, int limit, String label) {
                int idleCount = table.has("IdleCount") ? intValue(table.get("IdleCount"), tableAt + ".IdleCount", problems) : 0;
                int idleCountMin = table.has("IdleCountMin")
                        ? intValue(table.get("IdleCountMin"), tableAt + ".IdleCountMin", problems) : 0;
                double factor = table.has("IdleScaleFactor")
                        ? numberValue(table.get("IdleScaleFactor"), tableAt + ".IdleScaleFactor", problems) : 0;
                int idleTime = table.has("IdleTime") ? intValue(table.get("IdleTime"), tableAt + ".IdleTime", problems) : 0;
                for (var knob : Map.of("IdleCount", idleCount, "IdleCountMin", idleCountMin, "IdleTime", idleTime).entrySet()) {
                    if (knob.getValue() < 0) {
                        problems.add(tableAt + "." + knob.getKey() + ": must not be negative, got " + knob.getValue());
                    }
                }
                if (idleCount > limit) {
                    warn(label + "IdleCount", idleCount + " exceeds limit " + limit
                            + "; docker+machine never ran more than limit machines, so it is written as " + limit);
                    idleCount = limit;
                }
                if (idleCountMin > idleCount) {
                    warn(label + "IdleCountMin", idleCountMin + " exceeds IdleCount " + idleCount
                            + "; written as " + idleCount + ", the most idle machines GitLab Runner keeps");
                    idleCountMin = idleCount;
                }
                if (!table.has("IdleTime") && idleCount + idleCountMin > 0) {
                    warn(label + "IdleTime", "not set, which GitLab Runner reads as 0: machines above the idle "
                            + "target are removed as soon as they are idle; written as 0");
                }
                return new IdleKnobs(idleCount, idleCountMin, factor, idleTime);
            }

            private int nonNegative(String key) {
                if (!machine.has(key)) {
                    return 0;
                }
                int value = intValue(machine.get(key), at + "." + key, problems);
                if (value < 0) {
                    problems.add(at + "." + key + ": must not be negative, got " + value);
                }
                return value;
            }

            private void warnOtherMachineKeys() {
                var handled = Set.of("IdleCount", "IdleCountMin", "IdleScaleFactor", "IdleTime", "MaxGrowthRate",
                        "MaxBuilds", "MachineDriver", "MachineOptions", "autoscaling", "OffPeakPeriods",
                        "OffPeakIdleCount", "OffPeakIdleTime", "OffPeakTimezone");
                machine.fieldNames().forEachRemaining(key -> {
                    if (handled.contains(key)) {
                        return;
                    }
                    warn(key, switch (key) {
                        case "MachineName" -> "no equivalent: the scaler names and tags instances itself "
                                + "(tag runner-scaler:pool)";
                        default -> "unknown [runners.machine] setting; no equivalent, ignored";
                    });
                });
            }

            /** Every MachineOptions flag that is not a pool key gets a warning saying where it goes instead. */
            private void warnMachineOptions() {
                for (String option : options.values().keySet()) {
                    String value = String.join(",", options.all(option));
                    String advice = switch (option) {
                        case "amazonec2-instance-type", "amazonec2-subnet-id", "amazonec2-ami",
                             "amazonec2-request-spot-instance" -> null; // pool keys
                        // The subnet implies both; without one, the subnet warning names them.
                        case "amazonec2-vpc-id", "amazonec2-zone" -> null;
                        case "amazonec2-region" -> "pools launch in the region the scaler is deployed to; deploy "
                                + "the stack in " + value;
                        case "amazonec2-access-key", "amazonec2-secret-key", "amazonec2-session-token" ->
                                "credentials are not imported: the scaler uses its Lambda role. Delete this key "
                                        + "pair if nothing else uses it";
                        case "amazonec2-spot-price" -> "no equivalent: EC2 caps spot at the on-demand price and "
                                + "AWS advises against a max price; dropped";
                        case "amazonec2-block-duration-minutes" -> "no equivalent: EC2 no longer offers spot "
                                + "blocks (defined duration); dropped";
                        case "amazonec2-root-size" -> "set the root volume size (" + value + " GiB) in the launch "
                                + "template's block device mapping";
                        case "amazonec2-volume-type", "amazonec2-device-name" -> "set the root volume ("
                                + value + ") in the launch template's block device mapping";
                        case "amazonec2-security-group" -> "put security group(s) " + value + " in the launch "
                                + "template; they need no inbound rules, runners only connect out";
                        case "amazonec2-security-group-readonly" -> "no equivalent: the scaler never edits "
                                + "security groups";
                        case "amazonec2-iam-instance-profile" -> "put instance profile " + value + " in the launch "
                                + "template; it must also allow ssm:GetParameter on the pool's tokenParameter only";
                        case "amazonec2-tags" -> "put tags " + value + " in the launch template's tag "
                                + "specifications; the scaler adds its own runner-scaler tags";
                        case "amazonec2-use-private-address" -> "no equivalent: nothing connects to the machines, "
                                + "the runner on each machine connects out to GitLab";
                        case "amazonec2-private-address-only" -> "disable public IP addresses in the launch "
                                + "template's network interface (or use subnets without auto-assigned public IPs)";
                        case "amazonec2-monitoring", "amazonec2-use-ebs-optimized-instance",
                             "amazonec2-metadata-token", "amazonec2-metadata-token-response-hop-limit" ->
                                "set it in the launch template";
                        case "amazonec2-userdata" -> "merge this script into the launch template's user data, "
                                + "before the runner bootstrap";
                        case "amazonec2-ssh-user", "amazonec2-ssh-keypath", "amazonec2-keypair-name",
                             "amazonec2-ssh-port", "amazonec2-open-port" -> "no equivalent: nothing connects to the "
                                + "machines over SSH or the Docker API; add a key pair to the launch template only "
                                + "if you want to log in";
                        case "amazonec2-retries" -> "no equivalent: the scaler retries launches itself with backoff";
                        case "amazonec2-endpoint", "amazonec2-insecure-transport" -> "no equivalent per pool: point "
                                + "the whole scaler at another endpoint with its endpoint setting";
                        default -> option.startsWith("engine-")
                                ? "a Docker engine setting docker-machine applied at provisioning; configure Docker "
                                        + "in your AMI or the launch template's user data"
                                : "no equivalent, ignored; if it matters, express it in the launch template";
                    };
                    // Only advice for options that are not secrets quotes their values.
                    if (advice != null) {
                        warn(option, advice);
                    }
                }
            }
        }
    }

    /** The four idle knobs of one setting (the runner's or a period's), as the pools YAML names them. */
    private record IdleKnobs(int idleCount, int idleCountMin, double idleScaleFactor, int idleTimeSeconds) {

        void writeTo(ObjectNode node) {
            node.put("idleCount", idleCount);
            node.put("idleCountMin", idleCountMin);
            node.put("idleScaleFactor", idleScaleFactor);
            node.put("idleTime", idleTimeSeconds);
        }
    }
}
