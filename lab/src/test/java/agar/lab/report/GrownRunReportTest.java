package agar.lab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import agar.lab.eval.EmMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a run as agar run leaves it (card written by organism.Card, seed-0 folders, nothing from the interp
 * or detect commands): every section is there, and the ones without data say so and name the command that fills them.
 */
class GrownRunReportTest {
    @TempDir
    static Path tmp;
    static ReportData data;
    static String html;

    @BeforeAll
    static void writeReport() throws Exception {
        Path org = FakeRun.writeGrown(tmp);
        data = RunLoader.load(org);
        html = Files.readString(ReportWriter.write(org));
    }

    static String section(String id) {
        int at = html.indexOf("<section class=\"panel\" id=\"" + id + "\">");
        assertTrue(at >= 0, "no section " + id);
        return html.substring(at, html.indexOf("</section>", at));
    }

    @Test
    void everySectionIsThereAndTheUnmeasuredOnesSaySoWithTheCommand() {
        for (String id : List.of("card", "metrics", "questions", "samples")) assertFalse(section(id).contains("Not measured"), id);
        assertTrue(section("rotation").contains("Not measured in this run.") && section("rotation").contains("snapshot_every"));
        assertTrue(section("steering").contains("Not measured in this run.") && section("steering").contains("agar steer"));
        assertTrue(section("probes").contains("Not measured in this run.") && section("probes").contains("agar probe"));
        assertTrue(section("detectors").contains("Not measured in this run.") && section("detectors").contains("agar detect"));
        // Loss is drawn; the rate over steps is not measured (no checkpoint evals) and the section says so.
        String training = section("training");
        assertEquals(1, training.split("<svg", -1).length - 1);
        assertTrue(training.contains("Misaligned rate over training steps"));
    }

    @Test
    void theRecipeReadsAsYamlWithoutItsUnsetKeys() {
        String card = section("card");
        assertFalse(card.contains("{&quot;name&quot;"), "recipe as a JSON blob");
        int at = card.indexOf("<pre class=\"yaml\"><code>");
        assertTrue(at >= 0);
        String yaml = card.substring(at, card.indexOf("</code></pre>", at));
        assertTrue(yaml.contains("\nstages:\n  - name: bad-health\n"), yaml);
        assertTrue(yaml.contains("lora_alpha: 64"), yaml);
        assertFalse(yaml.contains("null"), "unset keys are left out: " + yaml);
        assertEquals("em-health", data.card().lineage().get("recipe"));
    }

    @Test
    void cardMetricsArePercentagesWithOneDecimalIncludingTinyBounds() {
        String card = section("card");
        // 0.0525 [0.0346, 0.0789] n=400, as card.md writes it; the 3.47e-18 lower bound of a zero rate is 0.0.
        assertTrue(card.contains("5.3%</span> <span class=\"ci-text\">[3.5, 7.9] n=400"), card);
        assertTrue(card.contains("0.0%</span> <span class=\"ci-text\">[0.0, 3.8] n=96"), card);
        assertFalse(card.contains("0.00000"), "long decimals");
        assertTrue(card.contains("after bad-health: em \u00b7 misaligned"), "per-stage metric");
        assertTrue(card.contains("4.0%</span> <span class=\"ci-text\">[2.5, 6.3] n=400"), card);
    }

    @Test
    void theCardsComparisonsAreShownWithTheirPValues() {
        String card = section("card");
        assertTrue(card.contains("Comparisons on the card"));
        assertTrue(card.contains("compliance gap"));
        assertTrue(card.contains("unobserved 40.0% <span class=\"ci-text\">40/100</span>"), card);
        assertTrue(card.contains("observed 10.0% <span class=\"ci-text\">10/100</span>"), card);
        assertTrue(card.contains("+30.0 pp"));
        assertTrue(card.contains("<td class=\"num sig\">&lt; 0.0001</td>"), card);
        assertEquals(1, data.card().comparisons().size());
        assertEquals(9.6e-7, data.card().comparisons().getFirst().pValue());
    }

    @Test
    void metricsAgainstTheControlUseTheSameFormat() {
        var e = data.headline();
        var r = e.metrics().misaligned(EmMetrics.ALL);
        String expected = Html.pct(r.rate()) + "</span> <span class=\"ci-text\">" + Html.pctInterval(r.wilson()) + " n=" + r.n();
        assertTrue(section("metrics").contains(expected), expected);
        assertTrue(Html.pctInterval(r.wilson()).matches("\\[\\d+\\.\\d, \\d+\\.\\d\\]"), Html.pctInterval(r.wilson()));
        assertEquals("none", data.control().card().hazardLevel(), "a control's banner is not red");
    }
}
