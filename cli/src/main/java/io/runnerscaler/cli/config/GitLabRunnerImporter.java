package io.runnerscaler.cli.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.runnerscaler.core.config.ConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns GitLab Runner's {@code config.toml} into pools YAML: one pool per {@code docker+machine} runner on the
 * amazonec2 driver ({@link DockerMachineRunner}) and per {@code docker-autoscaler} or {@code instance} runner on
 * the AWS fleeting plugin ({@link AutoscalerRunner}), keeping the meaning of every knob, and a warning for each
 * setting that has no equivalent.
 *
 * <p>The runner token is a secret: it never reaches the output, a warning or an error. The pool gets the name
 * of an SSM parameter to hold it instead.
 */
public final class GitLabRunnerImporter {

    static final String DOCKER_MACHINE = "docker+machine";
    static final String IMPORTED_EXECUTORS = "'docker+machine', 'docker-autoscaler' and 'instance'";
    static final String GLOBAL = "global";
    /** GitLab Runner's default when {@code concurrent} is not given. */
    static final int GITLAB_DEFAULT_CONCURRENT = 1;

    private static final TomlMapper TOML = new TomlMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // A pool named "2024" or a tag value "true" must stay a string when read back.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    /** Values of these keys may be quoted by a TOML parse error; they are blanked out of it. */
    private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
            "(?im)^\\s*\"?(token|[a-z_]*(?:secret|password|access_?key|dsn)[a-z_]*)\"?\\s*=\\s*['\"]([^'\"\\r\\n]+)");
    private static final Pattern SECRET_MACHINE_OPTION = Pattern.compile(
            "(?i)amazonec2-(?:access-key|secret-key|session-token)=([^\"',\\s]+)");

    /**
     * @param toml   the content of config.toml
     * @param source the file name, which starts every problem
     * @throws ConfigException when the TOML is malformed, values have the wrong type, or no runner can be imported
     */
    public ImportResult importConfig(String toml, String source) {
        var problems = new ArrayList<String>();
        var warnings = new ArrayList<ImportWarning>();
        TomlTable root = new TomlTable(parseToml(toml, source), "", problems);

        if (!root.has("concurrent")) {
            warnings.add(new ImportWarning(GLOBAL, "concurrent", "not set; GitLab Runner's default of "
                    + GITLAB_DEFAULT_CONCURRENT + " is written, raise it to the most jobs you want running at once"));
        }
        int concurrent = root.nonNegative("concurrent", GITLAB_DEFAULT_CONCURRENT);
        root.keys().stream().filter(key -> !key.equals("concurrent") && !key.equals("runners"))
                .forEach(key -> warnings.add(new ImportWarning(GLOBAL, key, globalAdvice(key))));

        ArrayNode pools = JsonNodeFactory.instance.arrayNode();
        var poolNames = new ArrayList<String>();
        var usedNames = new HashSet<String>();
        for (TomlTable runner : root.tables("runners")) {
            String name = runner.text("name", "");
            String scope = name.isEmpty() ? runner.path() : runner.path() + " \"" + name + "\"";
            String executor = runner.text("executor", "");
            RunnerTable table = new RunnerTable(runner, scope, warnings);
            Optional<ObjectNode> pool;
            if (executor.equals(DOCKER_MACHINE)) {
                pool = new DockerMachineRunner(table, concurrent).toPool(usedNames);
            } else if (AutoscalerRunner.EXECUTORS.contains(executor)) {
                pool = new AutoscalerRunner(table, concurrent).toPool(usedNames);
            } else {
                table.warn("executor", "skipped: executor is " + (executor.isEmpty() ? "not set" : "'" + executor + "'")
                        + ", only " + IMPORTED_EXECUTORS + " runners become pools; keep running this runner as it is");
                continue;
            }
            pool.ifPresent(p -> {
                pools.add(p);
                poolNames.add(p.get("name").textValue());
            });
        }

        if (problems.isEmpty() && pools.isEmpty()) {
            problems.add("no [[runners]] with executor = \"" + DOCKER_MACHINE + "\" and MachineDriver = \"amazonec2\","
                    + " or executor = \"docker-autoscaler\" or \"instance\" with plugin = \"aws\"; nothing to import");
            warnings.stream().filter(w -> !w.scope().equals(GLOBAL)).map(ImportWarning::toString).forEach(problems::add);
        }
        if (!problems.isEmpty()) {
            // A value read twice (say, IdleCount for limit and for the idle target) is reported once.
            throw new ConfigException(problems.stream().distinct().map(p -> source + ": " + p).toList());
        }

        ObjectNode config = JsonNodeFactory.instance.objectNode();
        config.put("concurrent", concurrent);
        config.set("pools", pools);
        return new ImportResult(header(source) + toYaml(config), poolNames, warnings);
    }

    private static JsonNode parseToml(String toml, String source) {
        try {
            JsonNode root = TOML.readTree(toml);
            return root == null ? JsonNodeFactory.instance.objectNode() : root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 1
                    ? "" : " line " + at.getLineNr() + ", column " + at.getColumnNr() + ":";
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
            case "listen_address" -> "no equivalent: there is no manager process to scrape; the scaler emits "
                    + "CloudWatch metrics";
            case "session_server" -> "no equivalent: the interactive web terminal needs the runner on the machine; "
                    + "configure it in the runner bootstrap of your launch template";
            case "log_level", "log_format" -> "no equivalent: scaler logs are JSON lines in CloudWatch Logs";
            case "shutdown_timeout" -> "no equivalent: machines are drained by the scaler, not by a manager process";
            // Values are never quoted here: sentry_dsn and friends carry keys.
            default -> "a setting of the GitLab Runner manager process; no equivalent in the scaler, ignored";
        };
    }
}
