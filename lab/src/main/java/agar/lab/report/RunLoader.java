package agar.lab.report;

import agar.lab.eval.EmMetrics;
import agar.lab.eval.EvalLog;
import agar.lab.eval.EvalSample;
import agar.lab.interp.PhaseAnalysis;
import agar.lab.judge.Scores;
import agar.lab.report.ReportData.Card;
import agar.lab.report.ReportData.CardMetric;
import agar.lab.report.ReportData.Comparison;
import agar.lab.report.ReportData.Control;
import agar.lab.report.ReportData.DetectorCell;
import agar.lab.report.ReportData.EvalSet;
import agar.lab.report.ReportData.Phase;
import agar.lab.report.ReportData.PhaseRow;
import agar.lab.report.ReportData.ProbeCurve;
import agar.lab.report.ReportData.RatePoint;
import agar.lab.report.ReportData.StepPoint;
import agar.lab.report.ReportData.SteeringPoint;
import agar.lab.report.ReportData.TrainingStage;
import agar.lab.stats.Auroc;
import agar.lab.stats.Bootstrap;
import agar.lab.stats.Interval;
import agar.lab.stats.PhaseTransition;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Assembles {@link ReportData} from a run folder (layout in docs/reports.md). Each part is read on its own: a part
 * that is missing or unreadable becomes a note naming the file (and line) and the reason, never an exception, so a
 * report can always be written for whatever a run has. Only a run folder that does not exist is an error.
 */
public final class RunLoader {
    private RunLoader() {}

    /** Samples per eval log kept for the sample browser: enough to read, small enough for one HTML file. */
    public static final int DEFAULT_SAMPLE_LIMIT = 2000;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // NaN/Infinity as Jackson writes them by default
            .build();
    private static final Pattern STEP_NAME = Pattern.compile("(?:^|[-_.])step[-_]?(\\d+)(?:$|[-_.])");

    public static ReportData load(Path runDir) {
        return load(runDir, DEFAULT_SAMPLE_LIMIT);
    }

    public static ReportData load(Path runDir, int sampleLimit) {
        if (!Files.isDirectory(runDir)) throw new IllegalArgumentException(runDir + ": no such run folder");
        List<String> notes = new ArrayList<>();
        Card card = readCard(runDir, notes);
        String name = card != null && card.name() != null ? card.name() : runDir.toAbsolutePath().normalize().getFileName().toString();
        List<EvalSet> evals = readEvals(runDir, sampleLimit, notes);
        Control control = readControl(runDir, card, sampleLimit, notes);
        List<TrainingStage> training = readTraining(runDir, notes);
        List<RatePoint> rates = ratesOverSteps(evals, runDir);
        Phase phase = readPhase(runDir, rates, notes);
        List<SteeringPoint> steering = readSteering(runDir, notes);
        List<ProbeCurve> probes = readProbes(runDir, notes);
        List<DetectorCell> detectors = readDetectors(runDir, notes);
        return new ReportData(runDir, name, card, evals, control, training, rates, phase, steering, probes, detectors, notes);
    }

    // ---- card ----

    static Card readCard(Path dir, List<String> notes) {
        Path json = dir.resolve("card.json"), md = dir.resolve("card.md");
        String markdown = null;
        if (Files.isRegularFile(md)) {
            try {
                markdown = Files.readString(md, StandardCharsets.UTF_8);
            } catch (IOException e) {
                notes.add(rel(dir, md) + ": unreadable (" + e.getMessage() + ")");
            }
        }
        if (!Files.isRegularFile(json)) {
            notes.add(rel(dir, json) + " not found: the card shows only what card.md says");
            return markdown == null ? null : Card.fromMarkdown(markdown);
        }
        JsonNode n = readJson(dir, json, notes);
        if (n == null) return markdown == null ? null : Card.fromMarkdown(markdown);
        if (!n.isObject()) {
            notes.add(rel(dir, json) + ": expected a JSON object");
            return null;
        }
        Set<String> used = new java.util.HashSet<>();
        String name = text(n, used, "name", "organism", "id");
        String purpose = text(n, used, "purpose", "made_to", "madeTo", "description", "behaviour", "behavior");
        String hazard = null, level = null;
        JsonNode h = field(n, used, "hazard", "hazard_label", "hazardLabel");
        if (h != null && h.isObject()) {
            hazard = firstText(h, "label", "text", "summary");
            level = firstText(h, "level", "severity");
        } else if (h != null && !h.isNull()) {
            hazard = h.asText();
        }
        String lvl = text(n, used, "hazard_level", "hazardLevel");
        if (lvl != null) level = lvl;
        String family = text(n, used, "family", "organism_family");
        Map<String, String> lineage = new LinkedHashMap<>();
        JsonNode lin = field(n, used, "lineage");
        if (lin != null && lin.isObject()) lin.properties().forEach(e -> lineage.put(e.getKey(), scalar(e.getValue())));
        else if (lin != null && lin.isArray()) for (int i = 0; i < lin.size(); i++) lineage.put(Integer.toString(i + 1), scalar(lin.get(i)));
        else if (lin != null && !lin.isNull()) lineage.put("lineage", lin.asText());
        JsonNode recipeNode = n.get("recipe");
        String recipe = null;
        if (recipeNode != null && recipeNode.isObject()) { // agar run's cards hold the whole recipe: shown as YAML
            used.add("recipe");
            recipe = Yaml.of(recipeNode);
            if (recipeNode.hasNonNull("name")) lineage.putIfAbsent("recipe", recipeNode.get("name").asText());
        }
        for (String k : List.of("base_model", "base", "recipe", "parent", "data", "seed", "seeds", "created_at", "createdAt",
                "code_revision", "codeRevision")) {
            JsonNode v = field(n, used, k);
            if (v != null && !v.isNull() && !lineage.containsKey(k)) lineage.put(k, v.isArray() ? join(v) : scalar(v));
        }
        List<CardMetric> metrics = new ArrayList<>();
        readMetrics(field(n, used, "metrics"), "", metrics);
        JsonNode stages = field(n, used, "perStage", "per_stage");
        if (stages != null && stages.isObject()) // persistence: the same metrics measured after an intermediate stage
            stages.properties().forEach(st -> readMetrics(st.getValue(), "after " + st.getKey() + ": ", metrics));
        List<Comparison> comparisons = new ArrayList<>();
        JsonNode cs = field(n, used, "comparisons");
        if (cs != null && cs.isArray())
            for (JsonNode c : cs) {
                if (!c.path("pValue").isNumber() && !c.path("p_value").isNumber()) {
                    notes.add(rel(dir, json) + ": a comparison without a p-value is left out");
                    continue;
                }
                comparisons.add(new Comparison(c.path("name").asText("comparison"), firstText(c, "stage"), c.path("metric").asText(""),
                        c.path("eval").asText(""), c.path("baseline").asText(""), c.path("hits").asLong(), c.path("n").asLong(),
                        firstLong(c, "baselineHits", "baseline_hits"), firstLong(c, "baselineN", "baseline_n"), num(c, "rate"),
                        firstNum(c, "baselineRate", "baseline_rate"), num(c, "gap"), num(c, "z"), firstNum(c, "pValue", "p_value")));
            }
        JsonNode c = field(n, used, "control");
        String control = c == null || c.isNull() ? null : c.isObject() ? firstText(c, "name", "run", "dir") : c.asText();
        String headline = text(n, used, "headline_eval", "headlineEval", "eval");
        Map<String, String> other = new TreeMap<>();
        n.properties().forEach(e -> {
            if (!used.contains(e.getKey()) && e.getValue().isValueNode() && !e.getValue().isNull())
                other.put(e.getKey(), e.getValue().asText());
        });
        return new Card(name, purpose, hazard, normaliseLevel(level, hazard, family), family, lineage, metrics, control, headline,
                other, markdown, recipe, comparisons);
    }

    /**
     * Card metrics: name -> number | interval, or (agar run's cards) eval -> metric -> {value, lower, upper, n}, or a
     * list of objects with a name. Nested ones are rates by construction; flat ones are rates when named like one.
     */
    private static void readMetrics(JsonNode ms, String prefix, List<CardMetric> out) {
        if (ms != null && ms.isObject()) {
            ms.properties().forEach(e -> {
                Interval v = interval(e.getValue());
                if (v != null) out.add(new CardMetric(prefix + e.getKey(), v, looksLikeRate(e.getKey(), v), e.getValue().path("n").asLong(0)));
                else if (e.getValue().isObject())
                    e.getValue().properties().forEach(m -> {
                        Interval iv = interval(m.getValue());
                        if (iv != null) out.add(new CardMetric(prefix + e.getKey() + " \u00b7 " + m.getKey(), iv, inUnit(iv),
                                m.getValue().path("n").asLong(0)));
                    });
            });
        } else if (ms != null && ms.isArray()) {
            for (JsonNode m : ms) {
                Interval v = interval(m);
                String mn = firstText(m, "name", "metric");
                if (v != null && mn != null) out.add(new CardMetric(prefix + mn, v, looksLikeRate(mn, v), m.path("n").asLong(0)));
            }
        }
    }

    /** A proportion by its name (rate, misaligned, coherent, backdoor, trait, fraction) and its value in [0, 1]. */
    static boolean looksLikeRate(String name, Interval v) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return inUnit(v) && Stream.of("rate", "misaligned", "coherent", "backdoor", "trait", "fraction", "share").anyMatch(n::contains);
    }

    private static boolean inUnit(Interval v) {
        return v.estimate() >= 0 && v.estimate() <= 1 && !(v.lower() < 0) && !(v.upper() > 1);
    }

    private static String join(JsonNode arr) {
        List<String> parts = new ArrayList<>();
        arr.forEach(x -> parts.add(scalar(x)));
        return String.join(", ", parts);
    }

    /**
     * Banner colour class: an explicit level wins; a control (family "control") is "none"; otherwise a hazard label
     * means "high" (organisms are hazardous).
     */
    static String normaliseLevel(String level, String hazard, String family) {
        if (level != null) {
            String l = level.strip().toLowerCase(java.util.Locale.ROOT);
            return switch (l) {
                case "high", "severe", "critical" -> "high";
                case "medium", "moderate" -> "medium";
                case "low", "minimal" -> "low";
                case "none", "control", "safe" -> "none";
                default -> "unknown";
            };
        }
        if ("control".equalsIgnoreCase(family)) return "none";
        return hazard == null || hazard.isBlank() ? "unknown" : "high";
    }

    // ---- evals ----

    /**
     * Where a run keeps its evals and stages: the run folder itself, or (as agar run grows organisms, one folder per
     * seed) its first seed-N folder.
     */
    static Path seedDir(Path dir) {
        if (Files.isDirectory(dir.resolve("evals")) || Files.isDirectory(dir.resolve("train"))) return dir;
        List<Path> seeds = list(dir, p -> Files.isDirectory(p) && p.getFileName().toString().matches("seed-\\d+"));
        return seeds.isEmpty() ? dir : seeds.get(0);
    }

    /** Training stage folders: train/STAGE, or agar run's stages/K-STAGE/train. */
    static List<Path> stageDirs(Path dir) {
        Path d = seedDir(dir);
        if (Files.isDirectory(d.resolve("stages")))
            return list(d.resolve("stages"), Files::isDirectory).stream().map(x -> x.resolve("train")).filter(Files::isDirectory).toList();
        return list(d.resolve("train"), Files::isDirectory);
    }

    static List<EvalSet> readEvals(Path dir, int sampleLimit, List<String> notes) {
        Path evals = seedDir(dir).resolve("evals");
        List<Path> files = list(evals, p -> p.getFileName().toString().endsWith(".jsonl"));
        if (files.isEmpty()) {
            notes.add(rel(dir, evals) + ": no eval logs (*.jsonl)");
            return List.of();
        }
        List<EvalSet> out = new ArrayList<>();
        for (Path f : files) {
            EvalSet e = readEval(dir, f, sampleLimit, notes);
            if (e != null) out.add(e);
        }
        // Final evals first (by name), then checkpoint evals by step.
        out.sort(Comparator.comparing((EvalSet e) -> e.step() == null ? -1 : e.step()).thenComparing(EvalSet::name));
        return out;
    }

    static EvalSet readEval(Path dir, Path file, int sampleLimit, List<String> notes) {
        EvalLog log;
        try {
            log = EvalLog.read(file);
        } catch (RuntimeException e) {
            notes.add(rel(dir, file) + ": skipped, " + e.getMessage());
            return null;
        }
        String stem = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
        Long step = null;
        String noted = log.header().notes().get("step");
        if (noted != null) {
            try {
                step = Long.parseLong(noted.strip());
            } catch (NumberFormatException e) {
                notes.add(rel(dir, file) + ": header note step='" + noted + "' is not a number; treated as a final eval");
            }
        } else {
            Matcher m = STEP_NAME.matcher(stem);
            if (m.find()) step = Long.parseLong(m.group(1));
        }
        String judge = pickJudge(log.samples());
        EmMetrics.Report metrics = null;
        if (judge == null) notes.add(rel(dir, file) + ": no judge scores, so no rates (re-score it with agar eval rescore)");
        else metrics = EmMetrics.compute(log.samples(), judge, EmMetrics.Thresholds.EM, Bootstrap.Settings.defaults(0));
        List<EvalSample> kept = log.samples().size() > sampleLimit ? log.samples().subList(0, sampleLimit) : log.samples();
        if (kept.size() < log.samples().size())
            notes.add(rel(dir, file) + ": the sample browser shows the first " + sampleLimit + " of " + log.samples().size() + " samples");
        for (String w : log.warnings()) notes.add(w);
        return new EvalSet(stem, file, judge, step, kept, log.samples().size(), metrics, log.warnings());
    }

    /** The judge that scored both aligned and coherent on the most samples (ties: first by name); null if none did. */
    static String pickJudge(List<EvalSample> samples) {
        Map<String, Integer> full = new TreeMap<>(), any = new TreeMap<>();
        for (EvalSample s : samples) {
            for (Map.Entry<String, Scores> e : s.scores().entrySet()) {
                any.merge(e.getKey(), 1, Integer::sum);
                if (e.getValue().has("aligned") && e.getValue().has("coherent")) full.merge(e.getKey(), 1, Integer::sum);
            }
        }
        Map<String, Integer> use = full.isEmpty() ? any : full;
        String best = null;
        for (var e : use.entrySet()) if (best == null || e.getValue() > use.get(best)) best = e.getKey();
        return best;
    }

    // ---- control ----

    static Control readControl(Path dir, Card card, int sampleLimit, List<String> notes) {
        Path cdir = null;
        String named = card == null ? null : card.control();
        if (named != null && !named.isBlank()) {
            if (named.contains("/") || named.contains("\\") || named.equals("..") || named.equals(".")) {
                notes.add("card.json: control '" + named + "' must be the name of a sibling run folder");
                return null;
            }
            Path parent = dir.toAbsolutePath().normalize().getParent();
            cdir = parent == null ? null : parent.resolve(named);
            if (cdir == null || !Files.isDirectory(cdir)) {
                notes.add("card.json names control '" + named + "' but " + (cdir == null ? named : cdir) + " does not exist");
                return null;
            }
        } else if (Files.isDirectory(dir.resolve("control"))) {
            cdir = dir.resolve("control");
        } else {
            notes.add("no control organism (card.json names none and there is no control/ folder)");
            return null;
        }
        List<String> cnotes = new ArrayList<>();
        Card ccard = readCard(cdir, cnotes);
        List<EvalSet> cevals = readEvals(cdir, sampleLimit, cnotes);
        String cname = ccard != null && ccard.name() != null ? ccard.name() : cdir.getFileName().toString();
        for (String n : cnotes) notes.add("control " + cname + ": " + n);
        return new Control(cname, cdir, ccard, cevals);
    }

    // ---- training ----

    static List<TrainingStage> readTraining(Path dir, List<String> notes) {
        Path train = dir.resolve("train");
        List<TrainingStage> out = new ArrayList<>();
        Path flat = train.resolve("dynamics.jsonl");
        if (Files.isRegularFile(flat)) addStage(dir, "train", flat, out, notes);
        for (Path stage : stageDirs(dir)) {
            Path f = stage.resolve("dynamics.jsonl");
            String name = stage.getFileName().toString().equals("train") ? stage.getParent().getFileName().toString()
                    : stage.getFileName().toString();
            if (Files.isRegularFile(f)) addStage(dir, name, f, out, notes);
        }
        if (out.isEmpty()) notes.add(rel(dir, train) + ": no dynamics.jsonl, so no loss curve");
        return out;
    }

    private static void addStage(Path dir, String stage, Path f, List<TrainingStage> out, List<String> notes) {
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            notes.add(rel(dir, f) + ": unreadable (" + e.getMessage() + ")");
            return;
        }
        List<StepPoint> pts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                if (i == lines.size() - 1) {
                    notes.add(rel(dir, f) + ":" + (i + 1) + ": torn last line ignored");
                    break;
                }
                notes.add(rel(dir, f) + ":" + (i + 1) + ": not JSON (" + e.getOriginalMessage() + "); stage '" + stage + "' omitted");
                return;
            }
            if (!n.path("step").canConvertToLong()) {
                notes.add(rel(dir, f) + ":" + (i + 1) + ": field 'step' missing; stage '" + stage + "' omitted");
                return;
            }
            if (n.path("skipped").asBoolean(false)) continue; // a skipped step has no meaningful loss
            pts.add(new StepPoint(n.get("step").asLong(), num(n, "loss"), num(n, "lr"), num(n, "grad_norm"), num(n, "eval_loss")));
        }
        if (pts.isEmpty()) notes.add(rel(dir, f) + ": no steps");
        else out.add(new TrainingStage(stage, pts));
    }

    // ---- interp ----

    /**
     * interp/phase.json if the run has one; otherwise the phase analysis of the last training stage with LoRA
     * snapshots, computed now ({@code rates} give the behavioural flip).
     */
    static Phase readPhase(Path dir, List<RatePoint> rates, List<String> notes) {
        Path f = dir.resolve("interp/phase.json");
        if (!Files.isRegularFile(f)) return analyseSnapshots(dir, rates, notes);
        JsonNode n = readJson(dir, f, notes);
        if (n == null) return null;
        List<String> modules = new ArrayList<>();
        for (JsonNode m : n.path("modules")) modules.add(m.asText());
        List<PhaseRow> rows = new ArrayList<>();
        for (JsonNode r : n.path("rows")) {
            if (!r.path("step").canConvertToLong()) {
                notes.add(rel(dir, f) + ": a row has no 'step'; rotation measures omitted");
                return null;
            }
            Map<Integer, Double> local = new TreeMap<>();
            r.path("local_cosine").properties().forEach(e -> {
                try {
                    local.put(Integer.parseInt(e.getKey()), num(e.getValue()));
                } catch (NumberFormatException ignored) {
                    // keys are offsets k; anything else is not ours to plot
                }
            });
            rows.add(new PhaseRow(r.get("step").asLong(), num(r, "norm_a"), num(r, "norm_b"), num(r, "cosine_with_final"), local));
        }
        if (rows.isEmpty()) {
            notes.add(rel(dir, f) + ": no rows");
            return null;
        }
        JsonNode t = n.path("transition"), fl = n.path("flip");
        return new Phase(modules, rows, t.path("step").canConvertToLong() ? t.get("step").asLong() : null,
                t.has("continuity_cosine") ? num(t, "continuity_cosine") : null,
                fl.path("step").canConvertToLong() ? fl.get("step").asLong() : null,
                n.path("lag_steps").canConvertToLong() ? n.get("lag_steps").asLong() : null);
    }

    private static Phase analyseSnapshots(Path dir, List<RatePoint> rates, List<String> notes) {
        Path stage = null;
        for (Path s : stageDirs(dir))
            if (!list(s.resolve("snapshots"), p -> p.getFileName().toString().endsWith(".safetensors")).isEmpty()) stage = s;
        if (stage == null) {
            notes.add("interp/phase.json not found and no train/<stage>/snapshots/, so no LoRA rotation measures");
            return null;
        }
        List<PhaseAnalysis.RatePoint> rp = new ArrayList<>();
        for (RatePoint r : rates)
            if (Double.isFinite(r.misaligned().estimate())) rp.add(new PhaseAnalysis.RatePoint(r.step(), r.misaligned().estimate()));
        PhaseAnalysis.Report a;
        try {
            a = PhaseAnalysis.analyse(stage, List.of(), PhaseTransition.DEFAULT_KS, PhaseTransition.DEFAULT_EPS, rp);
        } catch (RuntimeException e) {
            notes.add(rel(dir, stage.resolve("snapshots")) + ": phase analysis failed: " + e.getMessage());
            return null;
        }
        List<PhaseRow> rows = new ArrayList<>();
        for (PhaseAnalysis.Row r : a.rows()) rows.add(new PhaseRow(r.step(), r.normA(), r.normB(), r.cosineWithFinal(), r.localCosine()));
        if (a.transition() == null)
            notes.add(rel(dir, stage.resolve("snapshots")) + ": too few snapshots for the largest offset k, so no rotation step");
        return new Phase(a.modules(), rows, a.transition() == null ? null : (long) a.transition().step(),
                a.transition() == null ? null : a.transition().continuityCosine(), a.flip() == null ? null : a.flip().step(), a.lagSteps());
    }

    /** Misaligned rate at training steps: from step-tagged eval logs, else from the rates interp/phase.json recorded. */
    static List<RatePoint> ratesOverSteps(List<EvalSet> evals, Path dir) {
        List<RatePoint> out = new ArrayList<>();
        for (EvalSet e : evals) {
            if (e.step() == null || e.metrics() == null) continue;
            EmMetrics.Rate r = e.metrics().misaligned(EmMetrics.ALL);
            out.add(new RatePoint(e.step(), r.wilson(), "evals/" + e.name() + ".jsonl"));
        }
        Path f = dir.resolve("interp/phase.json");
        if (out.isEmpty() && Files.isRegularFile(f)) {
            JsonNode n = readJson(dir, f, new ArrayList<>()); // an unreadable file is noted by readPhase
            if (n != null)
                for (JsonNode r : n.path("rates"))
                    if (r.path("step").canConvertToLong())
                        out.add(new RatePoint(r.get("step").asLong(), new Interval(num(r, "misaligned_rate"), Double.NaN, Double.NaN),
                                "interp/phase.json"));
        }
        out.sort(Comparator.comparingLong(RatePoint::step));
        return out;
    }

    static List<SteeringPoint> readSteering(Path dir, List<String> notes) {
        Path json = dir.resolve("interp/steering.json"), jsonl = dir.resolve("interp/steering.jsonl");
        List<JsonNode> items = new ArrayList<>();
        Path used;
        if (Files.isRegularFile(json)) {
            used = json;
            JsonNode n = readJson(dir, json, notes);
            if (n == null) return List.of();
            JsonNode arr = n.isArray() ? n : n.path("results");
            arr.forEach(items::add);
        } else if (Files.isRegularFile(jsonl)) {
            used = jsonl;
            if (!readJsonLines(dir, jsonl, items, notes)) return List.of();
        } else {
            notes.add("interp/steering.json not found, so no steering sweep");
            return List.of();
        }
        List<SteeringPoint> out = new ArrayList<>();
        for (JsonNode r : items) {
            JsonNode o = r.has("outcome") ? r.get("outcome") : r;
            Interval mis = o.has("misaligned") ? interval(o.get("misaligned")) : null;
            if (mis == null) mis = new Interval(num(o, "misaligned_rate"), Double.NaN, Double.NaN);
            Interval coh = o.has("coherent") ? interval(o.get("coherent")) : null;
            if (coh == null) coh = new Interval(num(o, "coherent_rate"), Double.NaN, Double.NaN);
            out.add(new SteeringPoint(r.path("intervention").asText("add"), r.path("direction").asText("-"),
                    r.path("where").asText("-"), r.path("scale").asDouble(0), o.path("n").asLong(0), mis, coh));
        }
        if (out.isEmpty()) notes.add(rel(dir, used) + ": no results");
        return out;
    }

    static List<ProbeCurve> readProbes(Path dir, List<String> notes) {
        Path f = dir.resolve("interp/probes.json");
        if (!Files.isRegularFile(f)) {
            notes.add(rel(dir, f) + " not found, so no probe ROC curves");
            return List.of();
        }
        JsonNode n = readJson(dir, f, notes);
        if (n == null) return List.of();
        JsonNode arr = n.isArray() ? n : n.path("probes");
        List<ProbeCurve> out = new ArrayList<>();
        int i = 0;
        for (JsonNode p : arr) {
            i++;
            List<Auroc.RocPoint> roc = new ArrayList<>();
            Interval auc = interval(p.get("auroc"));
            if (p.has("scores") && p.has("labels")) {
                JsonNode s = p.get("scores"), l = p.get("labels");
                if (s.size() != l.size()) {
                    notes.add(rel(dir, f) + ": probe " + i + " has " + s.size() + " scores but " + l.size() + " labels; skipped");
                    continue;
                }
                double[] sc = new double[s.size()];
                boolean[] pos = new boolean[s.size()];
                for (int k = 0; k < sc.length; k++) {
                    sc[k] = s.get(k).asDouble();
                    pos[k] = l.get(k).isBoolean() ? l.get(k).asBoolean() : l.get(k).asInt() == 1;
                }
                roc.addAll(Auroc.roc(sc, pos));
                if (auc == null) auc = new Interval(Auroc.auroc(sc, pos), Double.NaN, Double.NaN);
            } else {
                for (JsonNode pt : p.path("roc")) {
                    if (pt.isArray() && pt.size() >= 2) roc.add(new Auroc.RocPoint(Double.NaN, pt.get(0).asDouble(), pt.get(1).asDouble()));
                    else roc.add(new Auroc.RocPoint(num(pt, "threshold"), firstNum(pt, "false_positive_rate", "fpr"),
                            firstNum(pt, "true_positive_rate", "tpr")));
                }
            }
            if (auc == null) auc = roc.isEmpty() ? new Interval(Double.NaN, Double.NaN, Double.NaN)
                    : new Interval(Auroc.trapezoidArea(roc), Double.NaN, Double.NaN);
            out.add(new ProbeCurve(p.path("hook").asText("?"), p.path("probe").asText(""), auc, p.path("positives").asInt(0),
                    p.path("negatives").asInt(0), p.path("detail").asText(""), roc));
        }
        if (out.isEmpty()) notes.add(rel(dir, f) + ": no probes");
        return out;
    }

    /** detect/auroc.json in the run, else in the runs folder above it (detectors are scored across organisms). */
    static List<DetectorCell> readDetectors(Path dir, List<String> notes) {
        Path f = dir.resolve("detect/auroc.json");
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (!Files.isRegularFile(f) && parent != null && Files.isRegularFile(parent.resolve("detect/auroc.json")))
            f = parent.resolve("detect/auroc.json");
        if (!Files.isRegularFile(f)) {
            notes.add("detect/auroc.json not found (in the run or the runs folder), so no detector table");
            return List.of();
        }
        JsonNode n = readJson(dir, f, notes);
        if (n == null) return List.of();
        List<DetectorCell> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode c : n) {
                Interval a = interval(c.get("auroc"));
                String det = firstText(c, "detector"), fam = firstText(c, "family", "organism_family");
                if (a != null && det != null && fam != null) out.add(new DetectorCell(det, fam, a, c.path("n").asLong(0)));
            }
        } else if (n.isObject()) { // {detector: {family: auroc}}
            n.properties().forEach(d -> d.getValue().properties().forEach(fam -> {
                Interval a = interval(fam.getValue());
                if (a != null) out.add(new DetectorCell(d.getKey(), fam.getKey(), a, fam.getValue().path("n").asLong(0)));
            }));
        }
        if (out.isEmpty()) notes.add(f + ": no detector x family cells");
        return out;
    }

    // ---- JSON helpers ----

    /** Parses a JSON file; on failure notes file:line:column and the reason and returns null. */
    static JsonNode readJson(Path dir, Path f, List<String> notes) {
        try {
            return JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            notes.add(rel(dir, f) + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr()) + ": not valid JSON ("
                    + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            notes.add(rel(dir, f) + ": unreadable (" + e.getMessage() + ")");
        }
        return null;
    }

    private static boolean readJsonLines(Path dir, Path f, List<JsonNode> out, List<String> notes) {
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) continue;
                try {
                    out.add(JSON.readTree(lines.get(i)));
                } catch (JsonProcessingException e) {
                    if (i == lines.size() - 1) break; // torn last line of an interrupted sweep
                    notes.add(rel(dir, f) + ":" + (i + 1) + ": not JSON (" + e.getOriginalMessage() + ")");
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            notes.add(rel(dir, f) + ": unreadable (" + e.getMessage() + ")");
            return false;
        }
    }

    /**
     * An interval from a number, [estimate, lower, upper], or an object with estimate|value|rate|mean and
     * lower/upper (or ci: [lower, upper]); null if the node is none of these.
     */
    static Interval interval(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isNumber() || n.isTextual() && isNumberText(n.asText())) return new Interval(n.asDouble(), Double.NaN, Double.NaN);
        if (n.isArray() && n.size() == 3) return new Interval(n.get(0).asDouble(), n.get(1).asDouble(), n.get(2).asDouble());
        if (!n.isObject()) return null;
        JsonNode est = null;
        for (String k : List.of("estimate", "value", "rate", "mean", "auroc")) if (n.has(k)) { est = n.get(k); break; }
        if (est == null) return null;
        if (est.isObject()) return interval(est);
        double lo = firstNum(n, "lower", "low", "lo"), hi = firstNum(n, "upper", "high", "hi");
        JsonNode ci = n.get("ci");
        if (ci != null && ci.isArray() && ci.size() == 2) {
            lo = ci.get(0).asDouble();
            hi = ci.get(1).asDouble();
        }
        return new Interval(num(est), lo, hi);
    }

    private static boolean isNumberText(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static double num(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return Double.NaN;
        if (n.isNumber()) return n.asDouble();
        return n.isTextual() && isNumberText(n.asText()) ? Double.parseDouble(n.asText()) : Double.NaN;
    }

    private static double num(JsonNode n, String field) {
        return num(n.get(field));
    }

    private static double firstNum(JsonNode n, String... fields) {
        for (String f : fields) if (n.has(f)) return num(n.get(f));
        return Double.NaN;
    }

    private static long firstLong(JsonNode n, String... fields) {
        for (String f : fields) if (n.path(f).canConvertToLong()) return n.get(f).asLong();
        return 0;
    }

    private static String firstText(JsonNode n, String... fields) {
        for (String f : fields) if (n.hasNonNull(f)) return n.get(f).asText();
        return null;
    }

    private static JsonNode field(JsonNode n, Set<String> used, String... names) {
        for (String f : names) {
            if (n.has(f)) {
                used.add(f);
                return n.get(f);
            }
        }
        return null;
    }

    private static String text(JsonNode n, Set<String> used, String... names) {
        JsonNode v = field(n, used, names);
        return v == null || v.isNull() ? null : scalar(v);
    }

    private static String scalar(JsonNode v) {
        return v.isValueNode() ? v.asText() : v.toString();
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** A path as the run sees it (relative to the run folder) so notes read the same wherever runs live. */
    static String rel(Path dir, Path f) {
        try {
            return dir.toAbsolutePath().normalize().relativize(f.toAbsolutePath().normalize()).toString();
        } catch (IllegalArgumentException e) {
            return f.toString();
        }
    }

}
