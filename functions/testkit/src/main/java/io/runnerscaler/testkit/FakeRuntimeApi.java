package io.runnerscaler.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The part of the Lambda Runtime API (version 2018-06-01) a runtime uses to take one event and answer it:
 * {@code GET /runtime/invocation/next} hands out the armed event once (with the request id, deadline and
 * function ARN headers), {@code POST /runtime/invocation/{id}/response} and {@code .../error} record the
 * answer, {@code POST /runtime/init/error} records a failed init. Later polls are held open, as Lambda holds
 * them while no event is waiting, until the invocation is released. A SnapStart runtime asks
 * {@code GET /runtime/restore/next} after its {@code beforeCheckpoint} hooks ran (where Lambda takes the snapshot):
 * {@link Invocation#restoreRequested} completes then, before the answer, so what it runs sees the moment of the
 * snapshot. The cold-start benchmark and the SnapStart init test run the packaged functions against it.
 *
 * <p>Each armed event is served on a port of its own: a poll the previous runtime sent just before it was ended
 * can still be in the server's queue, and on a shared port it would take the next run's event.
 */
public final class FakeRuntimeApi implements AutoCloseable {

    private static final String PREFIX = "/2018-06-01/runtime/";

    private volatile HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-runtime-api");
        t.setDaemon(true);
        return t;
    });
    private volatile Invocation current;

    /** What the runtime did with one armed event; times are {@link System#nanoTime()}. */
    public static final class Invocation {
        final String requestId = UUID.randomUUID().toString();
        final String functionArn;
        final byte[] event;
        public final CompletableFuture<Long> firstPoll = new CompletableFuture<>();
        public final CompletableFuture<Answer> answer = new CompletableFuture<>();
        /** When a SnapStart runtime asked to be restored; what depends on it runs before the runtime is answered. */
        public final CompletableFuture<Long> restoreRequested = new CompletableFuture<>();
        private final CompletableFuture<Void> released = new CompletableFuture<>();
        private final AtomicBoolean handedOut = new AtomicBoolean();

        Invocation(String functionArn, byte[] event) {
            this.functionArn = functionArn;
            this.event = event;
        }

        /** Lets held polls return, once the process is gone. */
        public void release() {
            released.complete(null);
        }
    }

    /** The runtime's answer: a response or an error, and when it arrived. */
    public record Answer(long nanos, boolean error, String body) {
    }

    public FakeRuntimeApi() throws IOException {
        server = start(null);
    }

    /** A server whose every request is about this invocation alone. */
    private HttpServer start(Invocation invocation) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.setExecutor(threads);
        s.createContext(PREFIX, exchange -> handle(exchange, invocation));
        s.start();
        return s;
    }

    /** The value for AWS_LAMBDA_RUNTIME_API: the port of the event armed last. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next poll on the new {@link #address()} gets this event. */
    public Invocation arm(String functionArn, byte[] event) throws IOException {
        Invocation i = new Invocation(functionArn, event);
        Invocation before = current;
        HttpServer old = server;
        server = start(i);
        current = i;
        if (before != null) {
            before.release();
        }
        old.stop(0);
        return i;
    }

    private void handle(HttpExchange exchange, Invocation i) throws IOException {
        long now = System.nanoTime();
        String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("GET") && path.equals("invocation/next")) {
                next(exchange, i, now);
            } else if (exchange.getRequestMethod().equals("GET") && path.equals("restore/next")) {
                if (i != null) {
                    i.restoreRequested.complete(now);
                }
                send(exchange, 200, new byte[0]);
            } else if (path.equals("init/error") || path.equals("restore/error")) {
                if (i != null) {
                    i.answer.complete(new Answer(now, true, (path.equals("init/error") ? "init error: "
                            : "restore error: ") + new String(body, StandardCharsets.UTF_8)));
                }
                send(exchange, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
            } else if (i != null && path.equals("invocation/" + i.requestId + "/response")) {
                i.answer.complete(new Answer(now, false, new String(body, StandardCharsets.UTF_8)));
                send(exchange, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
            } else if (i != null && path.equals("invocation/" + i.requestId + "/error")) {
                i.answer.complete(new Answer(now, true, new String(body, StandardCharsets.UTF_8)));
                send(exchange, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
            } else {
                send(exchange, 404, "{\"errorMessage\":\"unknown path\"}".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void next(HttpExchange exchange, Invocation i, long now) throws IOException {
        if (i == null || !i.handedOut.compareAndSet(false, true)) {
            // No event waiting: hold the poll, as Lambda does, until this run is over.
            if (i != null) {
                i.released.completeOnTimeout(null, 120, TimeUnit.SECONDS).join();
            }
            send(exchange, 500, "{\"errorMessage\":\"no more events\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        i.firstPoll.complete(now);
        var h = exchange.getResponseHeaders();
        h.add("Content-Type", "application/json");
        h.add("Lambda-Runtime-Aws-Request-Id", i.requestId);
        h.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
        h.add("Lambda-Runtime-Invoked-Function-Arn", i.functionArn);
        h.add("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=0");
        send(exchange, 200, i.event);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException gone) {
            // the runtime's process was ended while we answered a held poll
        }
    }

    @Override
    public void close() {
        Invocation i = current;
        if (i != null) {
            i.release();
        }
        server.stop(0);
        threads.shutdownNow();
    }
}
