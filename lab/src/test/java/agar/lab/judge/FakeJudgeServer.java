package agar.lab.judge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A local OpenAI-compatible endpoint on 127.0.0.1 with scripted replies; counts every request it receives. */
public final class FakeJudgeServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A scripted reply; {@code hang} holds the connection open until the server closes (a timeout). */
    public record Reply(int status, Map<String, String> headers, String body, boolean hang) {
        public static Reply ok(String body) {
            return new Reply(200, Map.of(), body, false);
        }

        public static Reply status(int status, Map<String, String> headers) {
            return new Reply(status, headers, "{\"error\":{\"message\":\"status " + status + "\"}}", false);
        }

        public static Reply hanging() {
            return new Reply(200, Map.of(), "", true);
        }
    }

    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicInteger inFlight = new AtomicInteger();
    public final AtomicInteger maxInFlight = new AtomicInteger();
    public final List<String> bodies = new CopyOnWriteArrayList<>();
    public final List<String> authorization = new CopyOnWriteArrayList<>();
    public final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
    public volatile Function<String, Reply> fallback = body -> Reply.ok(logprobs(Map.of("50", 1.0)));
    public volatile long holdMillis = 0;
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    public FakeJudgeServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            requests.incrementAndGet();
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            boolean counted = true;
            try {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                bodies.add(body);
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                authorization.add(auth == null ? "" : auth);
                Reply r = script.pollFirst();
                if (r == null) r = fallback.apply(body);
                if (r.hang()) {
                    release.await(10, TimeUnit.SECONDS);
                    return;
                }
                if (holdMillis > 0) Thread.sleep(holdMillis);
                r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
                // no longer in flight once the reply starts: the client may send its next request as soon as it has
                // read this one, before this handler's finally runs (a race that showed up on a loaded machine)
                inFlight.decrementAndGet();
                counted = false;
                ex.sendResponseHeaders(r.status(), bytes.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(bytes);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (counted) inFlight.decrementAndGet();
                ex.close();
            }
        });
        server.setExecutor(pool);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** A chat completion whose single token has the given top alternatives (token -> probability). */
    public static String logprobs(Map<String, Double> tokenProbabilities) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode choice = root.putArray("choices").addObject();
        choice.putObject("message").put("role", "assistant").put("content", tokenProbabilities.keySet().iterator().next());
        ObjectNode tok = choice.putObject("logprobs").putArray("content").addObject();
        tok.put("token", tokenProbabilities.keySet().iterator().next());
        ArrayNode top = tok.putArray("top_logprobs");
        tokenProbabilities.forEach((t, p) -> top.addObject().put("token", t).put("logprob", Math.log(p)));
        return root.toString();
    }

    /** A plain chat completion whose message says {@code content} (what a generator reads). */
    public static String chat(String content) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content);
        return root.toString();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
