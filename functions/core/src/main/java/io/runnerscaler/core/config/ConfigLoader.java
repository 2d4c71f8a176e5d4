package io.runnerscaler.core.config;

import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.periods.CronSchedule;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the pools YAML into a {@link ScalerConfig}. Validates all of it at once: every problem names its
 * field path and line, for example {@code pools[1].idleCount: 5 exceeds limit 3 (line 14)}. Unknown keys
 * are errors with the nearest known key suggested. Values that look like secrets are never echoed.
 *
 * <p>Defaults: {@code concurrent} 10, {@code forge} gitlab, {@code market} on-demand, {@code idleTime}
 * 10m, {@code bootTimeout} 10m, {@code stoppedMaxAge} 7 days, {@code timezone} UTC, every other number 0. A period inherits each idle
 * setting it does not set, and its timezone, from its pool.
 *
 * <p>This class holds the rules; reading the YAML itself (types, lines, unknown keys) is {@link YamlFields}'.
 */
public final class ConfigLoader {

    static final List<String> TOP_KEYS = List.of("concurrent", "pools", "watch");
    static final List<String> POOL_KEYS = List.of("name", "forge", "labels", "runUntagged", "instanceTypes",
            "subnets", "launchTemplate", "ami", "market", "limit", "idleCount", "idleCountMin", "idleScaleFactor",
            "idleTime", "maxGrowthRate", "maxBuilds", "periods", "timezone", "tokenParameter", "bootTimeout", "github",
            "stoppedCount", "stoppedMaxAge");
    static final List<String> GITHUB_KEYS = List.of("organization", "runnerGroupId", "repository");
    static final List<String> PERIOD_KEYS = List.of("schedules", "idleCount", "idleCountMin", "idleScaleFactor",
            "idleTime", "stoppedCount", "timezone");
    static final List<String> WATCH_KEYS = List.of("gitlab", "github", "every", "pendingAfter", "callsPerPass");

    static final int DEFAULT_CONCURRENT = 10;
    static final Duration DEFAULT_IDLE_TIME = Duration.ofMinutes(10);
    static final Duration DEFAULT_BOOT_TIMEOUT = Duration.ofMinutes(10);
    static final Duration MIN_STOPPED_MAX_AGE = Duration.ofHours(1);

    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern INSTANCE_TYPE = Pattern.compile("[a-z0-9-]+\\.[a-z0-9-]+");
    private static final Pattern GITLAB_PROJECT = Pattern.compile("[0-9]+|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+");
    /**
     * A group's numeric id or its full path, segments joined by {@code /}, each as GitLab's
     * {@code Gitlab::PathRegex::NAMESPACE_FORMAT_REGEX} (lib/gitlab/path_regex.rb) has it: "can contain only letters,
     * digits, '_', '-' and '.'. Cannot start with '-' or end in '.'".
     */
    private static final String GROUP_SEGMENT = "(?:[A-Za-z0-9_.][A-Za-z0-9_.-]*[A-Za-z0-9_-]|[A-Za-z0-9_])";
    private static final Pattern GITLAB_GROUP = Pattern.compile("[0-9]+|" + GROUP_SEGMENT + "(?:/" + GROUP_SEGMENT
            + ")*");
    private static final Pattern GITHUB_REPOSITORY = Pattern.compile("[A-Za-z0-9-]+/[A-Za-z0-9_.-]+");
    /** GitHub logins: letters, digits and single hyphens, at most 39; repository names: letters, digits, . _ -. */
    private static final Pattern GITHUB_LOGIN = Pattern.compile("[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}");
    private static final Pattern GITHUB_REPOSITORY_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern SSM_NAME = Pattern.compile("/?[A-Za-z0-9_.\\-/]{1,1011}");
    /** Prefixes of GitLab and GitHub token values: such a value must live in SSM, not in this file. */
    private static final Pattern TOKEN_VALUE = Pattern.compile(
            "(glrt-|glpat-|GR1348941|ghp_|ghs_|gho_|ghu_|ghr_|github_pat_).*");

    /** Why a stack without a GitHub App cannot run GitHub pools, for its refusal and the tools' warnings. */
    static final String GITHUB_POOLS_NEED_AN_APP = "GitHub pools need the stack's GitHub App (GitHubAppId), which"
            + " gives each machine its just-in-time runner; without one the machines wait for a runner config that"
            + " never comes";

    private final Deployment deployment;

    /**
     * A loader that knows nothing of the stack ({@link Deployment#UNKNOWN}): {@code simulate}, {@code import-gitlab}
     * and the tests; GitHub pools need no {@code github} target and are not refused.
     */
    public ConfigLoader() {
        this(Deployment.UNKNOWN);
    }

    /**
     * A loader for a stack with or without a GitHub App, as the functions load their config.
     *
     * @param githubAppConfigured the stack manages GitHub runners through a GitHub App, so every GitHub pool
     *                            must say where its runners register ({@code github}); without one, GitHub pools
     *                            are refused
     */
    public ConfigLoader(boolean githubAppConfigured) {
        this(Deployment.githubApp(githubAppConfigured));
    }

    /** A loader checking what it is told of the stack as well as the config's own rules. */
    public ConfigLoader(Deployment deployment) {
        this.deployment = deployment;
    }

    /**
     * What a stack without a GitHub App would refuse in this config, one line per GitHub pool: for the tools that
     * read a config without knowing its stack ({@code simulate}, {@code import-gitlab}, {@code local}) to warn with.
     */
    public static List<String> refusedWithoutGitHubApp(ScalerConfig config) {
        return config.pools().stream().filter(p -> p.forge() == Forge.GITHUB)
                .map(p -> "pool '" + p.name() + "': " + GITHUB_POOLS_NEED_AN_APP
                        + "; a stack without GitHubAppId refuses this config")
                .toList();
    }

    public ScalerConfig parse(String yaml) {
        List<String> problems = new ArrayList<>();
        YamlNode root = YamlFields.read(yaml, problems);
        if (!(root instanceof YamlNode.Mapping rootMap)) {
            throw new ConfigException(List.of("config must be a YAML mapping with 'concurrent' and 'pools' (line "
                    + root.line() + ")"));
        }
        YamlFields top = new YamlFields("", rootMap, problems);
        top.checkKeys(TOP_KEYS);
        int concurrent = top.integer("concurrent", DEFAULT_CONCURRENT, 1);
        List<PoolConfig> pools = new ArrayList<>();
        Optional<YamlNode> poolsNode = top.node("pools");
        if (poolsNode.isEmpty()) {
            top.problemOfDocument("pools: at least one pool is required");
        } else if (!(poolsNode.get() instanceof YamlNode.Sequence seq) || seq.items().isEmpty()) {
            top.problemOfDocument(top.at("pools", "must be a non-empty list of pools, found "
                    + YamlNode.describe(poolsNode.get())));
        } else {
            Map<String, String> names = new HashMap<>();
            for (int i = 0; i < seq.items().size(); i++) {
                String path = "pools[" + i + "]";
                YamlNode item = seq.items().get(i);
                if (!(item instanceof YamlNode.Mapping poolMap)) {
                    top.problemAt(path, item, "must be a mapping with at least name, limit and instanceTypes, found "
                            + YamlNode.describe(item));
                    continue;
                }
                YamlFields f = top.nested(path, poolMap);
                PoolConfig pool = pool(f, deployment);
                if (!pool.name().isEmpty()) {
                    String first = names.putIfAbsent(pool.name(), path);
                    if (first != null) {
                        f.problem("name", "duplicate pool name '" + pool.name() + "', already used by " + first);
                    }
                }
                pools.add(pool);
            }
        }
        WatchConfig watch = top.node("watch").map(node -> watch(top, node, pools)).orElse(WatchConfig.NONE);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ScalerConfig(concurrent, pools, watch);
    }

    private static PoolConfig pool(YamlFields f, Deployment deployment) {
        f.checkKeys(POOL_KEYS);
        String name = f.string("name", "");
        if (name.isEmpty()) {
            f.problemAtMapping("name: required");
        } else if (!POOL_NAME.matcher(name).matches()) {
            f.problem("name", "'" + name + "' must be 1-63 letters, digits, '.', '_' or '-', starting with a"
                    + " letter or digit");
        }
        Forge forge = f.enumValue("forge", Forge.GITLAB, Forge.values(), Forge::id);
        if (forge == Forge.GITHUB && deployment.githubApp().equals(Optional.of(false))) {
            f.problem("forge", "github, but the stack has no GitHub App: " + GITHUB_POOLS_NEED_AN_APP
                    + "; set GitHubAppId (docs/deploy.md) or remove the pool");
        }
        List<String> labelList = f.strings("labels");
        var labels = new LinkedHashSet<>(labelList);
        if (labels.size() < labelList.size()) {
            f.problem("labels", "lists a label more than once");
        }
        boolean runUntagged = f.bool("runUntagged", false);
        if (forge == Forge.GITHUB && f.has("runUntagged")) {
            f.problem("runUntagged", "is a GitLab setting; GitHub jobs always name their labels in runs-on");
        }
        if (forge == Forge.GITLAB && labels.isEmpty() && !runUntagged && !f.problemReported("labels")) {
            if (f.has("labels")) {
                f.problem("labels", "is empty and runUntagged is false, so no job can match this pool;"
                        + " add labels or set runUntagged: true");
            } else {
                f.problemAtMapping("labels: no labels and runUntagged is false, so no job can match this pool;"
                        + " add labels or set runUntagged: true");
            }
        }
        List<String> instanceTypes = f.strings("instanceTypes");
        if (instanceTypes.isEmpty() && !f.problemReported("instanceTypes")) {
            if (f.has("instanceTypes")) {
                f.problem("instanceTypes", "must list at least one instance type, e.g. [m7i.large]");
            } else {
                f.problemAtMapping("instanceTypes: required, e.g. [m7i.large]");
            }
        }
        for (String type : instanceTypes) {
            if (!INSTANCE_TYPE.matcher(type).matches()) {
                f.problem("instanceTypes", "'" + type + "' is not an EC2 instance type (like m7i.large)");
            }
        }
        if (Architecture.mixed(instanceTypes)) {
            f.problem("instanceTypes", "mixes arm64 (Graviton) and x64 types; one image cannot boot both,"
                    + " so make one pool per architecture");
        }
        List<String> subnets = f.strings("subnets");
        for (String subnet : subnets) {
            if (!subnet.startsWith("subnet-")) {
                f.problem("subnets", "'" + subnet + "' is not a subnet id (subnet-...)");
            }
        }
        String launchTemplate = f.string("launchTemplate", "");
        Optional<String> ami = f.optionalString("ami");
        if (ami.isPresent() && !ami.get().startsWith("ami-") && !ami.get().startsWith("resolve:ssm:")) {
            f.problem("ami", "'" + ami.get() + "' is not an AMI id (ami-...) or resolve:ssm: parameter");
        }
        architecture(f, instanceTypes, launchTemplate, ami, deployment);
        MarketPolicy market = f.enumValue("market", MarketPolicy.ON_DEMAND, MarketPolicy.values(),
                m -> m.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        int limit = f.integer("limit", 0, 1);
        if (!f.has("limit")) {
            f.problemAtMapping("limit: required, the most machines this pool may have");
        }
        ZoneId timezone = f.zone("timezone", ZoneOffset.UTC);
        IdleSettings idle = idle(f, limit, new IdleSettings(0, 0, 0, DEFAULT_IDLE_TIME));
        int maxGrowthRate = f.integer("maxGrowthRate", 0, 0);
        int maxBuilds = f.integer("maxBuilds", 0, 0);
        List<PeriodConfig> periods = new ArrayList<>();
        Optional<YamlNode> periodsNode = f.node("periods");
        if (periodsNode.isPresent()) {
            if (periodsNode.get() instanceof YamlNode.Sequence seq) {
                for (int i = 0; i < seq.items().size(); i++) {
                    String path = f.path("periods") + "[" + i + "]";
                    YamlNode item = seq.items().get(i);
                    if (item instanceof YamlNode.Mapping m) {
                        periods.add(period(f.nested(path, m), limit, idle, timezone));
                    } else {
                        f.problemAt(path, item, "must be a mapping with schedules and idle settings, found "
                                + YamlNode.describe(item));
                    }
                }
            } else if (!(periodsNode.get() instanceof YamlNode.Scalar s && s.isNull())) {
                f.problem("periods", "must be a list, found " + YamlNode.describe(periodsNode.get()));
            }
        }
        Optional<String> tokenParameter = secretName(f, "tokenParameter");
        Duration bootTimeout = f.duration("bootTimeout", DEFAULT_BOOT_TIMEOUT);
        if (f.has("bootTimeout") && bootTimeout.isZero()) {
            f.problem("bootTimeout", "must be longer than 0s");
        }
        Optional<GitHubTarget> github = github(f, forge, name, deployment.githubApp().orElse(false));
        Duration stoppedMaxAge = f.duration("stoppedMaxAge", PoolConfig.DEFAULT_STOPPED_MAX_AGE);
        if (f.has("stoppedMaxAge") && stoppedMaxAge.compareTo(MIN_STOPPED_MAX_AGE) < 0) {
            f.problem("stoppedMaxAge", "must be at least " + MIN_STOPPED_MAX_AGE.toMinutes()
                    + "m (a shorter age replaces stopped machines faster than they are refilled)");
        }
        return new PoolConfig(name, forge, labels, runUntagged, instanceTypes, subnets, launchTemplate, ami, market,
                Math.max(limit, 0), idle, maxGrowthRate, maxBuilds, periods, timezone, tokenParameter, bootTimeout,
                github, stoppedMaxAge);
    }

    /**
     * One image boots one architecture (the types' mix is checked with the types): a pool on the stack's
     * runner template (no {@code ami}, no launch template of its own) must use the architecture of its image,
     * when the loader knows it. An {@code ami} or a template of the pool's own is an image the loader cannot see.
     */
    private static void architecture(YamlFields f, List<String> instanceTypes, String launchTemplate,
                                     Optional<String> ami, Deployment deployment) {
        if (instanceTypes.isEmpty() || Architecture.mixed(instanceTypes) || ami.isPresent()
                || deployment.runnerTemplate().isEmpty()) {
            return;
        }
        Deployment.RunnerTemplate template = deployment.runnerTemplate().get();
        Architecture types = Architecture.of(instanceTypes.getFirst());
        boolean stackTemplate = launchTemplate.isEmpty() || launchTemplate.equals(template.name());
        if (stackTemplate && types != template.architecture()) {
            f.problem("instanceTypes", String.join(", ", instanceTypes) + (instanceTypes.size() == 1 ? " is " : " are ")
                    + types.imageArchitecture() + ", but the stack's runner template " + template.name() + " boots an "
                    + template.architecture().imageArchitecture() + " image; give the pool an "
                    + types.imageArchitecture() + " image (ami, or a launchTemplate of its own) or "
                    + template.architecture().imageArchitecture() + " instance types");
        }
    }

    /** {@code github: {organization: acme, runnerGroupId: 3}} or {@code github: {repository: acme/app}}. */
    private static Optional<GitHubTarget> github(YamlFields pool, Forge forge, String poolName,
                                                 boolean githubAppConfigured) {
        String example = "e.g. github: {organization: acme} or github: {repository: acme/app}";
        Optional<YamlNode> node = pool.node("github");
        if (node.isEmpty()) {
            if (forge == Forge.GITHUB && githubAppConfigured) {
                pool.problemAtMapping("github: pool '" + poolName + "' needs a GitHub target because the stack"
                        + " manages GitHub runners through a GitHub App; " + example);
            }
            return Optional.empty();
        }
        if (forge != Forge.GITHUB) {
            pool.problem("github", "is a GitHub setting, but this pool's forge is " + forge.id());
            return Optional.empty();
        }
        if (!(node.get() instanceof YamlNode.Mapping mapping)) {
            pool.problem("github", "must be a mapping, " + example + "; found " + YamlNode.describe(node.get()));
            return Optional.empty();
        }
        YamlFields f = pool.nested(pool.path("github"), mapping);
        f.checkKeys(GITHUB_KEYS);
        Optional<String> organization = f.optionalString("organization");
        Optional<String> repository = f.optionalString("repository");
        long runnerGroupId = f.integer("runnerGroupId", (int) GitHubTarget.DEFAULT_RUNNER_GROUP, 1);
        if (organization.isPresent() && repository.isPresent()) {
            f.problem("repository", "set organization or repository, not both");
            return Optional.empty();
        }
        if (repository.isPresent()) {
            if (f.has("runnerGroupId")) {
                f.problem("runnerGroupId", "applies to organization runners only; repository runners have no"
                        + " runner group");
            }
            String[] parts = repository.get().split("/", -1);
            if (parts.length != 2 || !GITHUB_LOGIN.matcher(parts[0]).matches()
                    || !GITHUB_REPOSITORY_NAME.matcher(parts[1]).matches()) {
                f.problem("repository", "'" + repository.get() + "' is not owner/repository, e.g. acme/app");
                return Optional.empty();
            }
            return Optional.of(GitHubTarget.repository(parts[0], parts[1]));
        }
        if (organization.isPresent()) {
            if (!GITHUB_LOGIN.matcher(organization.get()).matches()) {
                f.problem("organization", "'" + organization.get() + "' is not a GitHub organization login"
                        + " (letters, digits and single hyphens, at most 39)"
                        + (organization.get().contains("/") ? "; for one repository use repository: "
                        + organization.get() : ""));
                return Optional.empty();
            }
            return Optional.of(GitHubTarget.organization(organization.get(), runnerGroupId));
        }
        f.problemAtMapping("organization: set organization (and optionally runnerGroupId) or repository, " + example);
        return Optional.empty();
    }

    /**
     * The {@code watch} section: {@code gitlab.projects}, {@code gitlab.groups} and {@code github.repositories} to
     * list pending jobs of, how often, and how many API calls a reaper pass may spend on it.
     */
    private static WatchConfig watch(YamlFields top, YamlNode node, List<PoolConfig> pools) {
        if (!(node instanceof YamlNode.Mapping map)) {
            top.problem("watch", "must be a mapping with gitlab.projects, gitlab.groups and/or github.repositories,"
                    + " found " + YamlNode.describe(node));
            return WatchConfig.NONE;
        }
        YamlFields f = top.nested("watch", map);
        f.checkKeys(WATCH_KEYS);
        Map<String, List<String>> gitlab = watched(f, Forge.GITLAB, List.of(
                new Watched("projects", GITLAB_PROJECT, "a project id (123) or path (group/project)", "project ids or paths"),
                new Watched("groups", GITLAB_GROUP, "a group id (123) or path (group or group/subgroup)",
                        "group ids or paths")), pools);
        Map<String, List<String>> github = watched(f, Forge.GITHUB, List.of(
                new Watched("repositories", GITHUB_REPOSITORY, "an owner/repo name", "owner/repo names")), pools);
        List<String> projects = gitlab.getOrDefault("projects", List.of());
        List<String> groups = gitlab.getOrDefault("groups", List.of());
        List<String> repositories = github.getOrDefault("repositories", List.of());
        boolean forgeWritten = Stream.of(Forge.GITLAB, Forge.GITHUB).map(forge -> f.node(forge.id()))
                .anyMatch(n -> n.filter(m -> m instanceof YamlNode.Mapping fm && !fm.entries().isEmpty()).isPresent());
        if (projects.isEmpty() && groups.isEmpty() && repositories.isEmpty() && !forgeWritten
                && !f.problemReported("gitlab") && !f.problemReported("github")) {
            top.problem("watch", "lists no gitlab.projects, no gitlab.groups and no github.repositories; list some or"
                    + " remove watch");
        }
        Duration every = f.duration("every", WatchConfig.DEFAULT_EVERY);
        if (f.has("every") && every.isZero()) {
            f.problem("every", "must be longer than 0s");
        }
        Duration pendingAfter = f.duration("pendingAfter", WatchConfig.DEFAULT_PENDING_AFTER);
        int callsPerPass = f.integer("callsPerPass", WatchConfig.DEFAULT_CALLS_PER_PASS, 1);
        return new WatchConfig(projects, groups, repositories, every, pendingAfter, callsPerPass);
    }

    /** One list a forge's part of {@code watch} takes: its key, what each name must look like, and what it holds. */
    private record Watched(String key, Pattern valid, String expected, String holds) {
    }

    /**
     * One forge's lists under {@code watch} ({@code gitlab: {projects: [...], groups: [...]}}), by key, each name
     * checked. A list that is there but empty is a mistake (a name left out, or a key to remove), not "watch none".
     */
    private static Map<String, List<String>> watched(YamlFields watch, Forge forge, List<Watched> lists,
                                                     List<PoolConfig> pools) {
        Optional<YamlNode> node = watch.node(forge.id());
        if (node.isEmpty()) {
            return Map.of();
        }
        String keys = String.join(" and/or ", lists.stream().map(Watched::key).toList());
        if (!(node.get() instanceof YamlNode.Mapping map)) {
            watch.problem(forge.id(), "must be a mapping with " + keys + ", found " + YamlNode.describe(node.get()));
            return Map.of();
        }
        YamlFields f = watch.nested(watch.path(forge.id()), map);
        f.checkKeys(lists.stream().map(Watched::key).toList());
        var found = new LinkedHashMap<String, List<String>>();
        for (Watched list : lists) {
            String key = list.key();
            boolean written = map.entries().containsKey(key);
            List<String> names = f.strings(key);
            if (written && names.isEmpty() && !f.problemReported(key)) {
                f.problem(key, "is empty; list " + list.holds() + " or remove " + f.path(key));
            }
            for (String name : names) {
                if (!list.valid().matcher(name).matches()) {
                    f.problem(key, "'" + name + "' is not " + list.expected());
                }
            }
            if (new LinkedHashSet<>(names).size() < names.size()) {
                f.problem(key, "lists a name more than once");
            }
            if (!names.isEmpty() && pools.stream().noneMatch(p -> p.forge() == forge)) {
                f.problem(key, "no pool has forge " + forge.id() + ", so no job found here could get a machine;"
                        + " add such a pool or remove " + f.path(key));
            }
            found.put(key, names);
        }
        return found;
    }

    private static PeriodConfig period(YamlFields f, int limit, IdleSettings base, ZoneId poolZone) {
        f.checkKeys(PERIOD_KEYS);
        List<String> schedules = f.strings("schedules");
        if (schedules.isEmpty() && !f.problemReported("schedules")) {
            f.problemAtMapping("schedules: required, e.g. [\"* * 9-17 * * mon-fri *\"]");
        }
        for (String schedule : schedules) {
            try {
                CronSchedule.parse(schedule);
            } catch (IllegalArgumentException e) {
                f.problem("schedules", e.getMessage());
            }
        }
        IdleSettings idle = idle(f, limit, base);
        ZoneId zone = f.zone("timezone", poolZone);
        return new PeriodConfig(schedules, idle, zone);
    }

    /** Reads the four idle knobs, each defaulting to {@code base}'s, and checks them against each other. */
    private static IdleSettings idle(YamlFields f, int limit, IdleSettings base) {
        int idleCount = f.integer("idleCount", base.idleCount(), 0);
        int idleCountMin = f.integer("idleCountMin", base.idleCountMin(), 0);
        double idleScaleFactor = f.number("idleScaleFactor", base.idleScaleFactor(), 0);
        Duration idleTime = f.duration("idleTime", base.idleTime());
        int stoppedCount = f.integer("stoppedCount", base.stoppedCount(), 0);
        if (limit > 0 && idleCount > limit && f.has("idleCount")) {
            f.problem("idleCount", idleCount + " exceeds limit " + limit);
        }
        // Stopped machines take places in the pool like running ones: a start must never pass the limit.
        if (limit > 0 && (f.has("stoppedCount") || f.has("idleCount")) && stoppedCount > 0
                && idleCount + stoppedCount > limit) {
            f.problem(f.has("stoppedCount") ? "stoppedCount" : "idleCount", "idleCount " + idleCount
                    + " + stoppedCount " + stoppedCount + " exceeds limit " + limit
                    + " (stopped machines count toward the limit)");
        }
        if (idleCountMin > idleCount) {
            if (f.has("idleCountMin")) {
                f.problem("idleCountMin", idleCountMin + " exceeds idleCount " + idleCount);
            } else if (f.has("idleCount")) {
                f.problem("idleCount", idleCount + " is below idleCountMin " + idleCountMin
                        + " inherited from the pool");
            }
        }
        return new IdleSettings(idleCount, idleCountMin, idleScaleFactor, idleTime, stoppedCount);
    }

    /** A name of a secret, never the secret: a value that looks like a token is rejected unprinted. */
    private static Optional<String> secretName(YamlFields f, String key) {
        Optional<YamlNode> node = f.node(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (!(node.get() instanceof YamlNode.Scalar scalar)) {
            f.problem(key, "must be the name of an SSM parameter");
            return Optional.empty();
        }
        String value = scalar.text().trim();
        if (TOKEN_VALUE.matcher(value).matches()) {
            f.problem(key, "looks like a token value, not an SSM parameter name; store the token in SSM"
                    + " as a SecureString and put the parameter's name here (value not shown)");
            return Optional.empty();
        }
        if (!SSM_NAME.matcher(value).matches()) {
            f.problem(key, "is not a valid SSM parameter name (letters, digits, '_', '.', '-', '/');"
                    + " value not shown");
            return Optional.empty();
        }
        return Optional.of(value);
    }
}
