package io.runnerscaler.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.Emulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * JUnit 5 extension that runs a test's functions under the IAM roles infra-sam/template.yaml gives them, on an
 * emulator that enforces IAM ({@link Emulator#iamEndpoint()}, a moto server of its own). Before each test it
 * clears that emulator and, with the few unauthenticated calls it lets through, creates an administrator whose
 * keys set up the stack and check it; each function then gets its role, created from the template's policies
 * after the SAM transform ({@link TemplateRoles}, Resource and Condition rewritten as moto can check them), and
 * assumed through STS. A call the template does not allow fails the test with the role and the action named,
 * even when the function caught the AccessDenied and carried on: the emulator keeps every refusal.
 *
 * <pre>{@code @RegisterExtension static final IamEnforcement iam = new IamEnforcement();}</pre>
 */
final class IamEnforcement implements StackAccess, BeforeEachCallback, AfterEachCallback,
        TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    /** CreateUser, PutUserPolicy, CreateAccessKey: the calls made before any credentials exist. */
    private static final int BOOTSTRAP_CALLS = 3;
    private static final String ADMIN = "runner-scaler-test-admin";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AwsClients admin;
    private IamClient iam;
    private StsClient sts;
    private final Map<StackFunction, AwsClients> functions = new EnumMap<>(StackFunction.class);
    private final Map<String, JsonNode> policies = new HashMap<>();
    private Map<String, String> parameters;

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    /** Clears the emulator, its roles and its record of refused calls, and creates a new administrator. */
    @Override
    public void reset() {
        Emulator.resetIam(BOOTSTRAP_CALLS);
        functions.clear();
        policies.clear();
        parameters = null;
        if (iam != null) {
            iam.close();
            sts.close();
        }
        // Any key signs the bootstrap calls: they pass unchecked. Everything after them is authenticated, so a
        // retried bootstrap call would spend the count: none is retried.
        AccessKey key;
        try (IamClient bootstrap = IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bootstrap", "x")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            bootstrap.createUser(r -> r.userName(ADMIN));
            bootstrap.putUserPolicy(r -> r.userName(ADMIN).policyName("everything").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"));
            key = bootstrap.createAccessKey(r -> r.userName(ADMIN)).accessKey();
        }
        AwsCredentialsProvider keys = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
        admin = AwsClients.create(AwsEmulator.REGION, Optional.of(endpoint()), keys);
        iam = IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(endpoint()).credentialsProvider(keys)
                .httpClient(UrlConnectionHttpClient.create()).build();
        sts = StsClient.builder().region(Region.of(AwsEmulator.REGION)).endpointOverride(endpoint())
                .credentialsProvider(keys).httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Override
    public AwsClients admin() {
        return admin;
    }

    @Override
    public App fullAccess(Settings settings, java.time.Clock clock, java.io.PrintStream out) {
        return new App(settings, clock, out, admin);
    }

    @Override
    public URI endpoint() {
        return Emulator.iamEndpoint();
    }

    @Override
    public synchronized Optional<AwsClients> function(StackFunction function, Map<String, String> templateParameters) {
        if (parameters != null && !parameters.equals(templateParameters)) {
            throw new IllegalStateException("one stack per test: template parameters " + templateParameters
                    + " after " + parameters);
        }
        parameters = templateParameters;
        return Optional.of(functions.computeIfAbsent(function, f -> assume(TemplateRoles.resolve(templateParameters).of(f), f)));
    }

    /** Creates the role with its policies as the emulator checks them, and assumes it as the function would. */
    private AwsClients assume(TemplateRoles.Role role, StackFunction function) {
        String adminArn = iam.getUser(r -> r.userName(ADMIN)).user().arn();
        // In AWS, Lambda assumes the role (its trust policy names lambda.amazonaws.com); here the test does.
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                + adminArn + "\"},\"Action\":\"sts:AssumeRole\"}]}";
        String roleArn = iam.createRole(r -> r.roleName(role.name()).assumeRolePolicyDocument(trust)).role().arn();
        for (TemplateRoles.Policy policy : role.managed()) {
            iam.attachRolePolicy(r -> r.roleName(role.name()).policyArn(managedPolicy(policy)));
        }
        for (TemplateRoles.Policy policy : role.inline()) {
            iam.putRolePolicy(r -> r.roleName(role.name()).policyName(policy.name())
                    .policyDocument(TemplateRoles.forTheEmulator(policy.document()).toString()));
        }
        Credentials session = sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName(function.handler)).credentials();
        return AwsClients.create(AwsEmulator.REGION, Optional.of(endpoint()), StaticCredentialsProvider.create(
                AwsSessionCredentials.create(session.accessKeyId(), session.secretAccessKey(), session.sessionToken())));
    }

    /** A managed policy, created once per test however many roles attach it; its ARN. */
    private String managedPolicy(TemplateRoles.Policy policy) {
        JsonNode document = TemplateRoles.forTheEmulator(policy.document());
        String arn = "arn:aws:iam::" + TemplateRoles.ACCOUNT + ":policy" + policy.path() + policy.name();
        JsonNode existing = policies.putIfAbsent(arn, document);
        if (existing == null) {
            iam.createPolicy(r -> r.policyName(policy.name()).path(policy.path()).policyDocument(document.toString()));
        } else if (!existing.equals(document)) {
            throw new IllegalStateException("two documents for policy " + arn);
        }
        return arn;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> refused = refusedCalls();
        if (!refused.isEmpty()) {
            throw new AssertionError(message(refused));
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withRefusals(failure);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
            throws Throwable {
        throw withRefusals(failure);
    }

    /** The failure, led by the calls IAM refused, which are most likely its cause. */
    Throwable withRefusals(Throwable failure) {
        List<String> refused = refusedCalls();
        if (refused.isEmpty()) {
            return failure;
        }
        return new AssertionError(message(refused) + "\nand the test failed with: " + failure, failure);
    }

    private static String message(List<String> refused) {
        return "infra-sam/template.yaml does not allow what the functions called (after the SAM transform; IAM"
                + " enforced on the emulator):\n  " + String.join("\n  ", refused);
    }

    /** "scale-up (role ScaleUpFunctionRole) was refused ec2:TerminateInstances, 2 times", one line per role and action. */
    private static List<String> refusedCalls() {
        JsonNode denied;
        try {
            denied = JSON.readTree(Emulator.deniedCalls());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (JsonNode call : denied) {
            // arn:aws:sts::<account>:assumed-role/<role>/<session: the function's handler name>
            String[] principal = call.path("principal").asText().split("/");
            String who = principal.length == 3 && principal[0].endsWith(":assumed-role")
                    ? principal[2] + " (role " + principal[1] + ")" : call.path("principal").asText();
            counts.merge(who + " was refused " + call.path("action").asText(), 1, Integer::sum);
        }
        return counts.entrySet().stream().map(e -> e.getKey() + (e.getValue() > 1 ? ", " + e.getValue() + " times" : ""))
                .toList();
    }
}
