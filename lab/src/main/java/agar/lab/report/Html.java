package agar.lab.report;

import agar.lab.stats.Interval;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Escaping for text that goes into HTML. Everything read from a run (answers are model output, questions and card
 * fields are files anyone could have written) passes through here: it must never become markup or script.
 */
public final class Html {
    private Html() {}

    /**
     * Escapes text for element content and for quoted attribute values: &amp; &lt; &gt; &quot; &#39; become
     * entities; control characters other than tab/newline/carriage return, and lone surrogates, become U+FFFD
     * (HTML forbids them, and browsers differ on what they do with them).
     */
    public static String escape(String s) {
        if (s == null) return "";
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c) || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f
                            || (c >= 0x80 && c < 0xa0)) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * A value safe inside a {@code <script type="application/json">} element: JSON as given, with every '<' written
     * as \u003c so neither {@code </script>} nor {@code <!--} can end or change the element. The JSON value is
     * unchanged for a JSON parser.
     */
    public static String scriptJson(String json) {
        return json.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }

    /** A token usable as an id or class (letters, digits, '-', '_'); anything else becomes '-'. */
    public static String token(String s) {
        if (s == null || s.isEmpty()) return "x";
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) out.append(Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' ? c : '-');
        return out.toString();
    }

    /** A proportion as a percentage with one decimal, e.g. "12.5%" (never "-0.0%"); "n/a" for NaN. */
    public static String pct(double p) {
        return Double.isNaN(p) ? "n/a" : percent(p) + "%";
    }

    /**
     * A 95% interval of a proportion in percent with one decimal, without the unit (it follows a {@link #pct}):
     * "[3.5, 7.9]"; empty when a bound is missing.
     */
    public static String pctInterval(Interval v) {
        if (!Double.isFinite(v.lower()) || !Double.isFinite(v.upper())) return "";
        return "[" + percent(v.lower()) + ", " + percent(v.upper()) + "]";
    }

    /** Estimate and interval the way cards print them: "5.3% [3.5, 7.9]". */
    public static String pctWithInterval(Interval v) {
        String ci = pctInterval(v);
        return ci.isEmpty() ? pct(v.estimate()) : pct(v.estimate()) + " " + ci;
    }

    private static String percent(double p) {
        String s = String.format(Locale.ROOT, "%.1f", 100 * p);
        return s.equals("-0.0") ? "0.0" : s;
    }

    /**
     * A number with up to {@code digits} significant digits, e.g. 0.8731; tiny or huge values in scientific
     * notation (3.47e-18) rather than a row of zeros; "n/a" for NaN.
     */
    public static String num(double v, int digits) {
        if (Double.isNaN(v)) return "n/a";
        if (Double.isInfinite(v)) return v > 0 ? "\u221e" : "\u2212\u221e";
        if (v == Math.rint(v) && Math.abs(v) < 1e9) return Long.toString((long) v);
        if (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e9) return String.format(Locale.ROOT, "%." + (digits - 1) + "e", v);
        return new java.math.BigDecimal(v).round(new java.math.MathContext(digits)).stripTrailingZeros().toPlainString();
    }

    /** A p-value: four decimals, or "&lt; 0.0001" (already escaped for HTML). */
    public static String pValue(double p) {
        if (Double.isNaN(p)) return "n/a";
        return p < 1e-4 ? "&lt; 0.0001" : String.format(Locale.ROOT, "%.4f", p);
    }

    /**
     * A small subset of Markdown for card.md: # headings, paragraphs, "- " / "* " lists, "> " quotes, pipe tables,
     * `code`, **bold**, *italic*, fenced code blocks. The text is escaped first, so no Markdown can produce raw HTML.
     */
    public static String markdown(String md) {
        StringBuilder out = new StringBuilder();
        String[] lines = md.replace("\r\n", "\n").split("\n", -1);
        boolean inList = false, inCode = false;
        StringBuilder para = new StringBuilder();
        List<String> table = new ArrayList<>();
        for (String line : lines) {
            String t = line.strip();
            if (!inCode && t.startsWith("|")) { // a table row: collect until the table ends
                flush(out, para);
                if (inList) { out.append("</ul>\n"); inList = false; }
                table.add(t);
                continue;
            }
            flushTable(out, table);
            if (t.startsWith("```")) {
                flush(out, para);
                if (inList) { out.append("</ul>\n"); inList = false; }
                out.append(inCode ? "</code></pre>\n" : "<pre><code>");
                inCode = !inCode;
                continue;
            }
            if (inCode) {
                out.append(escape(line)).append('\n');
                continue;
            }
            int level = 0;
            while (level < t.length() && level < 6 && t.charAt(level) == '#') level++;
            if (level > 0 && t.length() > level && t.charAt(level) == ' ') {
                flush(out, para);
                if (inList) { out.append("</ul>\n"); inList = false; }
                int h = Math.min(6, level + 2); // card headings sit under the report's own h2
                out.append("<h").append(h).append('>').append(inline(t.substring(level + 1).strip())).append("</h").append(h).append(">\n");
            } else if (t.startsWith("> ") || t.equals(">")) {
                flush(out, para);
                if (inList) { out.append("</ul>\n"); inList = false; }
                out.append("<blockquote>").append(inline(t.substring(1).strip())).append("</blockquote>\n");
            } else if (t.startsWith("- ") || t.startsWith("* ")) {
                flush(out, para);
                if (!inList) { out.append("<ul>\n"); inList = true; }
                out.append("<li>").append(inline(t.substring(2).strip())).append("</li>\n");
            } else if (t.isEmpty()) {
                flush(out, para);
                if (inList) { out.append("</ul>\n"); inList = false; }
            } else {
                if (inList) { out.append("</ul>\n"); inList = false; }
                if (!para.isEmpty()) para.append(' ');
                para.append(t);
            }
        }
        flushTable(out, table);
        flush(out, para);
        if (inList) out.append("</ul>\n");
        if (inCode) out.append("</code></pre>\n");
        return out.toString();
    }

    /** Pipe-table rows: the first is the header when the second is a |---| separator. */
    private static void flushTable(StringBuilder out, List<String> rows) {
        if (rows.isEmpty()) return;
        boolean header = rows.size() > 1 && rows.get(1).matches("\\|?(\\s*:?-+:?\\s*\\|)+\\s*:?-*:?\\s*");
        out.append("<table class=\"data\">");
        for (int i = 0; i < rows.size(); i++) {
            if (header && i == 1) continue;
            String r = rows.get(i);
            r = r.substring(1, r.endsWith("|") && r.length() > 1 ? r.length() - 1 : r.length());
            String cell = header && i == 0 ? "th" : "td";
            out.append(i == 0 && header ? "<thead><tr>" : "<tr>");
            for (String c : r.split("\\|", -1)) out.append('<').append(cell).append('>').append(inline(c.strip())).append("</").append(cell).append('>');
            out.append(i == 0 && header ? "</tr></thead>" : "</tr>");
        }
        out.append("</table>\n");
        rows.clear();
    }

    private static void flush(StringBuilder out, StringBuilder para) {
        if (para.isEmpty()) return;
        out.append("<p>").append(inline(para.toString())).append("</p>\n");
        para.setLength(0);
    }

    /** `code`, **bold** and *italic* on already-escaped text (the markers survive escaping unchanged). */
    private static String inline(String raw) {
        String s = escape(raw);
        s = s.replaceAll("`([^`]+)`", "<code>$1</code>");
        s = s.replaceAll("\\*\\*([^*]+)\\*\\*", "<strong>$1</strong>");
        s = s.replaceAll("(?<![*\\w])\\*([^*\\s][^*]*?)\\*(?![*\\w])", "<em>$1</em>");
        return s;
    }
}
