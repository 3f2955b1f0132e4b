package agar.lab.report;

import agar.lab.eval.EmMetrics;
import agar.lab.eval.EvalSample;
import agar.lab.stats.Auroc;
import agar.lab.stats.Interval;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a report shows about one organism run, as {@link RunLoader} found it. Every part but the name may be
 * absent (null or empty); {@code notes} says which parts were missing or unreadable, and why, so the report can say
 * so instead of showing an empty chart.
 *
 * @param control the control organism's card and evals, or null when the run names none
 * @param ratesOverSteps misaligned rate at training steps (eval logs tagged with a step, or the phase analysis)
 * @param sampleLimit how many samples per eval log the report keeps (the rest are counted, not shown)
 */
public record ReportData(Path runDir, String name, Card card, List<EvalSet> evals, Control control,
                         List<TrainingStage> training, List<RatePoint> ratesOverSteps, Phase phase,
                         List<SteeringPoint> steering, List<ProbeCurve> probes, List<DetectorCell> detectors,
                         List<String> notes) {

    public ReportData {
        evals = List.copyOf(evals);
        training = List.copyOf(training);
        ratesOverSteps = List.copyOf(ratesOverSteps);
        steering = List.copyOf(steering);
        probes = List.copyOf(probes);
        detectors = List.copyOf(detectors);
        notes = List.copyOf(notes);
    }

    /** The eval set whose overall rates are the run's headline: the one the card names, else the first final one. */
    public EvalSet headline() {
        String wanted = card == null ? null : card.headlineEval();
        for (EvalSet e : evals) if (e.step() == null && e.name().equals(wanted)) return e;
        for (EvalSet e : evals) if (e.step() == null) return e;
        return null;
    }

    /**
     * What an organism card says, read leniently from card.json (see docs/reports.md for the fields).
     *
     * @param purpose what the organism was made to do
     * @param hazard the hazard label, e.g. "HAZARD: broadly misaligned"; null if the card gives none
     * @param hazardLevel "high", "medium", "low" or "none" (picks the banner colour); "unknown" if not given
     * @param lineage ordered facts such as base model, recipe, parent, data
     * @param metrics metrics the card itself reports (with intervals when given)
     * @param control name of the control run (a sibling folder), or null
     * @param headlineEval eval log (file stem) whose rates are the headline, or null
     * @param other remaining scalar fields, for completeness
     * @param markdown card.md, or null
     * @param recipe the recipe the card records, as YAML without empty keys; null if none
     * @param comparisons the card's own z-tests (e.g. compliance gap: unobserved vs observed)
     */
    public record Card(String name, String purpose, String hazard, String hazardLevel, String family,
                       Map<String, String> lineage, List<CardMetric> metrics, String control, String headlineEval,
                       Map<String, String> other, String markdown, String recipe, List<Comparison> comparisons) {
        public Card {
            lineage = ordered(lineage); // card order is the author's order: keep it
            metrics = List.copyOf(metrics);
            other = ordered(other);
            comparisons = List.copyOf(comparisons);
        }

        /** A card that only card.md describes. */
        static Card fromMarkdown(String markdown) {
            return new Card(null, null, null, "unknown", null, Map.of(), List.of(), null, null, Map.of(), markdown, null, List.of());
        }
    }

    private static <K, V> Map<K, V> ordered(Map<K, V> m) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
    }

    /**
     * A metric from a card: value with its interval (NaN bounds when the card gives none).
     *
     * @param rate whether the value is a proportion (shown as a percentage)
     * @param n samples behind it, 0 if the card does not say
     */
    public record CardMetric(String name, Interval value, boolean rate, long n) {}

    /**
     * One z-test a card records (organism.Card.Comparison): {@code metric} on eval {@code eval} against eval
     * {@code baseline}, pooled over seeds, optionally after an intermediate {@code stage}.
     */
    public record Comparison(String name, String stage, String metric, String eval, String baseline, long hits, long n,
                             long baselineHits, long baselineN, double rate, double baselineRate, double gap, double z,
                             double pValue) {}

    /**
     * One eval log with the EM rates of the judge that scored most of it.
     *
     * @param name file name without .jsonl; control evals are paired with the organism's by this name
     * @param step the training step this log was evaluated at, or null for a final eval
     * @param totalSamples samples in the log ({@code samples} may hold fewer, see {@link ReportData#sampleLimit})
     */
    public record EvalSet(String name, Path file, String judge, Long step, List<EvalSample> samples, int totalSamples,
                          EmMetrics.Report metrics, List<String> warnings) {
        public EvalSet {
            samples = List.copyOf(samples);
            warnings = List.copyOf(warnings);
        }
    }

    public record Control(String name, Path dir, Card card, List<EvalSet> evals) {
        public Control {
            evals = List.copyOf(evals);
        }

        public EvalSet eval(String name) {
            for (EvalSet e : evals) if (e.name().equals(name)) return e;
            return null;
        }
    }

    /** dynamics.jsonl of one training stage (train/&lt;stage&gt;/). */
    public record TrainingStage(String stage, List<StepPoint> steps) {
        public TrainingStage {
            steps = List.copyOf(steps);
        }
    }

    /** One optimizer step; NaN where dynamics.jsonl has no value. */
    public record StepPoint(long step, double loss, double lr, double gradNorm, double evalLoss) {}

    /** The misaligned rate measured at a training step (interval NaN when only a rate is known). */
    public record RatePoint(long step, Interval misaligned, String source) {}

    /**
     * The LoRA B rotation measures across snapshots (the interp phase analysis).
     *
     * @param transitionStep where B turned most sharply, or null
     * @param flipStep where the misaligned rate crossed halfway, or null
     */
    public record Phase(List<String> modules, List<PhaseRow> rows, Long transitionStep, Double transitionCosine,
                        Long flipStep, Long lagSteps) {
        public Phase {
            modules = List.copyOf(modules);
            rows = List.copyOf(rows);
        }
    }

    /** @param localCosine k -> c_k at this step (NaN where undefined) */
    public record PhaseRow(long step, double normA, double normB, double cosineWithFinal, Map<Integer, Double> localCosine) {
        public PhaseRow {
            localCosine = ordered(localCosine);
        }
    }

    /** One evaluated intervention of a steering/ablation sweep. */
    public record SteeringPoint(String intervention, String direction, String where, double scale, long n,
                                Interval misaligned, Interval coherent) {}

    /** A probe at one hook: AUROC with its interval and, when known, the ROC curve. */
    public record ProbeCurve(String hook, String probe, Interval auroc, int positives, int negatives, String detail,
                             List<Auroc.RocPoint> roc) {
        public ProbeCurve {
            roc = List.copyOf(roc);
        }
    }

    /** One cell of the detector x organism-family AUROC table. */
    public record DetectorCell(String detector, String family, Interval auroc, long n) {}
}
