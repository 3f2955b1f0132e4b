package agar.lab.report;

import static agar.lab.report.Html.escape;

import agar.engine.tokenizer.ChatMessage;
import agar.lab.eval.EmMetrics;
import agar.lab.eval.EvalSample;
import agar.lab.judge.Scores;
import java.util.Locale;
import java.util.Map;

/**
 * One eval sample as HTML: a compact row for lists and a full view (prompt, answer, every judge's scores and
 * explanation). Shared by the report's sample browser and the viewer's side-by-side pages. All log text is escaped.
 */
public final class SampleHtml {
    private SampleHtml() {}

    /** Who produced a sample: decides the colour (organism or control) wherever it is shown. */
    public enum Who {
        ORGANISM, CONTROL;

        public String css() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static boolean misaligned(EvalSample s, String judge) {
        return judge != null && EmMetrics.Thresholds.EM.misaligned(s.scoresOf(judge));
    }

    /** A clickable list row; {@code target} is the id of the full view it opens. */
    public static String row(EvalSample s, String judge, Who who, String set, String target) {
        boolean mis = misaligned(s, judge);
        String preview = s.answer().length() > 220 ? s.answer().substring(0, 220) + "\u2026" : s.answer();
        StringBuilder b = new StringBuilder();
        b.append("<button type=\"button\" class=\"srow who-").append(who.css()).append("\" data-target=\"").append(escape(target))
                .append("\" data-set=\"").append(escape(set)).append("\" data-q=\"").append(escape(s.questionId()))
                .append("\" data-who=\"").append(who.css()).append("\" data-mis=\"").append(mis ? 1 : 0).append("\">");
        b.append("<span class=\"meta\"><span class=\"dot ").append(who == Who.ORGANISM ? "org" : "ctl").append("\"></span>")
                .append("<span class=\"qid\">").append(escape(s.questionId())).append("</span>");
        b.append(judge == null ? "" : scorePill(s.scoresOf(judge), "aligned"));
        if (mis) b.append("<span class=\"pill bad\">misaligned</span>");
        b.append("</span><span class=\"preview\">").append(escape(preview)).append("</span></button>\n");
        return b.toString();
    }

    /**
     * The full sample; {@code hidden} for the report's pane, which shows one at a time. Without {@code withPrompt}
     * only the answer and scores are shown (for pages that show the question once above several answers).
     */
    public static String detail(EvalSample s, String judge, Who who, String organismName, String id, boolean hidden, boolean withPrompt) {
        StringBuilder b = new StringBuilder();
        b.append("<article class=\"sample ").append(who.css()).append("\"");
        if (id != null) b.append(" id=\"").append(escape(id)).append("\"");
        if (hidden) b.append(" hidden");
        b.append(">\n<h3><span class=\"who ").append(who.css()).append("\">").append(escape(organismName)).append("</span>")
                .append("<code>").append(escape(s.questionId())).append("</code>")
                .append("<span class=\"sid\">").append(escape(s.id())).append("</span>");
        if (misaligned(s, judge)) b.append("<span class=\"pill bad\">misaligned</span>");
        b.append("</h3>\n");
        if (!withPrompt) {
            // nothing: the page shows the question
        } else if (s.messages().isEmpty()) {
            b.append(message("user", s.question()));
        } else {
            for (ChatMessage m : s.messages()) b.append(message(m.role(), m.content()));
        }
        b.append(message("assistant", s.answer()));
        for (Map.Entry<String, Scores> e : s.scores().entrySet()) {
            b.append("<div class=\"judge\"><span class=\"jname\">judge ").append(escape(e.getKey()))
                    .append(e.getKey().equals(judge) ? " (used for the rates)" : "").append("</span><div class=\"scores\">");
            // The EM scores always; other metrics (e.g. the oracle's 20 related_* domains) only when non-zero.
            java.util.List<String> zeros = new java.util.ArrayList<>();
            for (String metric : e.getValue().values().keySet()) {
                boolean core = metric.equals("aligned") || metric.equals("coherent");
                if (core || e.getValue().get(metric) != 0) b.append(scorePill(e.getValue(), metric));
                else zeros.add(metric);
            }
            if (!zeros.isEmpty())
                b.append("<span class=\"pill na\" title=\"").append(escape(String.join(", ", zeros))).append("\">")
                        .append(zeros.size()).append(zeros.size() == 1 ? " other score" : " other scores").append(" at 0</span>");
            if (e.getValue().values().isEmpty()) b.append("<span class=\"pill na\">no scores</span>");
            b.append("</div>");
            if (!e.getValue().explanation().isBlank())
                b.append("<div class=\"expl\">").append(escape(e.getValue().explanation())).append("</div>");
            b.append("</div>\n");
        }
        if (s.scores().isEmpty()) b.append("<p class=\"missing\">not judged</p>");
        b.append("</article>\n");
        return b.toString();
    }

    private static String message(String role, String content) {
        String r = role == null ? "user" : role.toLowerCase(Locale.ROOT);
        String cls = switch (r) {
            case "system", "user", "assistant" -> r;
            default -> "user";
        };
        return "<div class=\"msg " + cls + "\"><span class=\"role\">" + escape(r) + "</span>" + escape(content) + "</div>\n";
    }

    /**
     * A score as a coloured pill: aligned (<= 30 bad, > 70 good), coherent (<= 50 bad), other metrics neutral;
     * missing scores are grey.
     */
    static String scorePill(Scores s, String metric) {
        if (!s.has(metric)) return "<span class=\"pill na\">" + escape(metric) + " \u2013</span>";
        double v = s.get(metric);
        String cls = switch (metric) {
            case "aligned" -> v <= 30 ? "bad" : v > 70 ? "good" : "meh";
            case "coherent" -> v > 50 ? "good" : "bad";
            default -> "na";
        };
        return "<span class=\"pill " + cls + "\">" + escape(metric) + " "
                + String.format(Locale.ROOT, "%.0f", v) + "</span>";
    }
}
