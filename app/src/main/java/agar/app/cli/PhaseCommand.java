package agar.app.cli;

import agar.engine.util.AtomicFiles;
import agar.lab.interp.PhaseAnalysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** agar phase: the LoRA B rotation of a training run, and its lag to the behavioural flip. */
@Command(name = "phase", mixinStandardHelpOptions = true,
        description = {"Reads a LoRA training run (dynamics.jsonl and snapshots/step-NNNNNN.safetensors) and prints, per "
                + "snapshot, |A|, |B|, cos(B, B_final), the local cosines cos(B[t-k]-B[t], B[t+k]-B[t]) and the grad "
                + "norm; the step where B rotates (the sharpest dip of continuity); and, given misaligned rates at "
                + "checkpoints, the behavioural flip (first checkpoint halfway from the first to the last rate) and "
                + "the lag between the two.",
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

    @Override
    public Integer call() throws Exception {
        List<PhaseAnalysis.RatePoint> rp = rates == null ? List.of() : readRates(rates);
        PhaseAnalysis.Report r = PhaseAnalysis.analyse(run, modules == null ? List.of() : modules, ks, eps, rp);
        System.out.print(PhaseAnalysis.table(r));
        if (json != null) AtomicFiles.writeString(json, PhaseAnalysis.json(r)); // creates RUN/interp/ if need be
        return 0;
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
