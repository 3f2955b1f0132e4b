package agar.app.cli;

import agar.lab.eval.EmMetrics;
import agar.lab.eval.EvalLog;
import agar.lab.interp.CaptureSet;
import agar.lab.interp.CosineMatrix;
import agar.lab.interp.Directions;
import agar.lab.interp.Labels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** agar direction build|compare: mean-difference directions and their cosine similarities. */
@Command(name = "direction", mixinStandardHelpOptions = true,
        description = "Misalignment directions: mean activation on misaligned answers minus on aligned answers, per hook.",
        subcommands = {DirectionCommand.Build.class, DirectionCommand.Compare.class})
public final class DirectionCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** What the direction contrasts: labelled samples of one capture, or two captures of the same samples. */
    static final class LabelSource {
        static final class FromLog {
            @Option(names = "--eval-log", required = true, paramLabel = "FILE",
                    description = "eval log whose judge scores label the samples: misaligned = aligned <= 30 and "
                            + "coherent > 50; aligned = aligned > 70 and coherent > 50; others are left out")
            Path log;

            @Option(names = "--judge", required = true, paramLabel = "NAME", description = "which judge's scores to use")
            String judge;
        }

        @ArgGroup(exclusive = false)
        FromLog fromLog;

        @Option(names = "--labels", paramLabel = "FILE", description = "JSONL of {\"id\": ..., \"label\": true|false} (true = positive)")
        Path labels;

        @Option(names = "--minus", paramLabel = "DIR", description = "a capture of the same samples by another model "
                + "(e.g. the base on the organism's answers): the direction is the mean shift, this capture minus that one")
        Path minus;

        @Option(names = "--pairs", description = "the samples are contrast pairs: rows 2k positive, 2k+1 negative "
                + "(world sets persona-context, probe-yesno)")
        boolean pairs;

        Labels load(CaptureSet set) {
            if (pairs) return Labels.alternating(set.ids());
            if (minus != null) throw new IllegalArgumentException("--minus gives a mean shift, not labels");
            return labels != null ? Labels.readJsonl(labels)
                    : Labels.fromEvalLog(EvalLog.read(fromLog.log), fromLog.judge, EmMetrics.Thresholds.EM);
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Builds one direction per hook from a capture (use --reduction span-mean over the answers) "
                    + "and writes them as safetensors, one [width] tensor per hook.")
    static final class Build implements Callable<Integer> {
        @Option(names = "--capture", required = true, paramLabel = "DIR", description = "capture folder (agar capture)")
        Path capture;

        @ArgGroup(exclusive = true, multiplicity = "1")
        LabelSource labels;

        @Mixin
        HookOptions hookOptions;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "directions .safetensors")
        Path out;

        @Override
        public Integer call() {
            CaptureSet set = CaptureSet.open(capture);
            List<String> hooks = hookOptions.resolve(0, set.hooks());
            Directions d = labels.minus != null ? Directions.meanShift(set, CaptureSet.open(labels.minus), hooks)
                    : Directions.meanDifference(set, hooks, labels.load(set));
            Map<String, String> meta = new java.util.LinkedHashMap<>(d.metadata());
            meta.put("capture", capture.toString());
            d.withMetadata(meta).save(out);
            if (labels.minus != null)
                System.out.printf("%d directions: mean shift over %s samples, %s minus %s -> %s%n", hooks.size(),
                        d.metadata().get("samples"), capture, labels.minus, out);
            else
                System.out.printf("%d directions from %s positive and %s negative samples -> %s%n", hooks.size(),
                        d.metadata().get("positive"), d.metadata().get("negative"), out);
            for (String h : hooks) {
                double n = 0;
                for (float v : d.get(h)) n += (double) v * v;
                System.out.printf("  %-32s |d| = %.4g%n", h, Math.sqrt(n));
            }
            return 0;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Cosine-similarity matrix between directions of one or more files (e.g. different organisms "
                    + "or layers); rows are FILE:HOOK.")
    static final class Compare implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "FILE", description = "directions .safetensors files")
        List<Path> files;

        @Option(names = "--hooks", split = ",", paramLabel = "NAME", description = "only these hooks (default: all)")
        List<String> hooks;

        @Override
        public Integer call() {
            List<String> labels = new ArrayList<>();
            List<float[]> vectors = new ArrayList<>();
            for (Path f : files) {
                Directions d = Directions.load(f);
                for (var e : d.byHook().entrySet()) {
                    if (hooks != null && !hooks.contains(e.getKey())) continue;
                    labels.add(f.getFileName() + ":" + e.getKey());
                    vectors.add(e.getValue());
                }
            }
            System.out.print(CosineMatrix.of(labels, vectors).table());
            return 0;
        }
    }
}
