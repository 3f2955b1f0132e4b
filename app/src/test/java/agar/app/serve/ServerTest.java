package agar.app.serve;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import agar.engine.tokenizer.ChatMessage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Limits, authentication and shutdown, over plain HTTP. Requests that must stay in flight are held by a gate. */
class ServerTest {
    static final String CHAT = "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 4, \"seed\": 1}";
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    /** A codec whose decode (called on the scheduler thread when a row finishes) waits until the gate opens. */
    static final class GatedCodec extends ByteCodecWrapper {
        final CountDownLatch entered = new CountDownLatch(1), gate = new CountDownLatch(1);

        @Override
        public String decode(int[] ids) {
            entered.countDown();
            try {
                if (!gate.await(5, TimeUnit.MINUTES)) throw new IllegalStateException("gate never opened");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return bytes.decode(ids);
        }
    }

    static List<Organism> gated(GatedCodec codec) {
        BaseModel b = RandomModels.load(Fixture.BASE);
        return List.of(new Organism("tiny", new BaseModel(b.source(), b.weights(), codec, b.maxContext()), null, null, "none", 1));
    }

    HttpResponse<String> post(Server s, String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(Server s, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).GET();
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode error(HttpResponse<String> r, int status, String code) throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode e = OpenAi.JSON.readTree(r.body()).get("error");
        for (String f : List.of("message", "type", "param", "code")) assertTrue(e.has(f), f + " in " + r.body());
        if (code != null) assertEquals(code, e.get("code").asText(), r.body());
        return e;
    }

    @Test
    void overCapacityGets429WithRetryAfterWhileTheFirstRequestStillSucceeds() throws Exception {
        GatedCodec codec = new GatedCodec();
        try (Server s = Server.start(Fixture.options().withLimits(1, Duration.ofSeconds(120), 64 << 10), gated(codec), l -> {})) {
            CompletableFuture<HttpResponse<String>> first = http.sendAsync(HttpRequest.newBuilder(
                    URI.create(s.baseUrl() + "/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(codec.entered.await(5, TimeUnit.MINUTES));
            HttpResponse<String> second = post(s, "/v1/chat/completions", CHAT);
            JsonNode e = error(second, 429, "rate_limit_exceeded");
            assertEquals("rate_limit_error", e.get("type").asText());
            assertEquals("1", second.headers().firstValue("Retry-After").orElseThrow());
            codec.gate.countDown();
            HttpResponse<String> r = first.get(5, TimeUnit.MINUTES);
            assertEquals(200, r.statusCode());
            assertEquals("none", r.headers().firstValue(Server.HAZARD_HEADER).orElseThrow());
            assertEquals(200, post(s, "/v1/chat/completions", CHAT).statusCode(), "capacity is given back");
        }
    }

    @Test
    void aRequestOverTheTimeLimitGets504AndTheServerGoesOn() throws Exception {
        GatedCodec codec = new GatedCodec();
        try (Server s = Server.start(Fixture.options().withLimits(4, Duration.ofMillis(50), 64 << 10), gated(codec), l -> {})) {
            error(post(s, "/v1/chat/completions", CHAT), 504, "timeout"); // cannot finish: the gate is shut
            codec.gate.countDown();
            HttpResponse<String> stream = post(s, "/v1/chat/completions", CHAT.replace("}]", "}], \"stream\": true"));
            assertEquals(200, stream.statusCode()); // may still time out in-band on a slow machine, but must end cleanly
            assertTrue(stream.body().endsWith("data: [DONE]\n\n") || stream.body().contains("\"timeout\""), stream.body());
        }
    }

    @Test
    void shutdownDrainsRequestsInFlight() throws Exception {
        GatedCodec codec = new GatedCodec();
        Server s = Server.start(Fixture.options(), gated(codec), l -> {});
        int port = s.port();
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(HttpRequest.newBuilder(
                URI.create(s.baseUrl() + "/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(codec.entered.await(5, TimeUnit.MINUTES));
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                s.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // Wait until the listener is closed (new connections refused), then let the request finish.
        HttpClient fresh = HttpClient.newHttpClient();
        for (int i = 0; ; i++) {
            try {
                fresh.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                break;
            }
            assertTrue(i < 100_000, "the listener never closed");
            Thread.onSpinWait();
        }
        codec.gate.countDown();
        HttpResponse<String> r = inFlight.get(5, TimeUnit.MINUTES);
        assertEquals(200, r.statusCode());
        assertEquals("chat.completion", OpenAi.JSON.readTree(r.body()).get("object").asText());
        closer.join();
    }

    @Test
    void bodyLimitsMethodsPathsAndContextLength() throws Exception {
        try (Server s = Server.start(Fixture.options(), Fixture.organisms(), l -> {})) {
            String big = "{\"model\": \"tiny\", \"prompt\": \"" + "x".repeat(70 << 10) + "\"}";
            error(post(s, "/v1/completions", big), 413, "request_too_large");
            HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/completions"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))).build(),
                    HttpResponse.BodyHandlers.ofString());
            error(chunked, 413, "request_too_large");
            error(get(s, "/v1/chat/completions"), 405, "method_not_allowed");
            error(get(s, "/v2/everything"), 404, "unknown_url");
            error(get(s, "/v1/models/nobody"), 404, "model_not_found");
            JsonNode ctx = error(post(s, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 5000}"), 400, "context_length_exceeded");
            assertEquals("max_tokens", ctx.get("param").asText());
            assertEquals("n", error(post(s, "/v1/chat/completions", CHAT.replace("\"seed\"", "\"n\": 9, \"seed\"")), 400, null).get("param").asText());
            assertEquals(200, post(s, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"hi\", \"max_tokens\": 2}").statusCode());
            HttpResponse<String> card = get(s, "/v1/models/tiny-em");
            assertEquals("emergent-misalignment", card.headers().firstValue(Server.HAZARD_HEADER).orElseThrow());
        }
    }

    @Test
    void aKeyIsRequiredWhenSetAndForAnyNonLoopbackAddress() throws Exception {
        String key = "sk-abc123-secret";
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try (Server s = Server.start(Fixture.options().withApiKey(key), Fixture.organisms(), log::add)) {
            error(get(s, "/v1/models"), 401, "invalid_api_key");
            error(get(s, "/v1/models", "Authorization", "Bearer sk-abc123-secreT"), 401, "invalid_api_key");
            error(post(s, "/v1/chat/completions", CHAT, "Authorization", key), 401, "invalid_api_key");
            assertEquals(200, get(s, "/v1/models", "Authorization", "Bearer " + key).statusCode());
            assertEquals(200, post(s, "/v1/chat/completions", CHAT, "Authorization", "bearer " + key).statusCode());
            assertEquals(200, get(s, "/health").statusCode(), "health checks need no key");
        }
        assertEquals(6, log.size());
        for (String line : log) assertFalse(line.contains("abc123"), line);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ServeOptions("0.0.0.0", 0, 8,
                Duration.ZERO, 8, 8, 1024, Duration.ofSeconds(1), 8, 8, Duration.ofSeconds(1), null));
        assertTrue(e.getMessage().contains("--api-key-env"), e.getMessage());
        ServeOptions open = new ServeOptions("0.0.0.0", 0, 8, Duration.ZERO, 8, 8, 1024, Duration.ofSeconds(1), 8, 8,
                Duration.ofSeconds(1), key);
        assertFalse(open.toString().contains(key));
        assertNull(ServeOptions.defaults().apiKey());
        assertTrue(ServeOptions.isLoopback("127.0.0.1") && ServeOptions.isLoopback("::1") && !ServeOptions.isLoopback("0.0.0.0"));
    }

    @Test
    void chatPromptsAreRenderedByTheModelsTemplate() {
        ByteCodec c = new ByteCodec();
        int[] ids = c.encode(c.chatPrompt(List.of(new ChatMessage("user", "é<|x"))));
        assertEquals(ByteCodec.IM_START, ids[0]);
        assertEquals(ByteCodec.IM_START, ids[ids.length - "assistant\n".length() - 1]);
        assertEquals("user\né<|x\nassistant\n", c.decode(ids));
    }
}
