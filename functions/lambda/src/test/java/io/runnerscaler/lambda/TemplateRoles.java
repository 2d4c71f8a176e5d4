package io.runnerscaler.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnerscaler.testkit.AwsEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functions' roles as infra-sam/template.yaml deploys them: read at test time from the template after the
 * SAM transform, with its intrinsics resolved for a test stack ({@code scripts/resolve-template.py}), never
 * copied into a test. Each role is what CloudFormation creates: the managed policies it attaches (the stack's
 * own and the AWS managed ones SAM adds) and its inline policies.
 */
final class TemplateRoles {

    /** The test stack's pseudo parameters: moto's default account, the tests' region and stack. */
    static final String ACCOUNT = "123456789012";

    /** Template parameters without a default, and the values every test stack deploys with. */
    private static final Map<String, String> REQUIRED = Map.of("VpcId", "vpc-0runnerscalertest",
            "RunnerSubnetIds", "subnet-0runnerscalertest");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Map<String, String>, TemplateRoles> RESOLVED = new ConcurrentHashMap<>();

    /** One policy: a name (unique in the account) and its document. */
    record Policy(String name, String path, JsonNode document) {
    }

    /** A function's role: its logical id, its attached managed policies, its inline ones. */
    record Role(String name, List<Policy> managed, List<Policy> inline) {
    }

    private final JsonNode template;

    private TemplateRoles(JsonNode template) {
        this.template = template;
    }

    /** The template resolved for a test stack deployed with these parameters (beside the required ones). */
    static TemplateRoles resolve(Map<String, String> parameters) {
        var all = new TreeMap<>(REQUIRED);
        all.putAll(parameters);
        return RESOLVED.computeIfAbsent(Map.copyOf(all), TemplateRoles::run);
    }

    /** The role of the function the template runs with this handler. */
    Role of(StackFunction function) {
        JsonNode resources = template.path("Resources");
        for (var entry : iterable(resources.fields())) {
            JsonNode resource = entry.getValue();
            if (resource.path("Type").asText().equals("AWS::Lambda::Function") && resource.at(
                    "/Properties/Environment/Variables/QUARKUS_LAMBDA_HANDLER").asText().equals(function.handler)) {
                String arn = resource.at("/Properties/Role").asText();
                return role(arn.substring(arn.lastIndexOf('/') + 1));
            }
        }
        throw new IllegalStateException("infra-sam/template.yaml deploys no function with handler " + function.handler);
    }

    private Role role(String name) {
        JsonNode properties = template.path("Resources").path(name).path("Properties");
        if (properties.isMissingNode()) {
            throw new IllegalStateException("the template names role " + name + " but has no such resource");
        }
        List<Policy> managed = new ArrayList<>();
        for (JsonNode arn : properties.path("ManagedPolicyArns")) {
            managed.add(managedPolicy(arn.asText()));
        }
        List<Policy> inline = new ArrayList<>();
        for (JsonNode policy : properties.path("Policies")) {
            inline.add(new Policy(policy.path("PolicyName").asText(), "/", policy.path("PolicyDocument")));
        }
        return new Role(name, managed, inline);
    }

    /** A managed policy by ARN: one of the stack's own resources, or an AWS managed one the transform attached. */
    private Policy managedPolicy(String arn) {
        String name = arn.substring(arn.lastIndexOf('/') + 1);
        String path = arn.substring(arn.indexOf(":policy") + ":policy".length(), arn.lastIndexOf('/') + 1);
        JsonNode awsManaged = template.at("/Metadata/AwsManagedPolicyDocuments").path(arn);
        if (!awsManaged.isMissingNode()) {
            return new Policy(name, path, awsManaged);
        }
        JsonNode own = template.path("Resources").path(name);
        if (!own.path("Type").asText().equals("AWS::IAM::ManagedPolicy")) {
            throw new IllegalStateException("policy " + arn + " is neither the stack's nor a known AWS managed one");
        }
        return new Policy(name, path, own.at("/Properties/PolicyDocument"));
    }

    /**
     * A policy as the emulator can check it. moto 5.2 matches EC2, DynamoDB, SSM, KMS and CloudWatch Logs
     * requests against the resource {@code *} and SQS requests against the queue's ARN
     * ({@code moto/core/responses.py call_action}, {@code _determine_resource} of moto/sqs/responses.py), and
     * evaluates no condition of an identity policy ({@code moto/iam/access_control.py}): so every statement's
     * {@code Resource} becomes {@code *}, except on statements of SQS actions alone, which keep their queue ARNs,
     * and its {@code Condition} goes. What the test then proves is that every action a function calls is granted;
     * the resource and condition scoping is checked by {@code TemplateTest}.
     */
    static JsonNode forTheEmulator(JsonNode document) {
        ObjectNode copy = document.deepCopy();
        if (!copy.has("Version")) {
            // The transform writes its inline policies without one, which IAM reads as 2008-10-17; moto takes only
            // 2012-10-17, which reads the same for statements without policy variables, as these are.
            if (copy.toString().contains("${")) {
                throw new IllegalStateException("policy variables in a policy without a Version: " + copy);
            }
            copy.put("Version", "2012-10-17");
        }
        ArrayNode statements = copy.path("Statement").isArray() ? (ArrayNode) copy.path("Statement")
                : copy.putArray("Statement").add(document.path("Statement").deepCopy());
        for (JsonNode s : statements) {
            ObjectNode statement = (ObjectNode) s;
            statement.remove("Condition");
            if (!sqsAlone(statement.path("Action"))) {
                statement.put("Resource", "*");
            }
        }
        return copy;
    }

    private static boolean sqsAlone(JsonNode action) {
        List<String> actions = new ArrayList<>();
        if (action.isArray()) {
            action.forEach(a -> actions.add(a.asText()));
        } else {
            actions.add(action.asText());
        }
        return !actions.isEmpty() && actions.stream().allMatch(a -> a.startsWith("sqs:") && !a.contains("*"));
    }

    private static TemplateRoles run(Map<String, String> parameters) {
        Path root = AwsEmulator.ProjectRoot.find();
        List<String> command = new ArrayList<>(List.of(root.resolve(".venv/bin/python").toString(),
                root.resolve("scripts/resolve-template.py").toString(), "--stack-name", EmulatedStack.STACK,
                "--region", AwsEmulator.REGION, "--account", ACCOUNT));
        parameters.forEach((k, v) -> command.addAll(List.of("--parameter", k + "=" + v)));
        try {
            // The venv comes with the emulator; `setup` is a no-op once it is there.
            Process setup = new ProcessBuilder("bash", root.resolve("scripts/emulator.sh").toString(), "setup")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (setup.waitFor() != 0) {
                throw new IllegalStateException("scripts/emulator.sh setup failed (exit " + setup.exitValue() + ")");
            }
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("scripts/resolve-template.py failed (exit " + p.exitValue() + ")");
            }
            return new TemplateRoles(JSON.readTree(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
        return () -> iterator;
    }
}
