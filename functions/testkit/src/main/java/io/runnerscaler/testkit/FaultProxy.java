package io.runnerscaler.testkit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy between the AWS SDK and the emulator that answers chosen calls with the errors real AWS
 * gives (capacity, quota, throttling, 500s, dropped connections), which the emulator never does, and
 * counts the calls that pass. Built on WireMock's proxying; everything not stubbed goes through unchanged.
 *
 * <p>As a JUnit 5 extension in front of the test emulator: started with the class, cleared of faults and
 * counts before each test, stopped after the class.
 * <pre>{@code @RegisterExtension static final FaultProxy proxy = FaultProxy.inFrontOfTheEmulator();}</pre>
 */
public final class FaultProxy implements AutoCloseable, BeforeEachCallback, AfterAllCallback {

    private static final int PASS_THROUGH = 10;
    private static final int FAULT = 1;

    private final WireMockServer server;
    private final URI target;
    private final RandomFaults random = new RandomFaults();

    public FaultProxy(URI target) {
        this.target = target;
        this.server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(random, new AddFleetErrors()));
        server.start();
        passThrough();
    }

    /** A proxy in front of the test emulator ({@link AwsEmulator#endpoint()}), for {@code @RegisterExtension}. */
    public static FaultProxy inFrontOfTheEmulator() {
        return new FaultProxy(AwsEmulator.endpoint());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Point SDK clients here instead of at the emulator. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** Removes every injected fault and forgets counted calls. */
    public void clear() {
        random.rate = 0;
        random.injected.set(0);
        server.resetAll();
        passThrough();
    }

    /**
     * From now on, each call that would pass through fails instead with probability {@code rate}, before
     * reaching the emulator: a third throttled (EC2 RequestLimitExceeded / DynamoDB ThrottlingException /
     * SQS throttling), a third HTTP 500, a third a dropped connection. Seeded, so a failing run repeats.
     */
    public void randomFaults(double rate, long seed) {
        random.reseed(seed);
        random.rate = rate;
    }

    /** How many calls the random faults failed so far. */
    public int injectedFaults() {
        return random.injected.get();
    }

    /**
     * CreateFleet requests for spot answer like EC2 when spot has no capacity: HTTP 200, no instances, and
     * the error in {@code errorSet} (an instant fleet reports per-request errors this way).
     */
    public void spotCapacityError(String code) {
        createFleetAnswer("spot", List.of(), "", List.of(new FleetError(code,
                "There is no Spot capacity available that matches your request.", "m6i.large", "subnet-0a", "spot")));
    }

    /**
     * One error of an instant fleet's answer, for one override, in the shape of the EC2 API's
     * {@code CreateFleetError}: the override's launch template, instance type and subnet, the lifecycle, the code
     * and message.
     */
    public record FleetError(String code, String message, String instanceType, String subnetId, String lifecycle) {
        String xml() {
            return """
                    <item>
                      <launchTemplateAndOverrides>
                        <launchTemplateSpecification>
                          <launchTemplateId>lt-0fault0proxy0000</launchTemplateId>
                          <version>1</version>
                        </launchTemplateSpecification>
                        <overrides>
                          <instanceType>%s</instanceType>
                          <subnetId>%s</subnetId>
                        </overrides>
                      </launchTemplateAndOverrides>
                      <lifecycle>%s</lifecycle>
                      <errorCode>%s</errorCode>
                      <errorMessage>%s</errorMessage>
                    </item>
                    """.formatted(instanceType, subnetId, lifecycle, code, message);
        }
    }

    /**
     * CreateFleet requests for {@code market} ({@code spot} or {@code on-demand}) reach the emulator, which
     * launches them, and its answer gets {@code errors} in its {@code errorSet}: an instant fleet reports every
     * override it could not use, also when others met the capacity.
     */
    public void createFleetErrors(String market, List<FleetError> errors) {
        server.stubFor(ec2("CreateFleet").withRequestBody(containing("DefaultTargetCapacityType=" + market))
                .atPriority(FAULT).willReturn(aResponse().proxiedFrom(target.toString())
                        .withTransformers(AddFleetErrors.NAME).withTransformerParameter("errorSet", errorSet(errors))));
    }

    /**
     * CreateFleet requests for {@code market} are answered here, as EC2 answers a fleet it could fill only in
     * part: {@code launched} instances of {@code instanceType} (ids the emulator does not know; none for a fleet
     * that launched nothing) and {@code errors} for the overrides that failed.
     */
    public void createFleetAnswer(String market, List<String> launched, String instanceType, List<FleetError> errors) {
        String lifecycle = market.equals("spot") ? "<lifecycle>spot</lifecycle>" : "";
        String instances = launched.isEmpty() ? "<fleetInstanceSet/>" : """
                <fleetInstanceSet>
                  <item>
                    <instanceIds>%s</instanceIds>
                    <instanceType>%s</instanceType>
                    %s
                  </item>
                </fleetInstanceSet>
                """.formatted(launched.stream().map(id -> "<item>" + id + "</item>").collect(Collectors.joining()),
                instanceType, lifecycle);
        server.stubFor(ec2("CreateFleet").withRequestBody(containing("DefaultTargetCapacityType=" + market))
                .atPriority(FAULT).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                        .withBody("""
                                <?xml version="1.0" encoding="UTF-8"?>
                                <CreateFleetResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
                                  <requestId>fault-proxy-request</requestId>
                                  <fleetId>fleet-00000000-0000-4000-8000-0000000fault</fleetId>
                                  %s
                                  %s
                                </CreateFleetResponse>
                                """.formatted(errorSet(errors), instances))));
    }

    private static String errorSet(List<FleetError> errors) {
        return "<errorSet>" + errors.stream().map(FleetError::xml).collect(Collectors.joining()) + "</errorSet>";
    }

    /** Adds a recorded {@code errorSet} to the emulator's CreateFleet answer, which never has one. */
    private static final class AddFleetErrors implements ResponseTransformerV2 {
        static final String NAME = "runner-scaler-fleet-errors";

        @Override
        public Response transform(Response response, ServeEvent event) {
            String body = response.getBodyAsString().replaceAll("<errorSet\\s*/>|<errorSet>\\s*</errorSet>", "");
            String errorSet = event.getTransformerParameters().getString("errorSet");
            int end = body.lastIndexOf("</CreateFleetResponse>");
            String rewritten = body.substring(0, end) + errorSet + body.substring(end);
            return Response.Builder.like(response).but().body(rewritten)
                    .headers(new HttpHeaders(new HttpHeader("Content-Type", "text/xml"))).build();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
    }

    /** An EC2 action answers with an EC2 error response ({@code VcpuLimitExceeded}, {@code RequestLimitExceeded} ...). */
    public void ec2Error(String action, int status, String code) {
        server.stubFor(ec2(action).atPriority(FAULT).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "text/xml").withBody("""
                        <?xml version="1.0" encoding="UTF-8"?>
                        <Response><Errors><Error><Code>%s</Code><Message>injected by the fault proxy</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>
                        """.formatted(code))));
    }

    /** An EC2 action answers with this recorded response body (EC2's XML), status 200, instead of the emulator. */
    public void ec2Answer(String action, String xml) {
        server.stubFor(ec2(action).atPriority(FAULT).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/xml").withBody(xml)));
    }

    /** An EC2 action answers with an EC2 error response with its own message, as recorded from EC2. */
    public void ec2Error(String action, int status, String code, String message) {
        server.stubFor(ec2(action).atPriority(FAULT).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "text/xml").withBody("""
                        <?xml version="1.0" encoding="UTF-8"?>
                        <Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>
                        """.formatted(code, message))));
    }

    /** A JSON-protocol call (DynamoDB, SQS, SSM) answers with an error, e.g. throttling or a 500. */
    public void jsonError(String target, int status, String type) {
        server.stubFor(json(target).atPriority(FAULT).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"injected by the fault proxy\"}")));
    }

    /** A JSON-protocol call whose body contains {@code bodyPart} (a table's name, say) answers with an error. */
    public void jsonError(String target, String bodyPart, int status, String type) {
        server.stubFor(json(target).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing(bodyPart))
                .atPriority(FAULT).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"injected by the fault proxy\"}")));
    }

    /**
     * The next {@code times} JSON-protocol calls of {@code target} answer with this status and body (a recorded error
     * shape); the calls after them pass through.
     */
    public void jsonAnswerTimes(String target, int times, int status, String body) {
        String scenario = "answer-" + target + "-" + System.nanoTime();
        for (int i = 0; i < times; i++) {
            server.stubFor(json(target).inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED : "after-" + i)
                    .willSetStateTo("after-" + (i + 1)).atPriority(FAULT).willReturn(aResponse().withStatus(status)
                            .withHeader("Content-Type", "application/x-amz-json-1.0").withBody(body)));
        }
    }

    /** A JSON-protocol call is passed on, but its answer comes only after {@code delay}. */
    public void jsonDelay(String target, java.time.Duration delay) {
        server.stubFor(json(target).atPriority(FAULT).willReturn(aResponse().proxiedFrom(this.target.toString())
                .withFixedDelay((int) delay.toMillis())));
    }

    /** A JSON-protocol call has its connection dropped. */
    public void jsonConnectionReset(String target) {
        server.stubFor(json(target).atPriority(FAULT).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    }

    /** How many EC2 calls of this action passed through (faulted or not). */
    public int ec2Calls(String action) {
        return server.countRequestsMatching(postRequestedFor(anyUrl())
                .withRequestBody(containing("Action=" + action + "&")).build()).getCount();
    }

    /** How many JSON-protocol calls with this X-Amz-Target (e.g. {@code DynamoDB_20120810.PutItem}). */
    public int jsonCalls(String target) {
        return server.countRequestsMatching(postRequestedFor(anyUrl())
                .withHeader("X-Amz-Target", containing(target)).build()).getCount();
    }

    /** The bodies of the EC2 calls of this action, as sent. */
    public java.util.List<String> ec2Bodies(String action) {
        return server.findAll(postRequestedFor(anyUrl()).withRequestBody(containing("Action=" + action + "&")))
                .stream().map(r -> r.getBodyAsString()).toList();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** The WireMock extension behind {@link #randomFaults}. */
    private static final class RandomFaults implements ResponseDefinitionTransformerV2 {
        private volatile double rate;
        private final AtomicInteger injected = new AtomicInteger();
        private SplittableRandom dice = new SplittableRandom(1);

        synchronized void reseed(long seed) {
            dice = new SplittableRandom(seed);
        }

        private synchronized double roll() {
            return dice.nextDouble();
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            ResponseDefinition planned = event.getResponseDefinition();
            if (rate <= 0 || planned.getProxyBaseUrl() == null || event.getRequest().getUrl().startsWith("/moto-api")) {
                return planned;
            }
            double r = roll();
            if (r >= rate) {
                return planned;
            }
            injected.incrementAndGet();
            double kind = r / rate;
            if (kind < 1.0 / 3) {
                return throttled(event);
            }
            if (kind < 2.0 / 3) {
                return new ResponseDefinitionBuilder().withStatus(500).withBody("internal error injected").build();
            }
            return new ResponseDefinitionBuilder().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
        }

        private static ResponseDefinition throttled(ServeEvent event) {
            String amzTarget = event.getRequest().getHeader("X-Amz-Target");
            if (amzTarget == null) {
                return new ResponseDefinitionBuilder().withStatus(503).withHeader("Content-Type", "text/xml")
                        .withBody("<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit "
                                + "exceeded.</Message></Error></Errors><RequestID>fault</RequestID></Response>").build();
            }
            String type = amzTarget.startsWith("DynamoDB") ? "com.amazonaws.dynamodb.v20120810#ThrottlingException"
                    : amzTarget.startsWith("AmazonSQS") ? "com.amazonaws.sqs#ThrottlingException" : "ThrottlingException";
            return new ResponseDefinitionBuilder().withStatus(400)
                    .withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withBody("{\"__type\":\"" + type + "\",\"message\":\"Rate exceeded\"}").build();
        }

        @Override
        public String getName() {
            return "runner-scaler-random-faults";
        }
    }

    private void passThrough() {
        server.stubFor(any(anyUrl()).atPriority(PASS_THROUGH).willReturn(aResponse().proxiedFrom(target.toString())));
    }

    private static MappingBuilder ec2(String action) {
        return post(anyUrl()).withRequestBody(containing("Action=" + action + "&"));
    }

    private static MappingBuilder json(String target) {
        return post(anyUrl()).withHeader("X-Amz-Target", containing(target));
    }
}
