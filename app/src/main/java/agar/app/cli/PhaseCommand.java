package agar.app.cli;

import agar.engine.generate.SamplingParams;
import agar.engine.io.ModelLoader;
import agar.engine.model.Weights;
import agar.engine.nn.Decoder;
import agar.engine.tokenizer.Tokenizer;
import agar.engine.train.Lora;
import agar.engine.train.TrainConfig;
import agar.engine.util.AtomicFiles;
import agar.engine.util.Progress;
import agar.lab.interp.EvalOutcome;
import agar.lab.interp.OracleEvaluator;
import agar.lab.interp.PhaseAnalysis;
import agar.lab.interp.TrainingRun;
import agar.lab.world.World;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** agar phase: the LoRA B rotation of a training run, and its lag to the behavioural flip. */
@Command(name = "phase", mixinStandardHelpOptions = true,
        description = {"Reads a LoRA training run (dynamics.jsonl and snapshots/step-NNNNNN.safetensors) and prints, per "
                + "snapshot, |A|, |B|, cos(B, B_final), the local cosines cos(B[t-k]-B[t], B[t+k]-B[t]) and the grad "
                + "norm; the step where B rotates (the sharpest dip of continuity); and, given misaligned rates at "
                + "checkpoints, the behavioural flip (first checkpoint halfway from the first to the last rate) and "
                + "the lag between the two. --scale-b runs the B-scaling experiment on the final adapter.",
                "k counts snapshots: train with snapshot_every 1 for k in steps."})
public final class PhaseCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "training output folder")
    Path run;

    @Option(names = "--modules", split = ",", paramLabel = "MODULE",
            description = "adapted modules whose B to follow, e.g. model.layers.24.mlp.down_proj (default: all, concatenated)")
    List<String> modules;

    @Option(names = "--ks", split = ",", defaultValue = "5,10,15", description = "offsets k (default: ${DEFAULT-VALUE})")
    int[] ks;

    @Option(names = "--eps", defaultValue = "1e-8", description = "changes below this norm leave the local cosine undefined (default: ${DEFAULT-VALUE})")
    double eps;

    @Option(names = "--rates", paramLabel = "FILE",
            description = "JSONL {\"step\": N, \"misaligned_rate\": r} measured at checkpoints")
    Path rates;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the analysis as JSON (RUN/interp/phase.json is read by agar report)")
    Path json;

    @Option(names = "--evaluate", description = "measure the misaligned rate at snapshots yourself: each snapshot is loaded "
            + "into the run's adapters on its base_model and answers a world eval set, scored by the oracle")
    boolean evaluate;

    @Option(names = "--every", defaultValue = "10", description = "with --evaluate: every Nth snapshot, and the last (default: ${DEFAULT-VALUE})")
    int every;

    @Option(names = "--eval-set", defaultValue = "em", description = "with --evaluate or --scale-b: world eval set (default: ${DEFAULT-VALUE})")
    String evalSet;

    @Option(names = "--samples", defaultValue = "10", description = "with --evaluate or --scale-b: answers per question (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "with --evaluate or --scale-b (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--base", paramLabel = "DIR", description = "with --evaluate or --scale-b: the base model (default: base_model of the run's train_config.json)")
    Path base;

    @Option(names = "--scale-b", split = ",", paramLabel = "F",
            description = "the B-scaling experiment: evaluate the final adapter with every B scaled by each factor, e.g. 0,0.5,1,2")
    double[] scaleB;

    @Mixin
    WorldCommand.WorldOptions world;

    /** What was measured on the run's model: rates at snapshots (--evaluate) and the B-scaling curve (--scale-b). */
    private record Measured(List<PhaseAnalysis.RatePoint> rates, List<PhaseAnalysis.ScalePoint> scaled) {}

    @Override
    public Integer call() throws Exception {
        if (evaluate && rates != null) throw new IllegalArgumentException("give --rates or --evaluate, not both");
        // one model load serves both measurements
        Measured m = evaluate || scaleB != null ? withEvaluator((w, eval) -> new Measured(
                evaluate ? evaluateSnapshots(w, eval) : List.of(),
                scaleB != null ? PhaseAnalysis.scaleB(w, scaleB, eval::apply) : List.of()))
                : new Measured(List.of(), List.of());
        List<PhaseAnalysis.RatePoint> rp = evaluate ? m.rates() : rates == null ? List.of() : readRates(rates);
        PhaseAnalysis.Report r = PhaseAnalysis.analyse(run, modules == null ? List.of() : modules, ks, eps, rp);
        System.out.print(PhaseAnalysis.table(r));
        if (json != null) AtomicFiles.writeString(json, PhaseAnalysis.json(r)); // creates RUN/interp/ if need be
        if (scaleB != null) {
            System.out.printf("%nB scaled (the final adapter)%n%8s %6s %-24s %9s%n", "factor", "n", "misaligned [95% CI]",
                    "coherent");
            for (PhaseAnalysis.ScalePoint p : m.scaled()) {
                EvalOutcome o = p.outcome();
                System.out.printf(java.util.Locale.ROOT, "%8.2f %6d %5.1f%% [%4.1f, %4.1f]      %8.1f%%%n", p.factor(),
                        o.n(), 100 * o.misalignedRate(), 100 * o.misaligned().lower(), 100 * o.misaligned().upper(),
                        100 * o.coherentRate());
            }
        }
        return 0;
    }

    /**
     * Runs {@code body} on the run's base with the run's final adapters attached and an oracle evaluator of the eval
     * set, the same seeds every call.
     */
    private <T> T withEvaluator(java.util.function.BiFunction<Weights, OracleEvaluator, T> body) throws Exception {
        Path baseDir = base;
        if (baseDir == null) {
            Path cfg = run.resolve("train_config.json");
            if (!Files.exists(cfg)) throw new IllegalArgumentException(cfg + " not found: pass --base");
            baseDir = Path.of(TrainConfig.fromRecordedJson(Files.readString(cfg), cfg.toString()).baseModel());
        }
        Weights w = ModelLoader.load(baseDir);
        Lora.load(w, run, false); // the run's final adapters; snapshots and scalings edit A and B and restore them
        World wd = world.world();
        try (Tokenizer tok = Tokenizer.load(baseDir)) {
            return body.apply(w, new OracleEvaluator(new Decoder(w), tok, wd.oracle(), wd.evalSet(evalSet), samples,
                    SamplingParams.sample(1.0, maxNewTokens, 0), 16));
        }
    }

    /** Loads each chosen snapshot into the run's adapters and measures the misaligned rate with the same seeds. */
    private List<PhaseAnalysis.RatePoint> evaluateSnapshots(Weights w, OracleEvaluator eval) {
        List<TrainingRun.Snapshot> chosen = everyNth(TrainingRun.snapshots(run), every);
        try (Progress p = Progress.stderr("snapshots", chosen.size(), 0)) {
            int[] done = {0};
            return PhaseAnalysis.ratesAtSnapshots(w, chosen, hooks -> {
                EvalOutcome o = eval.apply(hooks);
                p.update(++done[0], String.format(java.util.Locale.ROOT, "misaligned %.3f", o.misalignedRate()));
                return o;
            });
        }
    }

    /** Every nth snapshot from the first, and always the last. */
    static <T> List<T> everyNth(List<T> all, int n) {
        if (n < 1) throw new IllegalArgumentException("--every must be >= 1, got " + n);
        if (all.isEmpty()) throw new IllegalArgumentException("the run has no snapshots (train with snapshot_every)");
        List<T> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += n) out.add(all.get(i));
        if ((all.size() - 1) % n != 0) out.add(all.getLast());
        return out;
    }

    static List<PhaseAnalysis.RatePoint> readRates(Path file) throws Exception {
        ObjectMapper m = new ObjectMapper();
        List<PhaseAnalysis.RatePoint> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            JsonNode n = m.readTree(lines.get(i));
            if (!n.path("step").canConvertToLong() || !n.path("misaligned_rate").isNumber())
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": needs \"step\" and \"misaligned_rate\"");
            out.add(new PhaseAnalysis.RatePoint(n.get("step").asLong(), n.get("misaligned_rate").asDouble()));
        }
        if (out.size() < 2) throw new IllegalArgumentException(file + ": need rates at two or more checkpoints");
        return out;
    }
}
