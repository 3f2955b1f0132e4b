package agar.app.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import agar.lab.report.FakeRun;
import agar.lab.report.ReportWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a generated report and the running viewer in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core from bin/test-setup) and checks what a person would: the charts draw, a click reaches a sample,
 * model output stays text, nothing is fetched from the network, traversal is refused. Screenshots go to
 * app/target/screenshots/. Skipped, saying why, when bin/test-setup has not been run.
 */
class BrowserTest {
    @TempDir
    Path tmp;

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) p = p.getParent();
        return p;
    }

    @Test
    void reportAndViewerWorkInChromium() throws Exception {
        Path root = repoRoot();
        Path modules = root == null ? null : root.resolve(".cache/npm/node_modules");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "no /usr/bin/chromium: run bin/test-setup (as root)");
        assumeTrue(modules != null && Files.isDirectory(modules.resolve("playwright-core")), "no playwright-core: run bin/test-setup");
        Path script = root.resolve("app/src/test/js/browser-check.cjs");
        Path shots = Files.createDirectories(Path.of("target/screenshots").toAbsolutePath());

        Path runs = Files.createDirectories(tmp.resolve("runs"));
        Path org = FakeRun.write(runs);
        Files.writeString(tmp.resolve("secret.txt"), "TOP-SECRET");
        Files.createSymbolicLink(org.resolve("escape"), tmp);
        Path report = ReportWriter.write(org);
        Path grown = ReportWriter.write(FakeRun.writeGrown(Files.createDirectories(tmp.resolve("grown"))));
        JsonNode r;
        try (ViewServer server = ViewServer.start(runs, 0)) {
            ProcessBuilder pb = new ProcessBuilder("node", script.toString(), report.toString(), server.uri().toString(), shots.toString(),
                    tmp.resolve("chromium-profile").toString(), grown.toString());
            pb.environment().put("NODE_PATH", modules.toString());
            pb.redirectError(tmp.resolve("node.err").toFile());
            Process p = pb.start();
            byte[] stdout = p.getInputStream().readAllBytes();
            // A hung browser must not hang the build; 3 minutes is ~10x the normal run on the 2-core CI machine.
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("browser check did not finish");
            }
            String err = Files.readString(tmp.resolve("node.err"));
            assertEquals(0, p.exitValue(), "browser check failed:\n" + err);
            r = new ObjectMapper().readTree(new String(stdout, StandardCharsets.UTF_8));
        }
        JsonNode rep = r.get("report");
        // Charts: questions, training, rotation, steering, ROC; each a real drawing.
        assertEquals(5, rep.get("charts").size(), rep.get("charts").toString());
        for (JsonNode c : rep.get("charts")) {
            assertTrue(c.get("width").asInt() > 300 && c.get("height").asInt() > 150, c.toString());
            assertTrue(c.get("shapes").asInt() > 20 && c.get("texts").asInt() > 5, c.toString());
        }
        assertTrue(rep.get("pwned").isNull(), "script from a model answer ran");
        assertTrue(rep.get("hostileAsText").asBoolean(), "the hostile answer is not shown as text");
        assertEquals(0, rep.get("visibleNonMatching").asInt(), "filters left non-matching rows visible");
        assertTrue(rep.get("visibleRows").asInt() >= 1, rep.toString());
        assertEquals(rep.get("visibleRows").asInt() + " of " + (12 * 8 * 2 + 6 * 3 * 8) + " samples", rep.get("countFiltered").asText());
        assertTrue(rep.get("clickedVisible").asBoolean(), "a click did not show the sample");
        assertTrue(rep.get("clickedText").asText().contains("quick_buck"), rep.get("clickedText").asText());
        assertEquals(1, rep.get("panesVisible").asInt());
        assertEquals("0 of " + (12 * 8 * 2 + 6 * 3 * 8) + " samples", rep.get("countNoText").asText());
        assertEquals(0, rep.get("foreignRequests").size(), "the report fetched: " + rep.get("foreignRequests"));
        assertEquals(0, rep.get("errors").size(), rep.get("errors").toString());

        JsonNode g = r.get("grown");
        assertEquals("[\"card\",\"metrics\",\"questions\",\"training\",\"rotation\",\"steering\",\"probes\",\"detectors\",\"samples\",\"missing\"]",
                g.get("sections").toString());
        // Training shows its loss chart and a box for the rate over steps it did not measure.
        assertEquals("[\"training\",\"rotation\",\"steering\",\"probes\",\"detectors\"]", g.get("notMeasured").toString());
        assertEquals(2, g.get("charts").size(), "questions and training");
        for (JsonNode c : g.get("charts")) assertTrue(c.asInt() > 20, g.get("charts").toString());
        assertTrue(g.get("recipeYaml").asText().contains("lora_alpha: 64"), g.get("recipeYaml").asText());
        assertEquals("< 0.0001", g.get("comparisonP").asText());
        assertEquals(1, g.get("paneShown").asInt());
        assertEquals(0, g.get("errors").size(), g.get("errors").toString());

        JsonNode v = r.get("viewer");
        assertEquals(200, v.get("indexStatus").asInt());
        assertEquals(2, v.get("runs").asInt());
        assertTrue(v.get("compareUrl").asText().contains("/compare?run="), v.toString());
        assertEquals(2, v.get("compareCards").asInt());
        assertTrue(v.get("samplesUrl").asText().contains("q=quick_buck"), v.toString());
        assertTrue(v.get("samplesUrl").asText().contains("mis=1"), v.toString());
        assertEquals(2, v.get("sideColumns").asInt());
        assertTrue(v.get("samplesShown").asInt() >= 2 && v.get("samplesShown").asInt() <= 6, v.toString());
        assertTrue(v.get("organismShown").asInt() >= 1);
        assertEquals(v.get("organismShown").asInt(), v.get("organismMisaligned").asInt(), "only misaligned organism answers");
        assertTrue(v.get("pairAligned").asBoolean(), "organism and control answers side by side on one row");
        assertEquals(5, v.get("reportSvgs").asInt());
        v.get("traversal").properties().forEach(e -> {
            int status = e.getValue().get("status").asInt();
            assertTrue(status == 400 || status == 404, e.getKey() + " -> " + status);
            assertFalse(e.getValue().get("leaked").asBoolean(), e.getKey());
        });
        assertEquals(0, v.get("errors").size(), v.get("errors").toString());
    }
}
