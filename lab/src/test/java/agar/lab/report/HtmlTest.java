package agar.lab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class HtmlTest {

    @Test
    void escapesTheFiveMarkupCharacters() {
        assertEquals("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;amp; &quot;q&quot;",
                Html.escape("<script>alert('x')</script> &amp; \"q\""));
    }

    @Test
    void keepsTextThatNeedsNoEscapingAndNullIsEmpty() {
        assertEquals("plain text, tabs\tand\nnewlines \u00e9 \u4e2d \uD83D\uDE00", Html.escape("plain text, tabs\tand\nnewlines \u00e9 \u4e2d \uD83D\uDE00"));
        assertEquals("", Html.escape(null));
    }

    @Test
    void replacesControlCharactersAndLoneSurrogates() {
        // NUL, ESC, DEL, a C1 control, a lone high and a lone low surrogate: none may reach the page.
        assertEquals("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFD", Html.escape("a\u0000b\u001bc\u007fd\u0085e\uD800f\uDC00"));
    }

    @Test
    void escapedTextCannotOpenATagOrLeaveAnAttribute() {
        String hostile = FakeRun.HOSTILE_ANSWER;
        String e = Html.escape(hostile);
        assertFalse(e.contains("<"), e);
        assertFalse(e.contains(">"), e);
        assertFalse(e.contains("\""), e);
        assertFalse(e.contains("'"), e);
        // Every '&' in the output starts one of our entities, so the browser decodes exactly the original text.
        assertEquals(hostile, e.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&"));
    }

    @Test
    void scriptJsonCannotCloseTheScriptElementAndParsesToTheSameValue() throws Exception {
        ObjectMapper m = new ObjectMapper();
        String json = m.writeValueAsString(java.util.Map.of("a", "</script><!-- \u2028"));
        String safe = Html.scriptJson(json);
        assertFalse(safe.contains("<"), safe);
        assertFalse(safe.contains("\u2028"), safe);
        assertEquals(m.readTree(json), m.readTree(safe));
    }

    @Test
    void markdownEscapesFirstThenFormats() {
        String html = Html.markdown("""
                # Title <b>x</b>
                Some **bold**, *it* and `code <i>`; 2 * 3 * 4.
                continued line

                - item <script>alert(1)</script>
                - second
                ```
                <raw> & stays text
                ```
                """);
        assertEquals("""
                <h3>Title &lt;b&gt;x&lt;/b&gt;</h3>
                <p>Some <strong>bold</strong>, <em>it</em> and <code>code &lt;i&gt;</code>; 2 * 3 * 4. continued line</p>
                <ul>
                <li>item &lt;script&gt;alert(1)&lt;/script&gt;</li>
                <li>second</li>
                </ul>
                <pre><code>&lt;raw&gt; &amp; stays text
                </code></pre>
                """, html);
    }

    @Test
    void formatsNumbers() {
        assertEquals("12.5%", Html.pct(0.125));
        assertEquals("n/a", Html.pct(Double.NaN));
        assertEquals("0.8731", Html.num(0.87312, 4));
        assertEquals("180", Html.num(180, 4));
        assertEquals("a-b-c_1", Html.token("a b<c_1"));
        assertTrue(Html.token("").length() > 0);
    }

    @Test
    void formatsRatesAndIntervalsTheWayCardsDo() {
        var w = new agar.lab.stats.Interval(0.0525, 0.0345915283579204, 0.07892197507127498);
        assertEquals("5.3% [3.5, 7.9]", Html.pctWithInterval(w)); // card.md prints the same
        assertEquals("[0.0, 3.8]", Html.pctInterval(new agar.lab.stats.Interval(0, 3.469446951953614E-18, 0.0384755878576757)));
        assertEquals("0.0%", Html.pct(-1e-9), "no negative zero");
        assertEquals("", Html.pctInterval(new agar.lab.stats.Interval(0.5, Double.NaN, Double.NaN)));
        assertEquals("50.0%", Html.pctWithInterval(new agar.lab.stats.Interval(0.5, Double.NaN, Double.NaN)));
        assertEquals("3.469e-18", Html.num(3.469446951953614E-18, 4), "tiny values in scientific notation, not 18 zeros");
        assertEquals("&lt; 0.0001", Html.pValue(9.6e-7));
        assertEquals("0.0312", Html.pValue(0.03124));
    }

    @Test
    void markdownTablesAndQuotesAsCardMdWritesThem() {
        String html = Html.markdown("> **Hazard:** <b>x</b>\n\n| eval | misaligned |\n|---|---|\n| em | 5.3% [3.5, 7.9] |\n\nafter");
        assertEquals("""
                <blockquote><strong>Hazard:</strong> &lt;b&gt;x&lt;/b&gt;</blockquote>
                <table class="data"><thead><tr><th>eval</th><th>misaligned</th></tr></thead><tr><td>em</td><td>5.3% [3.5, 7.9]</td></tr></table>
                <p>after</p>
                """, html);
    }
}
