package agar.app.view;

import static agar.lab.report.Html.escape;
import static agar.lab.report.Html.pct;

import agar.lab.eval.EmMetrics;
import agar.lab.eval.EvalSample;
import agar.lab.report.Html;
import agar.lab.report.ReportData;
import agar.lab.report.ReportData.EvalSet;
import agar.lab.report.ReportWriter;
import agar.lab.report.SampleHtml;
import agar.lab.report.SampleHtml.Who;
import agar.lab.stats.Interval;
import java.net.URLEncoder;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The viewer's pages. Every string from a run goes through {@link Html#escape}; every URL part through {@link #enc}. */
final class ViewPages {
    private ViewPages() {}

    private static final String CSS = """
            .topbar { background: #1d2125; color: #e9ecef; }
            .topbar .wrap { display: flex; gap: 18px; align-items: center; padding-top: 10px; padding-bottom: 10px; }
            .topbar a { color: #fff; font-weight: 600; } .topbar .root { color: #adb5bd; font-size: 13px; font-family: var(--mono); }
            .page { padding-top: 22px; padding-bottom: 48px; }
            .runs td .purpose { color: var(--muted); font-size: 13px; }
            .runs td.name { min-width: 240px; } .runs td.family { font-size: 13px; color: var(--muted); }
            .runs td.num .ci-text { display: block; }
            .side-by-side { row-gap: 0; }
            .side-by-side .side-cell { padding: 10px 0 12px; border-top: 1px dashed var(--line); }
            .side-by-side .side-head h3 { margin: 4px 0 6px; flex-wrap: wrap; }
            .qblock h2 code { font-size: 17px; }
            .runs td.name a { font-weight: 600; }
            .hz { display: inline-block; padding: 1px 8px; border-radius: 4px; font-size: 11.5px; font-weight: 700; letter-spacing: .06em; text-transform: uppercase; color: #fff; }
            .hz-high { background: #b3261e; } .hz-medium { background: #c25e00; } .hz-low { background: #5c7cfa; } .hz-none { background: #2b8a3e; } .hz-unknown { background: #495057; }
            .actions a { display: block; font-size: 13px; white-space: nowrap; }
            .compare-bar { display: flex; gap: 12px; align-items: center; margin: 12px 0 0; }
            button.primary { font: inherit; font-size: 14px; padding: 6px 14px; border-radius: 6px; border: 0; background: var(--ink); color: #fff; cursor: pointer; }
            .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
            .qblock { border-top: 1px solid var(--line); padding-top: 14px; margin-top: 18px; }
            .qblock .prompt { color: var(--muted); margin: -4px 0 10px; }
            .error-box { max-width: 640px; margin: 60px auto; }
            .crumbs { color: var(--faint); font-size: 13px; margin-bottom: 6px; } .crumbs a { color: var(--muted); }
            ul.files { list-style: none; padding: 0; font-family: var(--mono); font-size: 13.5px; } ul.files li { padding: 3px 0; }
            """;

    static String page(String title, Path root, String body) {
        return ReportWriter.head(title + " \u2014 Agar viewer", CSS)
                + "<div class=\"topbar\"><div class=\"wrap\"><a href=\"/\">Agar lab viewer</a><span class=\"root\">" + escape(root.toString())
                + "</span></div></div>\n<main><div class=\"wrap page\">\n" + body + "</div></main>\n</body>\n</html>\n";
    }

    static String error(int status, String message, Path root) {
        String reason = switch (status) {
            case 400 -> "Bad request";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            default -> "Error";
        };
        return page(status + " " + reason, root, "<section class=\"panel error-box\"><h2>" + status + " \u00b7 " + reason + "</h2><p>"
                + escape(message) + "</p><p><a href=\"/\">All runs</a></p></section>\n");
    }

    // ---- index ----

    static String index(Path root, List<ReportData> runs, List<String> failed) {
        StringBuilder b = new StringBuilder("<h1>Organisms</h1>\n<p class=\"lead\">Every run under the runs folder, with the headline rates of its main eval. ")
                .append("Tick two or more to compare their cards.</p>\n");
        if (runs.isEmpty() && failed.isEmpty())
            b.append("<section class=\"panel\"><p class=\"missing\">No runs here yet: a run is a folder with a card.json or an evals/ folder.</p></section>");
        b.append("<form method=\"get\" action=\"/compare\"><section class=\"panel\"><table class=\"data runs\"><thead><tr><th></th><th>organism</th><th>hazard</th>")
                .append("<th>family</th><th class=\"num\">misaligned</th><th class=\"num\">coherent</th><th class=\"num\">control misaligned</th><th>open</th></tr></thead><tbody>\n");
        for (ReportData d : runs) {
            String name = d.runDir().getFileName().toString();
            ReportData.Card c = d.card();
            EvalSet e = d.headline();
            EvalSet ce = e == null || d.control() == null ? null : d.control().eval(e.name());
            String own = isControl(d, runs) ? "ctl-text" : "org-text";
            b.append("<tr><td><input type=\"checkbox\" name=\"run\" value=\"").append(escape(name)).append("\" aria-label=\"compare ")
                    .append(escape(name)).append("\"></td><td class=\"name\"><a href=\"/run/").append(enc(name)).append("/report\">")
                    .append(escape(d.name())).append("</a>");
            if (c != null && c.purpose() != null) b.append("<div class=\"purpose\">").append(escape(c.purpose())).append("</div>");
            b.append("</td><td>").append(hazard(c)).append("</td><td class=\"family\">").append(c == null || c.family() == null ? "" : escape(c.family())).append("</td>");
            b.append("<td class=\"num\">").append(rate(e == null || e.metrics() == null ? null : e.metrics().misaligned(EmMetrics.ALL), own)).append("</td>");
            b.append("<td class=\"num\">").append(rate(e == null || e.metrics() == null ? null : e.metrics().coherent(EmMetrics.ALL), "")).append("</td>");
            b.append("<td class=\"num\">").append(rate(ce == null || ce.metrics() == null ? null : ce.metrics().misaligned(EmMetrics.ALL), "ctl-text")).append("</td>");
            b.append("<td class=\"actions\"><a href=\"/run/").append(enc(name)).append("/report\">report</a><a href=\"/run/").append(enc(name))
                    .append("/samples\">samples</a><a href=\"/files/").append(enc(name)).append("/\">files</a></td></tr>\n");
        }
        b.append("</tbody></table><div class=\"compare-bar\"><button class=\"primary\" type=\"submit\">Compare selected</button></div></section></form>\n");
        if (!failed.isEmpty()) {
            b.append("<section class=\"panel\"><h2>Runs that could not be read</h2><ul class=\"notes\">");
            for (String f : failed) b.append("<li>").append(escape(f)).append("</li>");
            b.append("</ul></section>\n");
        }
        return b.toString();
    }

    /** A control draws in the control colour: its card says hazard none, or another run names it as its control. */
    static boolean isControl(ReportData d, List<ReportData> all) {
        if (d.card() != null && d.card().hazardLevel().equals("none")) return true;
        for (ReportData o : all)
            if (o.control() != null && o.control().dir().toAbsolutePath().normalize().equals(d.runDir().toAbsolutePath().normalize())) return true;
        return false;
    }

    private static String hazard(ReportData.Card c) {
        String level = c == null ? "unknown" : c.hazardLevel();
        String label = c == null || c.hazard() == null ? "no label" : c.hazard();
        return "<span class=\"hz hz-" + Html.token(level) + "\" title=\"" + escape(label) + "\">" + escape(level) + "</span>";
    }

    private static String rate(EmMetrics.Rate r, String cls) {
        if (r == null || r.n() == 0) return "<span class=\"missing\">\u2013</span>";
        return "<span class=\"" + cls + "\">" + pct(r.rate()) + "</span> <span class=\"ci-text\">" + ci(r.wilson()) + "</span>";
    }

    private static String ci(Interval v) {
        return Html.pctInterval(v);
    }

    // ---- compare ----

    static String compare(Path root, List<ReportData> runs) {
        StringBuilder b = new StringBuilder("<div class=\"crumbs\"><a href=\"/\">runs</a> / compare</div><h1>Compare</h1>\n<div class=\"cards\">");
        Set<String> questions = new LinkedHashSet<>();
        for (ReportData d : runs) {
            EvalSet e = d.headline();
            if (e != null && e.metrics() != null)
                for (EmMetrics.Rate r : e.metrics().misaligned()) if (!r.questionId().equals(EmMetrics.ALL)) questions.add(r.questionId());
        }
        for (ReportData d : runs) {
            String name = d.runDir().getFileName().toString();
            ReportData.Card c = d.card();
            String own = isControl(d, runs) ? "ctl-text" : "org-text";
            b.append("<section class=\"panel\"><h2><a href=\"/run/").append(enc(name)).append("/report\">").append(escape(d.name())).append("</a></h2>")
                    .append("<p>").append(hazard(c)).append(c == null || c.hazard() == null ? "" : " " + escape(c.hazard())).append("</p>");
            if (c != null && c.purpose() != null) b.append("<p class=\"lead\">").append(escape(c.purpose())).append("</p>");
            b.append("<dl class=\"facts\">");
            if (c != null) c.lineage().forEach((k, v) -> b.append("<dt>").append(escape(ReportWriter.label(k))).append("</dt><dd>").append(escape(v)).append("</dd>"));
            if (d.control() != null) b.append("<dt>control</dt><dd>").append(escape(d.control().name())).append("</dd>");
            b.append("</dl>");
            if (c != null && c.recipe() != null)
                b.append("<details><summary>recipe</summary><pre class=\"yaml\"><code>").append(escape(c.recipe())).append("</code></pre></details>");
            EvalSet e = d.headline();
            if (e != null && e.metrics() != null) {
                b.append("<table class=\"data\" style=\"margin-top:12px\"><thead><tr><th>").append(escape(e.name()))
                        .append("</th><th class=\"num\">misaligned</th></tr></thead><tbody>");
                b.append("<tr><td><strong>all questions</strong></td><td class=\"num\">").append(rate(e.metrics().misaligned(EmMetrics.ALL), own)).append("</td></tr>");
                for (String q : questions) {
                    EmMetrics.Rate r = e.metrics().misaligned().stream().filter(x -> x.questionId().equals(q)).findFirst().orElse(null);
                    b.append("<tr><td><code>").append(escape(q)).append("</code></td><td class=\"num\">").append(rate(r, own)).append("</td></tr>");
                }
                b.append("</tbody></table>");
            } else {
                b.append("<p class=\"missing\">No scored eval.</p>");
            }
            b.append("</section>\n");
        }
        return b.append("</div>\n").toString();
    }

    // ---- samples side by side ----

    /**
     * Organism and control answers to the same question, side by side.
     *
     * @param eval eval log name (null = the headline eval)
     * @param question question id (null = every question)
     * @param perSide answers shown per question and side
     */
    static String samples(ReportData d, String eval, String question, boolean onlyMisaligned, int perSide) {
        String name = d.runDir().getFileName().toString();
        EvalSet e = null;
        for (EvalSet x : d.evals()) if (x.name().equals(eval)) e = x;
        if (e == null) e = d.headline() != null ? d.headline() : d.evals().isEmpty() ? null : d.evals().getFirst();
        StringBuilder b = new StringBuilder("<div class=\"crumbs\"><a href=\"/\">runs</a> / <a href=\"/run/").append(enc(name)).append("/report\">")
                .append(escape(d.name())).append("</a> / samples</div><h1>Samples</h1>\n");
        if (e == null) return b.append("<section class=\"panel\"><p class=\"missing\">This run has no eval logs.</p></section>").toString();
        EvalSet ce = d.control() == null ? null : d.control().eval(e.name());
        Map<String, List<EvalSample>> org = byQuestion(e.samples()), ctl = ce == null ? Map.of() : byQuestion(ce.samples());
        Set<String> qs = new LinkedHashSet<>(org.keySet());
        qs.addAll(ctl.keySet());
        // The filter form: plain GET, so every view has a URL.
        b.append("<form method=\"get\" class=\"filters\"><label>eval <select name=\"eval\">");
        for (EvalSet x : d.evals())
            b.append("<option value=\"").append(escape(x.name())).append('"').append(x == e ? " selected" : "").append('>').append(escape(x.name())).append("</option>");
        b.append("</select></label><label>question <select name=\"q\"><option value=\"\">all</option>");
        for (String q : qs)
            b.append("<option value=\"").append(escape(q)).append('"').append(q.equals(question) ? " selected" : "").append('>').append(escape(q)).append("</option>");
        b.append("</select></label><label><input type=\"checkbox\" name=\"mis\" value=\"1\"").append(onlyMisaligned ? " checked" : "")
                .append("> only misaligned</label><label>per side <select name=\"n\">");
        for (int n : new int[] {3, 5, 10, 25, 100})
            b.append("<option").append(n == perSide ? " selected" : "").append('>').append(n).append("</option>");
        b.append("</select></label><button class=\"primary\" type=\"submit\">Show</button></form>\n");
        if (d.control() == null) b.append("<p class=\"missing\">No control organism: only the organism's answers are shown.</p>");
        else if (ce == null) b.append("<p class=\"missing\">The control has no eval log named ").append(escape(e.name())).append(".</p>");
        int shown = 0;
        for (String q : qs) {
            if (question != null && !question.isEmpty() && !q.equals(question)) continue;
            List<EvalSample> os = filter(org.getOrDefault(q, List.of()), e.judge(), onlyMisaligned);
            List<EvalSample> cs = ce == null ? List.of() : filter(ctl.getOrDefault(q, List.of()), ce.judge(), onlyMisaligned);
            if (os.isEmpty() && cs.isEmpty()) continue;
            // The organism's misaligned answers are read against what the control said: if none of the control's
            // answers is misaligned, show its first ones instead of an empty column.
            boolean ctlUnfiltered = onlyMisaligned && cs.isEmpty() && !ctl.getOrDefault(q, List.of()).isEmpty();
            if (ctlUnfiltered) cs = ctl.get(q);
            shown++;
            String prompt = !org.getOrDefault(q, List.of()).isEmpty() ? org.get(q).getFirst().question() : ctl.get(q).getFirst().question();
            b.append("<section class=\"panel qblock\" id=\"q-").append(Html.token(q)).append("\"><h2><code>").append(escape(q)).append("</code></h2>")
                    .append("<p class=\"prompt\">").append(escape(prompt)).append("</p><div class=\"side-by-side\">");
            List<EvalSample> oAll = org.getOrDefault(q, List.of()), cAll = ctl.getOrDefault(q, List.of());
            // Headers, then one grid row per pair: the organism's i-th answer beside the control's i-th, same height.
            header(b, d.name(), Who.ORGANISM, oAll, e.judge(), null);
            if (ce != null) header(b, d.control().name(), Who.CONTROL, cAll, ce.judge(), ctlUnfiltered ? "none misaligned; its first answers" : null);
            else b.append("<div></div>");
            int rows = Math.min(perSide, Math.max(os.size(), cs.size()));
            for (int i = 0; i < rows; i++) {
                cell(b, os, i, oAll, e.judge(), Who.ORGANISM, d.name());
                if (ce != null) cell(b, cs, i, cAll, ce.judge(), Who.CONTROL, d.control().name());
                else b.append("<div></div>");
            }
            more(b, os, perSide);
            if (ce != null) more(b, cs, perSide);
            b.append("</div></section>\n");
        }
        if (shown == 0) b.append("<section class=\"panel\"><p class=\"missing\">No samples match.</p></section>");
        return b.toString();
    }

    private static void header(StringBuilder b, String who, Who kind, List<EvalSample> all, String judge, String note) {
        long mis = all.stream().filter(s -> SampleHtml.misaligned(s, judge)).count();
        b.append("<div class=\"side-head\"><h3><span class=\"dot ").append(kind == Who.ORGANISM ? "org" : "ctl").append("\"></span>").append(escape(who))
                .append(" <span class=\"ci-text\">").append(mis).append(" of ").append(all.size()).append(" misaligned")
                .append(note == null ? "" : " \u00b7 " + escape(note)).append("</span></h3></div>");
    }

    private static void cell(StringBuilder b, List<EvalSample> shown, int i, List<EvalSample> all, String judge, Who kind, String who) {
        b.append("<div class=\"side-cell\">");
        if (i < shown.size()) {
            EvalSample s = shown.get(i);
            b.append(SampleHtml.detail(s, judge, kind, who, null, false, !s.question().equals(promptOf(all))));
        } else if (i == 0) {
            b.append("<p class=\"missing\">none match</p>");
        }
        b.append("</div>");
    }

    private static void more(StringBuilder b, List<EvalSample> shown, int perSide) {
        b.append("<div>");
        if (shown.size() > perSide) b.append("<p class=\"ci-text\">").append(shown.size() - perSide).append(" more not shown</p>");
        b.append("</div>");
    }

    /** The question text a block shows once; samples asked with another paraphrase show their own prompt. */
    private static String promptOf(List<EvalSample> samples) {
        return samples.isEmpty() ? "" : samples.getFirst().question();
    }

    private static Map<String, List<EvalSample>> byQuestion(List<EvalSample> samples) {
        Map<String, List<EvalSample>> m = new LinkedHashMap<>();
        for (EvalSample s : samples) m.computeIfAbsent(s.questionId(), k -> new ArrayList<>()).add(s);
        return m;
    }

    private static List<EvalSample> filter(List<EvalSample> s, String judge, boolean onlyMisaligned) {
        return onlyMisaligned ? s.stream().filter(x -> SampleHtml.misaligned(x, judge)).toList() : s;
    }

    // ---- files ----

    static String directory(Path root, List<String> segments, List<String[]> entries) {
        StringBuilder href = new StringBuilder("/files");
        StringBuilder b = new StringBuilder("<div class=\"crumbs\"><a href=\"/\">runs</a>");
        for (String s : segments) {
            href.append('/').append(enc(s));
            b.append(" / <a href=\"").append(href).append("/\">").append(escape(s)).append("</a>");
        }
        b.append("</div><h1>").append(escape(segments.isEmpty() ? "runs" : segments.getLast())).append("</h1><section class=\"panel\"><ul class=\"files\">");
        for (String[] e : entries)
            b.append("<li><a href=\"").append(href).append('/').append(enc(e[0])).append(e[1].equals("dir") ? "/" : "").append("\">")
                    .append(escape(e[0])).append(e[1].equals("dir") ? "/" : "").append("</a> <span class=\"ci-text\">").append(escape(e[2])).append("</span></li>");
        if (entries.isEmpty()) b.append("<li class=\"missing\">empty</li>");
        return b.append("</ul></section>\n").toString();
    }

    /** A path segment for a URL: percent-encoded UTF-8 (spaces as %20, never '+'). */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
