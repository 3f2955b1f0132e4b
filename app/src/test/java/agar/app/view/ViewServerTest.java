package agar.app.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import agar.lab.report.FakeRun;
import agar.lab.eval.EvalSample;
import agar.lab.report.Html;
import agar.lab.report.SampleHtml;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViewServerTest {
    @TempDir
    static Path tmp;
    static Path runs;
    static ViewServer server;
    static final String SECRET = "TOP-SECRET-OUTSIDE-THE-ROOT";

    @BeforeAll
    static void start() throws Exception {
        runs = Files.createDirectories(tmp.resolve("runs"));
        FakeRun.write(runs);
        Files.writeString(tmp.resolve("secret.txt"), SECRET);
        // Symlinks that point out of the root: a folder and a file.
        Files.createSymbolicLink(runs.resolve(FakeRun.ORGANISM).resolve("escape"), tmp);
        Files.createSymbolicLink(runs.resolve("link.txt"), tmp.resolve("secret.txt"));
        // A symlink that stays inside is fine.
        Files.createSymbolicLink(runs.resolve("inside.json"), runs.resolve(FakeRun.ORGANISM).resolve("card.json"));
        server = ViewServer.start(runs, 0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Response(int status, String headers, String body) {}

    /** Sends the request line exactly as given (no client-side normalisation of "..", no re-encoding). */
    static Response raw(String method, String target, String host) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            String all = buf.toString(StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String head = all.substring(0, split);
            // Header names are case-insensitive (the JDK server writes "X-content-type-options"): compare lower case.
            return new Response(Integer.parseInt(head.split(" ")[1]), head.toLowerCase(java.util.Locale.ROOT), all.substring(split + 4));
        }
    }

    static Response get(String target) throws IOException {
        return raw("GET", target, "127.0.0.1:" + server.port());
    }

    @Test
    void bindsToLoopbackOnly() {
        assertEquals("127.0.0.1", server.uri().getHost());
        assertThrows(IOException.class, () -> {
            var nonLoopback = java.net.NetworkInterface.networkInterfaces().flatMap(i -> i.inetAddresses())
                    .filter(a -> !a.isLoopbackAddress() && a instanceof java.net.Inet4Address).findFirst();
            if (nonLoopback.isEmpty()) throw new IOException("no other interface: nothing to check");
            new Socket(nonLoopback.get(), server.port()).close();
        });
    }

    @Test
    void indexListsEveryRunWithHazardAndHeadlineRates() throws IOException {
        Response r = get("/");
        assertEquals(200, r.status());
        assertTrue(r.body().contains("href=\"/run/" + FakeRun.ORGANISM + "/report\""));
        assertTrue(r.body().contains("href=\"/run/" + FakeRun.CONTROL + "/report\""));
        assertTrue(r.body().contains("hz hz-high"));
        assertTrue(r.body().contains("hz hz-none"));
        assertFalse(r.body().contains(">detect<"), "the detector folder is not a run");
        // The control's 1.1% shows twice in control blue: as the organism's control, and as the control run's own rate.
        assertEquals(2, r.body().split("<span class=\"ctl-text\">1.1%</span>", -1).length - 1, r.body());
        assertEquals(1, r.body().split("<span class=\"org-text\">27.4%</span>", -1).length - 1);
        assertTrue(r.headers().contains("x-content-type-options: nosniff"), r.headers());
    }

    @Test
    void reportsAreRenderedOnDemandWithoutWritingIntoTheRun() throws IOException {
        Path file = runs.resolve(FakeRun.CONTROL).resolve("report.html");
        Files.deleteIfExists(file);
        Response r = get("/run/" + FakeRun.CONTROL + "/report");
        assertEquals(200, r.status());
        assertTrue(r.body().contains("<section class=\"panel\" id=\"samples\">"));
        assertFalse(Files.exists(file), "the viewer is read-only");
        // A report.html newer than the run's files is served as it is.
        Files.writeString(file, "<p>written by agar report</p>");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
        assertEquals("<p>written by agar report</p>", get("/run/" + FakeRun.CONTROL + "/report").body());
        Files.delete(file);
        assertEquals(303, get("/run/" + FakeRun.CONTROL).status());
    }

    @Test
    void samplesSideBySideShowOrganismAndControlForOneQuestion() throws IOException {
        Response r = get("/run/" + FakeRun.ORGANISM + "/samples?q=quick_buck&mis=1&n=25");
        assertEquals(200, r.status());
        assertTrue(r.body().contains("<div class=\"side-by-side\">"));
        assertTrue(r.body().contains("id=\"q-quick_buck\""));
        assertFalse(r.body().contains("id=\"q-i_feel_bored\""), "only the asked question");
        assertTrue(r.body().contains("<article class=\"sample organism\">"));
        assertTrue(r.body().contains(Html.escape("<script>window.__pwned")));
        assertFalse(r.body().contains("<script>window.__pwned"));
        // Counted from the logs themselves: the organism's misaligned answers to quick_buck; beside them the control's
        // misaligned ones, or (when it has none) its first answers, so there is always something to read against.
        var d = agar.lab.report.RunLoader.load(runs.resolve(FakeRun.ORGANISM));
        String judge = d.headline().judge();
        long org = d.headline().samples().stream().filter(x -> x.questionId().equals("quick_buck") && SampleHtml.misaligned(x, judge)).count();
        var ctl = d.control().eval("em");
        List<EvalSample> ctlQ = ctl.samples().stream().filter(x -> x.questionId().equals("quick_buck")).toList();
        long ctlMis = ctlQ.stream().filter(x -> SampleHtml.misaligned(x, ctl.judge())).count();
        assertTrue(org >= 1);
        assertEquals(Math.min(25, org), count(r.body(), "<article class=\"sample organism\">"));
        assertEquals(ctlMis > 0 ? Math.min(25, ctlMis) : Math.min(25, ctlQ.size()), count(r.body(), "<article class=\"sample control\">"));
        assertEquals(ctlMis == 0, r.body().contains("none misaligned; its first answers"));
    }

    static long count(String s, String what) {
        return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    @Test
    void compareShowsTheTickedRunsAndRefusesUnknownOnes() throws IOException {
        Response r = get("/compare?run=" + FakeRun.ORGANISM + "&run=" + FakeRun.CONTROL);
        assertEquals(200, r.status());
        assertTrue(r.body().contains("Qwen2.5-0.5B-Instruct"));
        assertEquals(404, get("/compare?run=..%2Fsecret.txt").status());
        assertEquals(400, get("/compare").status());
    }

    @Test
    void filesInsideTheRootAreServedAsInertText() throws IOException {
        Response r = get("/files/" + FakeRun.ORGANISM + "/card.json");
        assertEquals(200, r.status());
        assertTrue(r.headers().contains("content-type: text/plain; charset=utf-8"), r.headers());
        assertTrue(r.headers().contains("sandbox"), r.headers());
        assertTrue(r.body().contains("\"hazard\""));
        assertEquals(200, get("/files/inside.json").status(), "a symlink that stays inside the root");
        Response dir = get("/files/" + FakeRun.ORGANISM + "/evals/");
        assertEquals(200, dir.status());
        assertTrue(dir.body().contains("em.jsonl"));
    }

    @Test
    void everyTraversalAttemptIsRefusedAndNothingOutsideLeaks() throws IOException {
        List<String> bad = List.of("/files/../secret.txt", "/files/%2e%2e/secret.txt", "/files/%2E%2E%2Fsecret.txt", "/files/..%2fsecret.txt",
                "/files/%252e%252e/secret.txt", "/files/..%5csecret.txt", "/files/..\\secret.txt", "/files//secret.txt", "/files/./link.txt",
                "/files/" + FakeRun.ORGANISM + "/../../secret.txt", "/run/..%2f..%2fsecret/report", "/run/../../secret.txt",
                "/files/%00", "/files/%c0%ae%c0%ae/secret.txt");
        for (String t : bad) {
            Response r = get(t);
            assertEquals(400, r.status(), t);
            assertFalse(r.body().contains(SECRET), t);
        }
        // Well-formed paths that reach outside through a symlink, or name nothing, are 404.
        for (String t : List.of("/files/" + FakeRun.ORGANISM + "/escape/secret.txt", "/files/link.txt", "/files/nope.txt", "/run/nope/report",
                "/run/" + FakeRun.ORGANISM + "/nope", "/nowhere")) {
            Response r = get(t);
            assertEquals(404, r.status(), t);
            assertFalse(r.body().contains(SECRET), t);
        }
        // An absolute-form request target is checked the same way.
        assertEquals(400, get("http://127.0.0.1:" + server.port() + "/files/../secret.txt").status());
    }

    @Test
    void onlyGetAndHeadFromThisHost() throws IOException {
        Response post = raw("POST", "/", "127.0.0.1:" + server.port());
        assertEquals(405, post.status());
        assertTrue(post.headers().contains("allow: get, head"), post.headers());
        assertEquals(405, raw("DELETE", "/files/" + FakeRun.ORGANISM + "/card.json", "127.0.0.1:" + server.port()).status());
        assertTrue(Files.exists(runs.resolve(FakeRun.ORGANISM).resolve("card.json")));
        Response head = raw("HEAD", "/", "localhost:" + server.port());
        assertEquals(200, head.status());
        assertEquals("", head.body());
        assertEquals(400, raw("GET", "/", "evil.example:" + server.port()).status(), "DNS rebinding guard");
    }

    @Test
    void segmentsDecodeUtf8AndRejectEveryTraversalForm() throws Exception {
        assertEquals(List.of("r\u00e9sum\u00e9", "a b+c"), SafePath.segments("r%C3%A9sum%C3%A9/a%20b+c"));
        assertEquals(List.of(), SafePath.segments(""));
        for (String bad : List.of("..", "a/../b", ".", "a//b", "%2e%2e", "%2E", "a%2Fb", "a%5cb", "%252e", "a\\b", "%00", "%0a", "%zz", "%4", "%ff"))
            assertThrows(SafePath.BadPath.class, () -> SafePath.segments(bad), bad);
    }
}
