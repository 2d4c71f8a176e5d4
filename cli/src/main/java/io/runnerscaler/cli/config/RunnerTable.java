package io.runnerscaler.cli.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One {@code [[runners]]} table on its way to becoming a pool, whatever its executor: the pool's name, its
 * GitLab identity (forge, tags, token parameter), the runner-level keys every executor shares, and the
 * warnings, all scoped to the runner. {@link DockerMachineRunner} and {@link AutoscalerRunner} add their
 * executor's knobs.
 */
final class RunnerTable {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Bookkeeping GitLab Runner writes itself; nothing to carry over or to warn about. */
    private static final Set<String> BOOKKEEPING = Set.of("id", "token_obtained_at", "token_expires_at");

    private final TomlTable runner;
    private final String scope;
    private final List<ImportWarning> warnings;

    /** @param scope how warnings name the runner: {@code runners[0] "name"} */
    RunnerTable(TomlTable runner, String scope, List<ImportWarning> warnings) {
        this.runner = runner;
        this.scope = scope;
        this.warnings = warnings;
    }

    TomlTable toml() {
        return runner;
    }

    void warn(String option, String message) {
        warnings.add(new ImportWarning(scope, option, message));
    }

    /** The runner's name as a pool name, unique among {@code usedNames} (which gets it). */
    String poolName(Set<String> usedNames) {
        String original = runner.text("name", "");
        String base = slug(original.isEmpty() ? "gitlab-" + runner.path().replaceAll("[^0-9]", "") : original);
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

    static String slug(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return slug.isEmpty() ? "pool" : slug;
    }

    /** A new pool with its name, forge and the labels GitLab (not config.toml) knows. */
    ObjectNode newPool(String name) {
        ObjectNode pool = NODES.objectNode();
        pool.put("name", name);
        pool.put("forge", "gitlab");
        pool.set("labels", NODES.arrayNode());
        pool.put("runUntagged", true);
        warn("tags", "runner tags and run_untagged live in GitLab, not in config.toml: labels is written empty and "
                + "runUntagged true, as GitLab registers a runner without tags; copy both from the runner's "
                + "settings page in GitLab into pool '" + name + "'");
        return pool;
    }

    /** The SSM parameter the runner's token goes to; the token itself is never copied. */
    void writeTokenParameter(ObjectNode pool, String name) {
        // Where the stack lets runners read their token: <parameter path>/runners/gitlab/<pool>, for the default
        // stack name runner-scaler (the template's ParameterPath).
        String tokenParameter = "/runner-scaler/runner-scaler/runners/gitlab/" + name;
        pool.put("tokenParameter", tokenParameter);
        warn("token", (runner.has("token") ? "not copied, it is a secret. " : "not set. ")
                + "Store the runner authentication token as an SSM SecureString named " + tokenParameter
                + " (aws ssm put-parameter --type SecureString --name " + tokenParameter
                + " --value <token>), then remove it from shell history");
    }

    /** The pool's launch template: config.toml has none, so the name to create is written and warned about. */
    void writeLaunchTemplate(ObjectNode pool, String name, String fromWhat) {
        String template = "runner-scaler-" + name;
        pool.put("launchTemplate", template);
        warn("launchTemplate", "config.toml has no launch template; create EC2 launch template '" + template
                + "' (or write the name of yours) " + fromWhat);
    }

    /**
     * A period's time zone; {@code absentMeans} names what GitLab Runner uses when the key is not set. {@code Local}
     * (or an absent zone that means the manager host's) becomes UTC with a warning, an unknown zone is a problem.
     */
    String timezone(TomlTable table, String key, String option, boolean absentIsLocal) {
        String zone = table.text(key, "");
        if (zone.isEmpty() && !absentIsLocal) {
            return "UTC"; // Go's time.LoadLocation("") is UTC
        }
        if (zone.isEmpty() || zone.equals("Local")) {
            warn(option, (zone.isEmpty() ? "not set, so GitLab Runner used" : "'Local' was")
                    + " the manager host's zone, which the scaler does not have; written as UTC, "
                    + "replace it with your IANA zone (e.g. Europe/Berlin)");
            return "UTC";
        }
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            table.problems().add(table.pathOf(key) + ": unknown time zone '" + zone
                    + "' (expected an IANA name like Europe/Berlin)");
        }
        return zone;
    }

    /** Warns about every runner-level key that is not in {@code used}, the same way for every executor. */
    void warnOtherRunnerKeys(Set<String> used) {
        for (String key : runner.keys()) {
            if (used.contains(key) || BOOKKEEPING.contains(key)) {
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

    static ArrayNode strings(List<String> values) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(array::add);
        return array;
    }
}
