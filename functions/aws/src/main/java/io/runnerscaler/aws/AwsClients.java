package io.runnerscaler.aws;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Builds the SDK clients once per process, with the lightest HTTP client (URLConnection) and the SDK's
 * {@code standard} retry mode (exponential backoff with jitter, throttling and 5xx retried, client errors
 * not). With an endpoint override (the moto emulator, LocalStack) the clients use static dummy credentials
 * unless given others (the IAM-enforcing emulator's tests give each function its role's); the same code runs
 * against AWS with the SDK's default credentials.
 *
 * <p>What the moto server needs: nothing beyond endpoint, region and credentials for EC2, SQS (JSON
 * protocol), DynamoDB and SSM; the client-side checksum settings of recent SDKs only matter for S3.
 * CloudWatch metrics go out as Embedded Metric Format log lines, so no CloudWatch client is built.
 */
public final class AwsClients {

    private final Region region;
    private final Optional<URI> endpoint;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final Supplier<Ec2Client> ec2;
    private final Supplier<SqsClient> sqs;
    private final Supplier<DynamoDbClient> dynamo;
    private final Supplier<SsmClient> ssm;

    private final List<ExecutionInterceptor> interceptors;
    private final Duration callTimeout;

    private AwsClients(Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
                       List<ExecutionInterceptor> interceptors, Duration callTimeout) {
        this.interceptors = List.copyOf(interceptors);
        this.callTimeout = callTimeout;
        this.region = region;
        this.endpoint = endpoint;
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                // A call allowed longer than the default may wait as long for each answer.
                .socketTimeout(callTimeout.compareTo(CALL_TIMEOUT) > 0 ? callTimeout : Duration.ofSeconds(10))
                .build();
        this.credentials = credentials;
        this.ec2 = memo(() -> configure(Ec2Client.builder()).build());
        this.sqs = memo(() -> configure(SqsClient.builder()).build());
        this.dynamo = memo(() -> configure(DynamoDbClient.builder()).build());
        this.ssm = memo(() -> configure(SsmClient.builder()).build());
    }

    /** Clients for AWS itself (endpoint empty) or an emulator. */
    public static AwsClients create(String region, Optional<URI> endpoint) {
        return create(region, endpoint, endpoint.isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))
                : DefaultCredentialsProvider.builder().build());
    }

    /** Clients that sign with these credentials (a role's session on an emulator that enforces IAM ...). */
    public static AwsClients create(String region, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
        return new AwsClients(Region.of(region), endpoint, credentials, List.of(), CALL_TIMEOUT);
    }

    /**
     * Clients for an emulator whose every call also passes these interceptors (benchmarks count what calls read) and
     * may take up to {@code callTimeout} (moto lists thousands of instances in tens of seconds).
     */
    public static AwsClients create(String region, URI endpoint, List<ExecutionInterceptor> interceptors,
                                    Duration callTimeout) {
        return new AwsClients(Region.of(region), Optional.of(endpoint),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")), interceptors,
                callTimeout);
    }

    /** How long one call may take, its retries included. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    public Ec2Client ec2() {
        return ec2.get();
    }

    public SqsClient sqs() {
        return sqs.get();
    }

    public DynamoDbClient dynamo() {
        return dynamo.get();
    }

    public SsmClient ssm() {
        return ssm.get();
    }

    public Optional<URI> endpoint() {
        return endpoint;
    }

    private <B extends AwsClientBuilder<B, ?> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>>
            B configure(B builder) {
        builder.region(region)
                .credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .apiCallTimeout(callTimeout)
                        .executionInterceptors(interceptors)
                        .build());
        endpoint.ifPresent(builder::endpointOverride);
        return builder;
    }

    private static <T> Supplier<T> memo(Supplier<T> make) {
        return new Supplier<>() {
            private volatile T value;

            @Override
            public T get() {
                T v = value;
                if (v == null) {
                    synchronized (this) {
                        v = value;
                        if (v == null) {
                            v = make.get();
                            value = v;
                        }
                    }
                }
                return v;
            }
        };
    }
}
