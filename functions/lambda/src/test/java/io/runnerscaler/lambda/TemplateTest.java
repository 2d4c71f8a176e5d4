package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Holds infra-sam/template.yaml to the code it deploys: handler names, environment, the IAM conditions
 * the security invariants rest on, and the metric names on the dashboard and in the alarms.
 */
class TemplateTest {

    private static final String STACK_TAG_CONDITION = "ec2:ResourceTag/runner-scaler:stack";
    private static final String STACK_REQUEST_TAG = "aws:RequestTag/runner-scaler:stack";
    private static final Map<String, Object> STACK_NAME = Map.of("Ref", "AWS::StackName");

    private static Path root;
    private static Map<String, Object> template;
    private static Map<String, Map<String, Object>> resources;

    @BeforeAll
    static void loadTemplate() throws IOException {
        root = projectRoot();
        try (Reader reader = Files.newBufferedReader(root.resolve("infra-sam/template.yaml"))) {
            template = new Yaml(new CloudFormationConstructor()).load(reader);
        }
        resources = new TreeMap<>();
        map(template.get("Resources")).forEach((id, resource) -> resources.put(id, map(resource)));
    }

    // ------------------------------------------------------------------ functions

    @Test
    void everyFunctionSelectsAHandlerThatExistsInTheCode() throws Exception {
        Map<String, Class<?>> handlers = namedHandlers();
        assertThat(handlers).as("@Named Lambda handlers compiled from functions/lambda").isNotEmpty();

        Map<String, String> selected = new TreeMap<>();
        functions().forEach((id, function) -> selected.put(id, environment(function).get("QUARKUS_LAMBDA_HANDLER")));

        assertThat(selected).as("QUARKUS_LAMBDA_HANDLER per function").doesNotContainValue(null);
        assertThat(handlers.keySet()).as("@Named handlers in the code").containsAll(selected.values());
        assertThat(selected.values()).as("every handler in the code is deployed by some function")
                .containsAll(handlers.keySet());
    }

    @Test
    void everyFunctionSetsEveryVariableTheCodeRequires() {
        assertThat(Settings.REQUIRED_IN_TEMPLATE).isNotEmpty();
        functions().forEach((id, function) -> assertThat(environment(function).keySet())
                .as("environment of %s", id)
                .containsAll(Settings.REQUIRED_IN_TEMPLATE));
    }

    @Test
    void everyRunnerScalerVariableNamedInTheFunctionsCodeIsSetForEveryFunction() throws IOException {
        Set<String> named = variablesNamedInTheFunctionsCode();
        // Only for the emulator or LocalStack; in AWS the SDK's own endpoints apply.
        named.remove(Settings.AWS_ENDPOINT);
        // The IAM-enforcing test emulator (testkit), never a function's.
        named.remove(io.runnerscaler.testkit.Emulator.IAM_ENDPOINT_VARIABLE);

        assertThat(named).containsAll(Settings.REQUIRED_IN_TEMPLATE);
        functions().forEach((id, function) -> assertThat(environment(function).keySet())
                .as("environment of %s", id).containsAll(named));
    }



    @Test
    void everyRunnerScalerVariableTheTemplateSetsIsNamedInTheFunctionsCode() throws IOException {
        Set<String> named = variablesNamedInTheFunctionsCode();
        Set<String> set = new TreeSet<>();
        functions().values().forEach(function -> environment(function).keySet().stream()
                .filter(k -> k.startsWith("RUNNER_SCALER_")).forEach(set::add));

        assertThat(set).as("RUNNER_SCALER_* variables the template sets").containsAll(Settings.REQUIRED_IN_TEMPLATE);
        Set<String> unread = new TreeSet<>(set);
        unread.removeAll(named);
        assertThat(unread).as("variables the template sets that no code in functions/*/src/main reads").isEmpty();
    }

    /** RUNNER_SCALER_* names quoted in the functions' main code. */
    private static Set<String> variablesNamedInTheFunctionsCode() throws IOException {
        Set<String> named = new TreeSet<>();
        Pattern variable = Pattern.compile("\"(RUNNER_SCALER_[A-Z0-9_]+)\"");
        try (Stream<Path> files = Files.walk(root.resolve("functions"))) {
            for (Path source : files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/main/java/")).toList()) {
                variable.matcher(Files.readString(source)).results().forEach(m -> named.add(m.group(1)));
            }
        }
        return named;
    }

    @Test
    void everyFunctionRunsTheOneQuarkusArtifactOnJava21WithSnapStart() {
        assertThat(functions()).hasSize(4);
        functions().forEach((id, function) -> {
            // The webhook starts the same artifact without Quarkus (WebhookFunction); the rest through Quarkus.
            assertThat(property(function, "Handler")).as("%s handler", id).isEqualTo(id.equals("WebhookFunction")
                    ? WebhookFunction.class.getName() + "::handleRequest"
                    : "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest");
            assertThat(property(function, "Runtime")).as("%s runtime", id).isEqualTo("java21");
            assertThat(property(function, "CodeUri")).as("%s code", id).isEqualTo(".");
            assertThat(map(property(function, "SnapStart"))).as("%s SnapStart", id)
                    .containsEntry("ApplyOn", "PublishedVersions");
            assertThat(property(function, "AutoPublishAlias")).as("%s alias", id).isNotNull();
            assertThat(map(function.get("Metadata"))).as("%s build", id).containsEntry("BuildMethod", "makefile");
        });
    }

    @Test
    void timeoutsFitWhatInvokesEachFunction() {
        int scaleUp = ((Number) property(resources.get("ScaleUpFunction"), "Timeout")).intValue();
        int visibility = ((Number) properties(resources.get("JobQueue")).get("VisibilityTimeout")).intValue();
        assertThat(visibility).as("queue visibility vs 6 x the scale-up timeout (AWS's advice for SQS event sources)")
                .isGreaterThanOrEqualTo(6 * scaleUp);

        int webhook = ((Number) property(resources.get("WebhookFunction"), "Timeout")).intValue();
        assertThat(webhook).as("webhook timeout, well under the 10 s GitLab and GitHub wait").isLessThanOrEqualTo(8);

        String rate = (String) map(map(template.get("Parameters")).get("ReaperSchedule")).get("Default");
        var m = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours)\\)").matcher(rate);
        assertThat(m.matches()).as("reaper schedule %s", rate).isTrue();
        int period = Integer.parseInt(m.group(1)) * (m.group(2).startsWith("minute") ? 60 : 3600);
        int reaper = ((Number) property(resources.get("ReaperFunction"), "Timeout")).intValue();
        assertThat(reaper).as("reaper timeout vs its schedule period (%s)", rate).isLessThan(period);
    }

    @Test
    void jobQueueIsFifoWithADeadLetterQueueAndScaleUpReportsPartialFailures() {
        Map<String, Object> queue = properties(resources.get("JobQueue"));
        assertThat(queue).containsEntry("FifoQueue", true);
        assertThat(map(queue.get("RedrivePolicy")).get("deadLetterTargetArn"))
                .isEqualTo(Map.of("Fn::GetAtt", List.of("JobDeadLetterQueue", "Arn")));
        assertThat(properties(resources.get("JobDeadLetterQueue"))).containsEntry("FifoQueue", true);

        Map<String, Object> jobs = map(map(properties(resources.get("ScaleUpFunction")).get("Events")).get("Jobs"));
        assertThat(jobs).containsEntry("Type", "SQS");
        assertThat(list(map(jobs.get("Properties")).get("FunctionResponseTypes")))
                .containsExactly("ReportBatchItemFailures");
    }

    @Test
    void reaperScheduleSendsTheShapeOfItsSampleEvent() throws IOException {
        Map<String, Object> every = map(map(properties(resources.get("ReaperFunction")).get("Events")).get("Every"));
        assertThat(every).containsEntry("Type", "ScheduleV2");
        String input = text(map(every.get("Properties")).get("Input")).replaceAll("\\$\\{[^}]+}", "x");

        ObjectMapper json = new ObjectMapper();
        JsonNode sent = json.readTree(input);
        JsonNode sample = json.readTree(root.resolve("events/reaper-schedule.json").toFile());
        assertThat(fieldNames(sent)).isEqualTo(fieldNames(sample));
        assertThat(fieldNames(sent.get("detail"))).isEqualTo(fieldNames(sample.get("detail")));
        assertThat(sent.get("time").asText()).isEqualTo("<aws.scheduler.scheduled-time>");
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void everyEc2SampleMatchesARuleThatDeliversItToEc2Events() throws IOException {
        List<Map<String, Object>> patterns = new ArrayList<>();
        map(properties(resources.get("Ec2EventsFunction")).get("Events")).values().forEach(event -> {
            assertThat(map(event)).containsEntry("Type", "EventBridgeRule");
            patterns.add(map(map(map(event).get("Properties")).get("Pattern")));
        });

        List<Path> samples;
        try (Stream<Path> files = Files.list(root.resolve("events"))) {
            samples = files.filter(f -> f.getFileName().toString().matches("ec2-.*\\.json")).sorted().toList();
        }
        assertThat(samples).hasSizeGreaterThanOrEqualTo(3);
        for (Path sample : samples) {
            JsonNode event = new ObjectMapper().readTree(sample.toFile());
            assertThat(patterns).as("a rule matching %s", sample.getFileName()).anySatisfy(pattern -> {
                assertThat(list(pattern.get("source"))).contains(event.get("source").asText());
                assertThat(list(pattern.get("detail-type"))).contains(event.get("detail-type").asText());
                if (pattern.get("detail") instanceof Map<?, ?> detail && detail.get("state") != null) {
                    assertThat(list(detail.get("state"))).contains(event.at("/detail/state").asText());
                }
            });
        }
    }

    // ------------------------------------------------------------------ IAM

    @Test
    void everyFunctionThatLaunchesMayTerminateWhatItLaunched() {
        // The planner puts terminations before launches and scale-up runs the whole plan; a launch whose runner
        // registration or table write fails is ended at once. Shown under IAM by PlannedTerminationsIamIT.
        Map<String, Map<String, Object>> launching = new TreeMap<>();
        functions().forEach((id, function) -> {
            if (statementsOf(function).stream().anyMatch(s -> actions(s).contains("ec2:CreateFleet"))) {
                launching.put(id, function);
            }
        });
        assertThat(launching).containsKeys("ScaleUpFunction", "ReaperFunction");
        launching.forEach((id, function) -> assertThat(statementsOf(function))
                .as("%s statements", id).anyMatch(s -> actions(s).contains("ec2:TerminateInstances")));
    }

    @Test
    void instancesAreTerminatedOnlyWhenThisStackTaggedThem() {
        List<Map<String, Object>> terminating = allFunctionStatements().stream()
                .filter(s -> actions(s).contains("ec2:TerminateInstances")).toList();

        assertThat(terminating).isNotEmpty().allSatisfy(statement -> {
            assertThat(resourceTexts(statement)).allMatch(r -> r.endsWith(":instance/*"));
            assertThat(condition(statement, "StringEquals")).containsEntry(STACK_TAG_CONDITION, STACK_NAME);
        });
    }

    @Test
    void instancesAreStartedStoppedAndTheirSpotRequestsCancelledOnlyWhenThisStackTaggedThem() {
        List<Map<String, Object>> startStop = allFunctionStatements().stream().filter(s -> actions(s).stream()
                .anyMatch(a -> a.matches("ec2:(StartInstances|StopInstances|CancelSpotInstanceRequests)"))).toList();

        assertThat(startStop).isNotEmpty().allSatisfy(statement -> {
            assertThat(resourceTexts(statement)).allMatch(r -> r.endsWith(":instance/*")
                    || r.endsWith(":spot-instances-request/*"));
            assertThat(condition(statement, "StringEquals")).containsEntry(STACK_TAG_CONDITION, STACK_NAME);
        });
        for (String function : List.of("ScaleUpFunction", "ReaperFunction")) {
            assertThat(statementsOf(functions().get(function))).as(function)
                    .anyMatch(s -> actions(s).containsAll(Set.of("ec2:StartInstances", "ec2:StopInstances")));
        }
        functions().forEach((id, function) -> {
            if (statementsOf(function).stream().anyMatch(s -> actions(s).contains("ec2:TerminateInstances"))) {
                assertThat(statementsOf(function)).as("%s cancels spot requests before it terminates", id)
                        .anyMatch(s -> actions(s).contains("ec2:CancelSpotInstanceRequests"));
            }
        });
    }

    @Test
    void instancesAreLaunchedOnlyWithThisStacksTagsFromItsLaunchTemplates() {
        List<Map<String, Object>> launching = allFunctionStatements().stream()
                .filter(s -> actions(s).contains("ec2:RunInstances") || actions(s).contains("ec2:CreateFleet"))
                .toList();
        assertThat(launching).isNotEmpty();
        assertThat(launching.stream().flatMap(s -> resourceTexts(s).stream()))
                .as("launch scopes").doesNotContain("*")
                .anyMatch(r -> r.endsWith(":instance/*"));

        for (Map<String, Object> statement : launching) {
            List<String> targets = resourceTexts(statement);
            if (targets.stream().anyMatch(r -> r.endsWith(":instance/*"))) {
                assertThat(targets).as("instances have a statement of their own").hasSize(1);
                assertThat(condition(statement, "StringEquals")).containsEntry(STACK_REQUEST_TAG, STACK_NAME)
                        .containsEntry("aws:RequestTag/managed-by", "runner-scaler");
            }
            if (targets.stream().anyMatch(r -> r.endsWith(":launch-template/*"))) {
                assertThat(targets).as("launch templates have a statement of their own").hasSize(1);
                assertThat(condition(statement, "StringEquals")).containsEntry(STACK_TAG_CONDITION, STACK_NAME);
            }
        }
        allFunctionStatements().stream().filter(s -> actions(s).contains("ec2:CreateTags")).forEach(statement ->
                assertThat(condition(statement, "StringEquals")).as("tags only while launching")
                        .containsKey("ec2:CreateAction"));
        allFunctionStatements().stream().filter(s -> actions(s).contains("ec2:CreateLaunchTemplate")).forEach(st ->
                assertThat(condition(st, "StringEquals")).as("new launch templates carry the stack tag")
                        .containsEntry(STACK_REQUEST_TAG, STACK_NAME));
        allFunctionStatements().stream().filter(s -> actions(s).stream().anyMatch(a -> a.matches(
                "ec2:(CreateLaunchTemplateVersion|ModifyLaunchTemplate|DeleteLaunchTemplateVersions)"))).forEach(st ->
                assertThat(condition(st, "StringEquals")).as("only this stack's launch templates change")
                        .containsEntry(STACK_TAG_CONDITION, STACK_NAME));
    }

    @Test
    void onlyTheRunnerRoleIsPassedAndOnlyToEc2() {
        List<Map<String, Object>> passing = allFunctionStatements().stream()
                .filter(s -> actions(s).stream().anyMatch(a -> a.equals("iam:PassRole") || a.equals("iam:*")))
                .toList();

        assertThat(passing).isNotEmpty().allSatisfy(statement -> {
            assertThat(actions(statement)).containsExactly("iam:PassRole");
            assertThat(statement.get("Resource")).isEqualTo(Map.of("Fn::GetAtt", List.of("RunnerRole", "Arn")));
            assertThat(condition(statement, "StringEquals")).containsEntry("iam:PassedToService", "ec2.amazonaws.com");
        });
    }

    @Test
    void theReaperReadsImageIdsOnlyUnderTheImageParameterPath() {
        // moto checks SSM actions, not their resources, so StoppedPoolIamIT shows the action and this the scope.
        List<Map<String, Object>> reads = statementsOf(functions().get("ReaperFunction")).stream()
                .filter(s -> resourceTexts(s).stream().anyMatch(r -> r.contains("${RunnerImageParameterPath}"))
                        && actions(s).contains("ssm:GetParameter")).toList();

        assertThat(reads).singleElement().satisfies(statement -> {
            assertThat(actions(statement)).containsExactly("ssm:GetParameter");
            assertThat(resourceTexts(statement)).containsExactly(
                    "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${RunnerImageParameterPath}/*");
        });
        functions().forEach((id, function) -> {
            if (!id.equals("ReaperFunction")) {
                assertThat(statementsOf(function)).as(id).noneMatch(s -> actions(s).contains("ssm:GetParameter")
                        && resourceTexts(s).stream().anyMatch(r -> r.contains("${RunnerImageParameterPath}")));
            }
        });
    }

    @Test
    void noFunctionPolicyGrantsWildcardActions() {
        assertThat(allFunctionStatements()).allSatisfy(statement ->
                assertThat(actions(statement)).noneMatch(a -> a.equals("*") || a.endsWith(":*")));
        functions().forEach((id, function) -> assertThat(list(property(function, "Policies")))
                .as("%s policies are the stack's own managed policies", id)
                .allMatch(p -> p instanceof Map<?, ?> ref && ref.containsKey("Ref")));
    }

    @Test
    void theRunnerVolumeKeyIsAParameterOfItsOwnEmptyByDefault() {
        Map<String, Object> parameter = map(map(template.get("Parameters")).get("RunnerVolumeKmsKeyArn"));
        assertThat(parameter).containsEntry("Type", "String").containsEntry("Default", "");
        assertThat(Pattern.compile((String) parameter.get("AllowedPattern")).matcher(
                "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab").matches()).isTrue();
        assertThat(Pattern.compile((String) parameter.get("AllowedPattern")).matcher("alias/aws/ebs").matches())
                .as("a key ARN, which IAM policies can name").isFalse();
        assertThat(map(template.get("Conditions")).get("HasRunnerVolumeKmsKey")).isEqualTo(Map.of("Fn::Not",
                List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "RunnerVolumeKmsKeyArn"), "")))));
    }

    @Test
    void theRunnerVolumeKeyIsUsedOnlyThroughEc2AndGrantedOnlyToAwsResourcesByTheLaunchingFunctions() {
        // EBS user guide, "Requirements for Amazon EBS encryption": what a caller needs for a customer managed key.
        Set<String> use = Set.of("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncryptFrom", "kms:ReEncryptTo");
        functions().forEach((id, function) -> {
            List<Map<String, Object>> volumeKey = conditionalStatementsOf(function, "HasRunnerVolumeKmsKey");
            boolean launches = statementsOf(function).stream().anyMatch(s -> actions(s).contains("ec2:CreateFleet"));
            if (!launches) {
                assertThat(volumeKey).as("%s does not launch", id).isEmpty();
                return;
            }
            assertThat(volumeKey).as("%s volume key statements", id).hasSize(2).allSatisfy(statement ->
                    assertThat(statement.get("Resource")).isEqualTo(Map.of("Ref", "RunnerVolumeKmsKeyArn")));
            Map<String, Object> grant = volumeKey.stream().filter(s -> actions(s).contains("kms:CreateGrant"))
                    .findFirst().orElseThrow();
            assertThat(actions(grant)).containsExactly("kms:CreateGrant");
            assertThat(condition(grant, "Bool")).containsEntry("kms:GrantIsForAWSResource", true);
            Map<String, Object> through = volumeKey.stream().filter(s -> s != grant).findFirst().orElseThrow();
            assertThat(actions(through)).containsExactlyInAnyOrderElementsOf(use);
            assertThat(condition(through, "StringEquals")).containsEntry("kms:ViaService",
                    Map.of("Fn::Sub", "ec2.${AWS::Region}.amazonaws.com"));
        });
        assertThat(allFunctionStatements().stream().filter(s -> actions(s).stream().anyMatch(a -> a.startsWith("kms:")))
                .flatMap(s -> resourceTexts(s).stream())).as("KMS statements name their key").doesNotContain("*");
    }

    @Test
    void runnerRoleReadsOnlyPoolTokensAndTakesOnlyItsOwnBootstrapSecret() {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Object policy : list(properties(resources.get("RunnerRole")).get("Policies"))) {
            statements.addAll(statements(map(map(policy).get("PolicyDocument"))));
        }
        assertThat(statements).isNotEmpty();

        for (Map<String, Object> statement : statements) {
            Set<String> actions = actions(statement);
            if (!actions.equals(Set.of("ec2:DescribeInstances"))) {
                assertThat(resourceTexts(statement)).as("runner role resources").doesNotContain("*");
            }
            if (actions.equals(Set.of("ec2:DescribeInstances"))) {
                continue; // read-only, and EC2 has no resource scope for it
            } else if (actions.stream().anyMatch(a -> a.startsWith("ec2:"))) {
                assertThat(actions).hasSize(1).containsAnyOf("ec2:CreateTags", "ec2:CancelSpotInstanceRequests");
                assertThat(condition(statement, "StringEquals")).containsEntry(STACK_TAG_CONDITION, STACK_NAME)
                        .containsEntry("ec2:ResourceTag/runner-scaler:refill", "true");
                if (actions.contains("ec2:CreateTags")) {
                    assertThat(condition(statement, "ForAllValues:StringEquals"))
                            .containsEntry("aws:TagKeys", List.of("runner-scaler:ready"));
                }
            } else if (actions.stream().anyMatch(a -> a.startsWith("ssm:"))) {
                assertThat(actions).containsExactly("ssm:GetParameter");
                assertThat(resourceTexts(statement)).allMatch(r -> r.endsWith("/runners/gitlab/*"));
            } else if (actions.stream().anyMatch(a -> a.startsWith("dynamodb:"))) {
                assertThat(actions).containsExactly("dynamodb:DeleteItem");
                assertThat(condition(statement, "ForAllValues:StringEquals"))
                        .containsEntry("dynamodb:LeadingKeys", List.of("${aws:userid}"));
                assertThat(condition(statement, "StringEquals")).containsEntry("dynamodb:ReturnValues", "ALL_OLD");
            } else {
                assertThat(actions).as("runner role may otherwise only decrypt through SSM")
                        .containsExactly("kms:Decrypt");
                assertThat(condition(statement, "StringEquals")).containsKey("kms:ViaService");
            }
        }
    }

    @Test
    void runnersRequireImdsV2AndEncryptedVolumesAndGetNoInboundTraffic() {
        Map<String, Object> data = map(properties(resources.get("RunnerLaunchTemplate")).get("LaunchTemplateData"));
        assertThat(map(data.get("MetadataOptions"))).containsEntry("HttpTokens", "required");
        assertThat(list(data.get("BlockDeviceMappings"))).allSatisfy(mapping ->
                assertThat(map(map(mapping).get("Ebs"))).containsEntry("Encrypted", true));
        assertThat(properties(resources.get("RunnerSecurityGroup"))).doesNotContainKey("SecurityGroupIngress");
        assertThat(resources.values()).noneMatch(r -> "AWS::EC2::SecurityGroupIngress".equals(r.get("Type")));
    }

    // ------------------------------------------------------------------ metrics

    @Test
    void dashboardAndAlarmsUseOnlyMetricsTheCodeEmits() throws IOException {
        Set<String> emitted = metricsList();
        Set<String> onDashboard = dashboardMetrics();
        Set<String> inAlarms = alarmMetrics();

        assertThat(onDashboard).as("RunnerScaler metrics on the dashboard").isNotEmpty();
        assertThat(emitted).as("metrics.txt").containsAll(onDashboard).containsAll(inAlarms);
        assertThat(onDashboard).as("every emitted metric has a graph").containsAll(emitted);
        assertThat(inAlarms).contains("LaunchFailures", "ConfigRejected");
    }

    @Test
    void everyMetricTheCodeEmitsIsListedForTheDashboard() throws IOException {
        Set<String> emitted = new TreeSet<>();
        Pattern call = Pattern.compile("\\.(?:count|milliseconds)\\(\\s*\"(\\w+)\"");
        try (Stream<Path> files = Files.walk(root.resolve("functions"))) {
            for (Path source : files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/main/java/")).toList()) {
                call.matcher(Files.readString(source)).results().forEach(m -> emitted.add(m.group(1)));
            }
        }

        assertThat(emitted).as("metric names in calls to Metrics.count / Metrics.milliseconds").isNotEmpty();
        assertThat(metricsList()).as("infra-sam/metrics.txt").containsAll(emitted);
    }

    @Test
    void dashboardAndAlarmsReadEachMetricWithADimensionSetTheCodeEmitsItWith() throws IOException {
        Map<String, Set<Set<String>>> emitted = emittedDimensionSets();
        assertThat(emitted).as("metric calls with their dimension maps").containsKeys("LaunchFailures", "JobWaitMs");
        assertThat(emitted.get("LaunchFailures")).containsExactly(Set.of("Pool", "Reason"));

        List<String> expressions = new ArrayList<>(dashboardExpressions());
        expressions.addAll(alarmExpressions());
        Map<String, Set<String>> read = new TreeMap<>();
        for (String expression : expressions) {
            Set<String> names = namesInExpression(expression);
            if (names.isEmpty()) {
                continue;
            }
            Set<String> schema = schemaDimensions(expression).orElse(null);
            assertThat(schema).as("%s names the metric's dimension set ({RunnerScaler,...} or SCHEMA(RunnerScaler, ...)),"
                    + " so it reads what the code emits and nothing else", expression).isNotNull();
            names.forEach(name -> read.put(name + " " + schema, schema));
        }
        assertThat(read).as("metrics read by the dashboard and alarms").isNotEmpty();
        read.forEach((key, schema) -> {
            String name = key.substring(0, key.indexOf(' '));
            assertThat(emitted.get(name)).as("dimension sets the code emits %s with", name).isNotNull().contains(schema);
        });
    }

    private static final Pattern SEARCH_SCHEMA = Pattern.compile("SEARCH\\(\\s*'\\s*\\{\\s*\"?RunnerScaler\"?([^}]*)}");
    private static final Pattern INSIGHTS_SCHEMA = Pattern.compile("FROM\\s+SCHEMA\\(\\s*\"?RunnerScaler\"?([^)]*)\\)");

    /** The dimension names of a SEARCH metric schema or a Metrics Insights SCHEMA(); empty when it names none. */
    private static java.util.Optional<Set<String>> schemaDimensions(String expression) {
        for (Pattern p : List.of(SEARCH_SCHEMA, INSIGHTS_SCHEMA)) {
            var m = p.matcher(expression);
            if (m.find()) {
                Set<String> dims = new TreeSet<>();
                for (String d : m.group(1).split(",")) {
                    if (!d.isBlank()) {
                        dims.add(d.strip().replace("\"", ""));
                    }
                }
                return java.util.Optional.of(dims);
            }
        }
        return java.util.Optional.empty();
    }

    private static final Pattern METRIC_CALL = Pattern.compile("metrics\\.(?:count|milliseconds)\\(");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"([^\"]*)\"");

    /**
     * Metric name to the dimension sets it is emitted with, read from every {@code metrics.count(...)} and
     * {@code metrics.milliseconds(...)} call in the functions' main code whose dimensions are a
     * {@code Map.of(...)}: the names are the string literals of the first argument (a conditional may hold
     * two), the dimension names the keys of the map.
     */
    private static Map<String, Set<Set<String>>> emittedDimensionSets() throws IOException {
        Map<String, Set<Set<String>>> emitted = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root.resolve("functions"))) {
            for (Path source : files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/main/java/")).toList()) {
                String code = Files.readString(source);
                var call = METRIC_CALL.matcher(code);
                while (call.find()) {
                    List<String> args = arguments(code, call.end());
                    if (args.size() < 2 || !args.get(1).startsWith("Map.of(")) {
                        continue;
                    }
                    List<String> entries = arguments(args.get(1), "Map.of(".length());
                    Set<String> dimensions = new TreeSet<>();
                    for (int i = 0; i + 1 < entries.size(); i += 2) {
                        var key = STRING_LITERAL.matcher(entries.get(i));
                        assertThat(key.matches()).as("dimension key in %s: %s", source.getFileName(), entries.get(i))
                                .isTrue();
                        dimensions.add(key.group(1));
                    }
                    STRING_LITERAL.matcher(args.get(0)).results().forEach(name ->
                            emitted.computeIfAbsent(name.group(1), k -> new LinkedHashSet<>()).add(dimensions));
                }
            }
        }
        return emitted;
    }

    /** The top-level, comma-separated arguments of the call whose argument list starts at {@code from}. */
    private static List<String> arguments(String code, int from) {
        List<String> args = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        StringBuilder current = new StringBuilder();
        for (int i = from; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quoted) {
                quoted = !(c == '"' && code.charAt(i - 1) != '\\');
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth == 0) {
                    args.add(current.toString().strip());
                    return args;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                args.add(current.toString().strip());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        throw new IllegalStateException("unterminated call at " + from);
    }

    private static Set<String> metricsList() throws IOException {
        return new TreeSet<>(Files.readAllLines(root.resolve("infra-sam/metrics.txt")).stream()
                .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList());
    }

    private static Set<String> dashboardMetrics() throws IOException {
        Set<String> names = new TreeSet<>();
        dashboardExpressions().forEach(e -> names.addAll(namesInExpression(e)));
        for (JsonNode row : dashboardRows()) {
            if (row.size() > 1 && row.get(0).isTextual() && "RunnerScaler".equals(row.get(0).asText())) {
                names.add(row.get(1).asText());
            }
        }
        return names;
    }

    /** Every metrics row of every dashboard widget. */
    private static List<JsonNode> dashboardRows() throws IOException {
        Object body = properties(resources.get("Dashboard")).get("DashboardBody");
        String json = body instanceof Map<?, ?> sub ? (String) sub.get("Fn::Sub") : (String) body;
        // ${...} only ever stands inside JSON strings here; a placeholder keeps the document parseable.
        JsonNode dashboard = new ObjectMapper().readTree(json.replaceAll("\\$\\{[^}]+}", "x"));
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode widget : dashboard.path("widgets")) {
            widget.path("properties").path("metrics").forEach(rows::add);
        }
        return rows;
    }

    /** The math and SEARCH expressions of the dashboard's graphs. */
    private static List<String> dashboardExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        for (JsonNode row : dashboardRows()) {
            for (JsonNode item : row) {
                if (item.has("expression")) {
                    expressions.add(item.get("expression").asText());
                }
            }
        }
        return expressions;
    }

    /** The Metrics Insights and math expressions of the alarms. */
    private static List<String> alarmExpressions() {
        List<String> expressions = new ArrayList<>();
        alarms().forEach(p -> {
            for (Object query : list(p.getOrDefault("Metrics", List.of()))) {
                if (map(query).get("Expression") instanceof String expression) {
                    expressions.add(expression);
                }
            }
        });
        return expressions;
    }

    private static List<Map<String, Object>> alarms() {
        return resources.values().stream().filter(r -> "AWS::CloudWatch::Alarm".equals(r.get("Type")))
                .map(TemplateTest::properties).toList();
    }

    private static Set<String> alarmMetrics() {
        Set<String> names = new TreeSet<>();
        alarmExpressions().forEach(e -> names.addAll(namesInExpression(e)));
        alarms().forEach(p -> {
            // A plain metric alarm or a MetricStat would read a fixed dimension set: none does here, so fail
            // rather than skip one that appears.
            assertThat(p.get("Namespace")).as("alarms on RunnerScaler metrics use Metrics Insights").isNotEqualTo("RunnerScaler");
            for (Object query : list(p.getOrDefault("Metrics", List.of()))) {
                if (map(query).get("MetricStat") instanceof Map<?, ?> stat && stat.get("Metric") instanceof Map<?, ?> metric) {
                    assertThat(metric.get("Namespace")).as("alarms on RunnerScaler metrics use Metrics Insights")
                            .isNotEqualTo("RunnerScaler");
                }
            }
        });
        return names;
    }

    private static final Pattern SEARCH_METRIC = Pattern.compile("MetricName=\"(\\w+)\"");
    private static final Pattern INSIGHTS_METRIC =
            Pattern.compile("\\w+\\((\\w+)\\)\\s+FROM\\s+(?:SCHEMA\\()?\"?RunnerScaler\\b");

    /** Metric names a SEARCH or Metrics Insights expression reads from the RunnerScaler namespace. */
    private static Set<String> namesInExpression(String expression) {
        Set<String> names = new TreeSet<>();
        if (expression.contains("SEARCH(") && expression.contains("RunnerScaler")) {
            SEARCH_METRIC.matcher(expression).results().forEach(m -> names.add(m.group(1)));
        }
        INSIGHTS_METRIC.matcher(expression).results().forEach(m -> names.add(m.group(1)));
        return names;
    }

    // ------------------------------------------------------------------ template access

    private static Map<String, Map<String, Object>> functions() {
        Map<String, Map<String, Object>> functions = new TreeMap<>();
        resources.forEach((id, r) -> {
            if ("AWS::Serverless::Function".equals(r.get("Type"))) {
                functions.put(id, r);
            }
        });
        return functions;
    }

    private static Map<String, Object> properties(Map<String, Object> resource) {
        return map(resource.getOrDefault("Properties", Map.of()));
    }

    /** A function property, falling back to Globals.Function as SAM does. */
    private static Object property(Map<String, Object> function, String name) {
        Object own = properties(function).get(name);
        return own != null ? own : globalFunction().get(name);
    }

    private static Map<String, Object> globalFunction() {
        return map(map(template.getOrDefault("Globals", Map.of())).getOrDefault("Function", Map.of()));
    }

    /** Globals.Function environment merged with the function's own, as SAM merges them. */
    private static Map<String, String> environment(Map<String, Object> function) {
        Map<String, String> merged = new TreeMap<>();
        for (Map<String, Object> source : List.of(globalFunction(), properties(function))) {
            Map<String, Object> variables = map(map(source.getOrDefault("Environment", Map.of()))
                    .getOrDefault("Variables", Map.of()));
            variables.forEach((k, v) -> merged.put(k, v instanceof String s ? s : String.valueOf(v)));
        }
        return merged;
    }

    /** Statements of every managed policy a function refers to. */
    private static List<Map<String, Object>> allFunctionStatements() {
        return statementsOf(functions().values());
    }

    /** Statements of the managed policies this function refers to. */
    private static List<Map<String, Object>> statementsOf(Map<String, Object> function) {
        return statementsOf(List.of(function));
    }

    private static List<Map<String, Object>> statementsOf(java.util.Collection<Map<String, Object>> functions) {
        Set<String> policyIds = new LinkedHashSet<>();
        functions.forEach(f -> list(property(f, "Policies")).forEach(p -> {
            if (p instanceof Map<?, ?> ref && ref.get("Ref") instanceof String id) {
                policyIds.add(id);
            }
        }));
        List<Map<String, Object>> statements = new ArrayList<>();
        for (String id : policyIds) {
            Map<String, Object> policy = resources.get(id);
            assertThat(policy).as("policy %s", id).isNotNull();
            assertThat(policy.get("Type")).isEqualTo("AWS::IAM::ManagedPolicy");
            statements.addAll(statements(map(properties(policy).get("PolicyDocument"))));
        }
        return statements;
    }

    /** The statements of a function's managed policies that apply only under this template condition. */
    private static List<Map<String, Object>> conditionalStatementsOf(Map<String, Object> function, String condition) {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Object p : list(property(function, "Policies"))) {
            Map<String, Object> document = map(properties(resources.get((String) map(p).get("Ref"))).get("PolicyDocument"));
            for (Object statement : list(document.get("Statement"))) {
                if (map(statement).get("Fn::If") instanceof List<?> branches && condition.equals(branches.get(0))) {
                    assertThat(branches.get(2)).as("otherwise nothing").isEqualTo(Map.of("Ref", "AWS::NoValue"));
                    statements.add(map(branches.get(1)));
                }
            }
        }
        return statements;
    }

    /** Statements of a policy document; Fn::If statements contribute their "true" branch. */
    private static List<Map<String, Object>> statements(Map<String, Object> document) {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Object statement : list(document.get("Statement"))) {
            Map<String, Object> s = map(statement);
            if (s.containsKey("Fn::If")) {
                s = map(list(s.get("Fn::If")).get(1));
            }
            statements.add(s);
        }
        return statements;
    }

    private static Set<String> actions(Map<String, Object> statement) {
        Object action = statement.get("Action");
        Set<String> actions = new LinkedHashSet<>();
        if (action instanceof String a) {
            actions.add(a);
        } else {
            list(action).forEach(a -> actions.add((String) a));
        }
        return actions;
    }

    /** Resources rendered as text: "!Sub arn:...:instance/*" becomes "arn:...:instance/*". */
    private static List<String> resourceTexts(Map<String, Object> statement) {
        Object resource = statement.get("Resource");
        List<Object> items = resource instanceof List<?> l ? new ArrayList<>(l) : List.of(resource);
        return items.stream().map(TemplateTest::text).toList();
    }

    private static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        Map<String, Object> intrinsic = map(value);
        if (intrinsic.get("Fn::Sub") instanceof String s) {
            return s;
        }
        if (intrinsic.get("Fn::Sub") instanceof List<?> l) {
            return (String) l.get(0);
        }
        if (intrinsic.get("Ref") instanceof String ref) {
            return "${" + ref + "}";
        }
        if (intrinsic.get("Fn::GetAtt") instanceof List<?> l) {
            return "${" + l.get(0) + "." + l.get(1) + "}";
        }
        return String.valueOf(value);
    }

    private static Map<String, Object> condition(Map<String, Object> statement, String operator) {
        return map(map(statement.getOrDefault("Condition", Map.of())).getOrDefault(operator, Map.of()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }

    // ------------------------------------------------------------------ code access

    /** Lambda handlers of this module by CDI name, read from the compiled classes. */
    private static Map<String, Class<?>> namedHandlers() throws IOException, URISyntaxException {
        Path classes = Path.of(Settings.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, Class<?>> handlers = new TreeMap<>();
        List<String> unloadable = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".")
                        .replaceAll("\\.class$", "");
                if (name.endsWith("package-info") || name.endsWith("module-info")) {
                    continue;
                }
                try {
                    Class<?> type = Class.forName(name, false, TemplateTest.class.getClassLoader());
                    Named named = type.getAnnotation(Named.class);
                    if (named != null && (RequestHandler.class.isAssignableFrom(type)
                            || RequestStreamHandler.class.isAssignableFrom(type))) {
                        handlers.put(named.value().isEmpty() ? decapitalize(type.getSimpleName()) : named.value(), type);
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    unloadable.add(name + ": " + e);
                }
            }
        }
        assertThat(unloadable).as("classes that could not be inspected").isEmpty();
        return handlers;
    }

    /** CDI's default bean name: the simple class name with its first letter in lower case. */
    private static String decapitalize(String simpleName) {
        return Character.toLowerCase(simpleName.charAt(0)) + simpleName.substring(1);
    }

    static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("infra-sam/template.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("infra-sam/template.yaml not found above " + Path.of("").toAbsolutePath());
    }

    /** Reads CloudFormation short-form tags (!Ref, !Sub, !GetAtt ...) as their long-form maps. */
    static final class CloudFormationConstructor extends SafeConstructor {

        CloudFormationConstructor() {
            super(new LoaderOptions());
            yamlMultiConstructors.put("!", new ConstructIntrinsic());
        }

        private final class ConstructIntrinsic extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                String tag = node.getTag().getValue().substring(1);
                String key = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
                Object value = switch (node) {
                    case ScalarNode scalar -> constructScalar(scalar);
                    case SequenceNode sequence -> constructSequence(sequence);
                    case MappingNode mapping -> constructMapping(mapping);
                    default -> throw new IllegalArgumentException("unexpected node " + node);
                };
                if (tag.equals("GetAtt") && value instanceof String dotted) {
                    value = List.of(dotted.split("\\.", 2));
                }
                Map<String, Object> intrinsic = new LinkedHashMap<>();
                intrinsic.put(key, value);
                return intrinsic;
            }
        }
    }
}
