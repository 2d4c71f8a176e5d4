package io.runnerscaler.lambda;

import static io.runnerscaler.lambda.TemplateTest.list;
import static io.runnerscaler.lambda.TemplateTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.runnerscaler.core.config.Architecture;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Holds the runner image stack (infra-sam/image/template.yaml) to what the scaler and GitHub need from it: pinned
 * versions, both architectures from Amazon Linux 2023, a rebuild at least every 30 days, the image id in the
 * SSM parameter the scaler's launch template resolves at launch, and components that run the scripts kept in
 * infra-sam/image/.
 */
class RunnerImageTemplateTest {

    private static final Map<String, String> ARCHITECTURES = Map.of("x86_64", "X86", "arm64", "Arm64");

    private static Path root;
    private static Map<String, Object> image;
    private static Map<String, Object> scaler;

    @BeforeAll
    static void loadTemplates() throws IOException {
        root = TemplateTest.projectRoot();
        image = load(root.resolve("infra-sam/image/template.yaml"));
        scaler = load(root.resolve("infra-sam/template.yaml"));
    }

    // ------------------------------------------------------------------ the scaler uses the image

    @Test
    void scalersDefaultImageIsTheParameterTheImageStackWritesResolvedAtLaunch() {
        String imageId = (String) parameter(scaler, "RunnerImageId").get("Default");

        assertThat(imageId).as("RunnerImageId default").startsWith("resolve:ssm:")
                .doesNotContain("/aws/service/");
        String written = resolveDefaults(image, ssmParameterNames(image, "X86Distribution").get(0));
        assertThat(imageId).isEqualTo("resolve:ssm:" + written);
        Map<String, Object> data = map(properties(resource(scaler, "RunnerLaunchTemplate")).get("LaunchTemplateData"));
        assertThat(data.get("ImageId")).as("launch template ImageId, kept as resolve:ssm: for EC2 to resolve")
                .isEqualTo(Map.of("Ref", "RunnerImageId"));
        assertThat(parameter(scaler, "RunnerImageId").get("Type")).as("a String, not resolved at deploy")
                .isEqualTo("String");
    }

    @Test
    void launchingFunctionsMayResolveEveryImageParameterTheImageStackWrites() {
        String path = (String) parameter(scaler, "RunnerImageParameterPath").get("Default");
        assertThat(path).isEqualTo(parameter(image, "ImageParameterPath").get("Default"));
        assertThat((String) parameter(scaler, "RunnerImageId").get("Default")).startsWith("resolve:ssm:" + path + "/");

        Map<String, Object> statement = statements(resource(scaler, "LaunchPolicy")).stream()
                .filter(s -> "ssm:GetParameters".equals(s.get("Action"))).findFirst().orElseThrow();
        assertThat(map(statement.get("Resource")).get("Fn::Sub"))
                .isEqualTo("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${RunnerImageParameterPath}/*");
        for (String distribution : List.of("X86Distribution", "Arm64Distribution")) {
            assertThat(ssmParameterNames(image, distribution)).allMatch(n -> n.startsWith("${ImageParameterPath}/"));
        }
    }

    // ------------------------------------------------------------------ the pipelines

    @Test
    void eachArchitectureHasAPipelineFromItsAmazonLinux2023ParameterWritingItsOwnImageParameter() {
        ARCHITECTURES.forEach((arch, prefix) -> {
            Map<String, Object> pipeline = properties(resource(image, prefix + "Pipeline"));
            assertThat(pipeline.get("ImageRecipeArn")).isEqualTo(getAtt(prefix + "Recipe"));
            assertThat(pipeline.get("InfrastructureConfigurationArn")).isEqualTo(getAtt(prefix + "Infrastructure"));
            assertThat(pipeline.get("DistributionConfigurationArn")).isEqualTo(getAtt(prefix + "Distribution"));
            assertThat(pipeline.get("Status")).isEqualTo("ENABLED");

            assertThat(properties(resource(image, prefix + "Recipe")).get("ParentImage")).as("%s parent image", arch)
                    .isEqualTo("ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-" + arch);

            List<Object> types = list(properties(resource(image, prefix + "Infrastructure")).get("InstanceTypes"));
            assertThat(types).isNotEmpty().allSatisfy(type -> assertThat(Architecture.of(resolveDefaults(image, type)))
                    .as("%s build instance type", arch)
                    .isEqualTo(arch.equals("arm64") ? Architecture.ARM64 : Architecture.X64));

            Map<String, Object> ssm = map(list(map(list(properties(resource(image, prefix + "Distribution"))
                    .get("Distributions")).get(0)).get("SsmParameterConfigurations")).get(0));
            assertThat(ssm).containsEntry("DataType", "aws:ec2:image")
                    .containsEntry("ParameterName", Map.of("Fn::Sub", "${ImageParameterPath}/" + arch));
        });
    }

    @Test
    void pipelinesRebuildAtLeastEveryThirtyDaysWhetherOrNotImageBuilderSeesAnUpdate() {
        String schedule = (String) parameter(image, "BuildSchedule").get("Default");
        Matcher cron = Pattern.compile("cron\\((.+)\\)").matcher(schedule);
        assertThat(cron.matches()).as(schedule).isTrue();
        // Image Builder's six fields (minute hour day month weekday year) are Quartz's without the seconds.
        var parser = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
        ExecutionTime times = ExecutionTime.forCron(parser.parse("0 " + cron.group(1).toUpperCase(Locale.ROOT)));
        ZonedDateTime build = times.nextExecution(ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)).orElseThrow();
        Duration longest = Duration.ZERO;
        while (build.getYear() < 2028) {
            ZonedDateTime next = times.nextExecution(build).orElseThrow();
            longest = max(longest, Duration.between(build, next));
            build = next;
        }
        assertThat(longest).as("longest gap between builds of %s", schedule).isPositive()
                .isLessThanOrEqualTo(Duration.ofDays(30));

        for (String pipeline : List.of("X86Pipeline", "Arm64Pipeline")) {
            assertThat(map(properties(resource(image, pipeline)).get("Schedule")))
                    .containsEntry("ScheduleExpression", Map.of("Ref", "BuildSchedule"))
                    .containsEntry("PipelineExecutionStartCondition", "EXPRESSION_MATCH_ONLY");
        }
    }

    @Test
    void runnerVersionsArePinnedAtOrAboveWhatTheBootstrapAndGitHubRequire() {
        String gitlab = (String) parameter(image, "GitLabRunnerVersion").get("Default");
        String github = (String) parameter(image, "GitHubRunnerVersion").get("Default");
        assertThat(gitlab).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(github).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(compare(gitlab, "18.1.0")).as("gitlab-runner %s >= 18.1", gitlab).isNotNegative();
        assertThat(compare(github, "2.329.0")).as("GitHub runner %s >= 2.329.0", github).isNotNegative();

        Pattern allowed = Pattern.compile((String) parameter(image, "GitLabRunnerVersion").get("AllowedPattern"));
        assertThat(List.of("18.1.0", "18.11.4", "18.20.1", "19.0.0", "20.3.1"))
                .allMatch(v -> allowed.matcher(v).matches());
        assertThat(List.of("18.0.2", "17.11.4", "16.0.0", "8.1.0", "18.1", "latest"))
                .noneMatch(v -> allowed.matcher(v).matches());

        assertThat(properties(resource(image, "GitLabRunnerVersionSetting")).get("Value"))
                .isEqualTo(Map.of("Ref", "GitLabRunnerVersion"));
        assertThat(properties(resource(image, "GitHubRunnerVersionSetting")).get("Value"))
                .isEqualTo(Map.of("Ref", "GitHubRunnerVersion"));
    }

    @Test
    void everyRecipeRunsEveryComponentAndEveryBuildStepScriptIsInAComponent() throws IOException {
        Set<String> components = resources(image, "AWS::ImageBuilder::Component").keySet();
        for (String recipe : List.of("X86Recipe", "Arm64Recipe")) {
            Set<Object> used = list(properties(resource(image, recipe)).get("Components")).stream()
                    .map(c -> map(c).get("ComponentArn")).collect(Collectors.toSet());
            components.forEach(c -> assertThat(used).as("%s runs %s", recipe, c).contains(getAtt(c)));
        }

        Set<String> embedded = new TreeSet<>();
        resources(image, "AWS::ImageBuilder::Component").forEach((id, component) -> {
            String data = (String) properties(component).get("Data");
            assertThat(data.length()).as("%s document length", id).isLessThanOrEqualTo(16000);
            Map<String, Object> document = new Yaml(new SafeConstructor(new LoaderOptions())).load(data);
            List<String> commands = new ArrayList<>();
            for (Object phase : list(document.get("phases"))) {
                for (Object step : list(map(phase).get("steps"))) {
                    assertThat(map(step).get("action")).isEqualTo("ExecuteBash");
                    list(map(map(step).get("inputs")).get("commands")).forEach(c -> commands.add((String) c));
                }
            }
            for (String command : commands) {
                Matcher script = Pattern.compile("(?s)# >>> (\\S+)\\n(.*)# <<< \\1\\n?").matcher(command);
                assertThat(script.find()).as("%s runs a script kept in infra-sam/image", id).isTrue();
                assertThat(script.group(2)).as("%s carries %s as it is", id, script.group(1))
                        .isEqualTo(read(root.resolve(script.group(1))));
                embedded.add(script.group(1));
                Matcher placeholder = Pattern.compile("\\{\\{ (\\w+) }}").matcher(command);
                while (placeholder.find()) {
                    assertThat(data).as("%s declares the parameter it uses", id).contains("- " + placeholder.group(1) + ":");
                }
            }
        });
        try (Stream<Path> scripts = Files.list(root.resolve("infra-sam/image"))) {
            assertThat(scripts.filter(p -> p.toString().endsWith(".sh")).map(p -> "infra-sam/image/" + p.getFileName()))
                    .as("scripts in infra-sam/image").containsExactlyInAnyOrderElementsOf(embedded);
        }
    }

    @Test
    void buildMachinesGetImageBuildersInstancePoliciesAndReadOnlyTheirBuildSettings() {
        Map<String, Object> role = properties(resource(image, "BuildRole"));
        assertThat(list(role.get("ManagedPolicyArns"))).containsExactlyInAnyOrder(
                Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"),
                Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::aws:policy/EC2InstanceProfileForImageBuilder"));
        List<Map<String, Object>> own = new ArrayList<>();
        list(role.get("Policies")).forEach(p -> own.addAll(statements(map(map(p).get("PolicyDocument")))));
        assertThat(own).singleElement().satisfies(s -> {
            assertThat(s.get("Action")).isEqualTo("ssm:GetParameter");
            assertThat(map(s.get("Resource")).get("Fn::Sub"))
                    .isEqualTo("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AWS::StackName}/build/*");
        });
        resources(image, "AWS::SSM::Parameter").forEach((id, parameter) -> assertThat(
                map(properties(parameter).get("Name")).get("Fn::Sub")).as(id).asString()
                .startsWith("/${AWS::StackName}/build/"));
        for (String infrastructure : List.of("X86Infrastructure", "Arm64Infrastructure")) {
            assertThat(properties(resource(image, infrastructure)))
                    .containsEntry("InstanceProfileName", Map.of("Ref", "BuildInstanceProfile"))
                    .containsEntry("InstanceMetadataOptions", Map.of("HttpTokens", "required"));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, Object> load(Path template) throws IOException {
        try (Reader reader = Files.newBufferedReader(template)) {
            return new Yaml(new TemplateTest.CloudFormationConstructor()).load(reader);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(file + " is named by a component but cannot be read", e);
        }
    }

    private static Map<String, Object> parameter(Map<String, Object> template, String name) {
        return map(map(template.get("Parameters")).get(name));
    }

    private static Map<String, Object> resource(Map<String, Object> template, String id) {
        Object resource = map(template.get("Resources")).get(id);
        assertThat(resource).as("resource %s", id).isNotNull();
        return map(resource);
    }

    private static Map<String, Map<String, Object>> resources(Map<String, Object> template, String type) {
        Map<String, Map<String, Object>> found = new TreeMap<>();
        map(template.get("Resources")).forEach((id, r) -> {
            if (type.equals(map(r).get("Type"))) {
                found.put(id, map(r));
            }
        });
        assertThat(found).as("resources of type %s", type).isNotEmpty();
        return found;
    }

    private static Map<String, Object> properties(Map<String, Object> resource) {
        return map(resource.getOrDefault("Properties", Map.of()));
    }

    private static List<Map<String, Object>> statements(Map<String, Object> policyOrDocument) {
        Map<String, Object> document = policyOrDocument.containsKey("Statement") ? policyOrDocument
                : map(properties(policyOrDocument).get("PolicyDocument"));
        return list(document.get("Statement")).stream().map(TemplateTest::map).toList();
    }

    private static List<String> ssmParameterNames(Map<String, Object> template, String distribution) {
        List<String> names = new ArrayList<>();
        for (Object d : list(properties(resource(template, distribution)).get("Distributions"))) {
            for (Object c : list(map(d).get("SsmParameterConfigurations"))) {
                names.add((String) map(map(c).get("ParameterName")).get("Fn::Sub"));
            }
        }
        return names;
    }

    /** A value or !Sub / !Ref text with every ${Parameter} replaced by that parameter's default. */
    private static String resolveDefaults(Map<String, Object> template, Object value) {
        String text = value instanceof String s ? s
                : map(value).containsKey("Ref") ? "${" + map(value).get("Ref") + "}"
                : (String) map(value).get("Fn::Sub");
        Matcher ref = Pattern.compile("\\$\\{(\\w+)}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (ref.find()) {
            ref.appendReplacement(out, Matcher.quoteReplacement(
                    String.valueOf(parameter(template, ref.group(1)).get("Default"))));
        }
        return ref.appendTail(out).toString();
    }

    private static Map<String, Object> getAtt(String id) {
        return Map.of("Fn::GetAtt", List.of(id, "Arn"));
    }

    private static int compare(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < 3; i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
