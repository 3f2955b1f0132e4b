package agar.engine.bench;

import agar.engine.blas.Gemm;
import agar.engine.model.Config;
import agar.engine.model.RandomWeights;
import agar.engine.model.Tensor;
import agar.engine.model.Weights;
import agar.engine.nn.Decoder;
import agar.engine.train.AdamW;
import agar.engine.train.Lora;
import agar.engine.train.LoraConfig;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training throughput: tokens/s of forward + backward + AdamW, and MFU = 6 * params * tokens / time over the
 * measured sgemm peak. Two cases: full fine-tuning of a micro model (d=256, 4 layers) and rank-32 LoRA on all 7
 * projections of a random Qwen2-0.5B-shaped model. (For LoRA the 6*N*T convention overstates the work, since
 * frozen weights need no weight gradient; it is reported as is so numbers compare across engines.)
 */
public final class TrainBench {
    private TrainBench() {}

    /**
     * Unmeasured steps first: the JIT compiles the kernels during the first few. On the shared 2-core machine the micro
     * model's steps 1-3 took 6-9 s, 3 s and 1.3 s, then ~0.5 s; with one warm-up step the mean of 3 measured steps was
     * mostly compile time, not training speed.
     */
    static final int WARMUP_STEPS = 3;

    /** One measured case. */
    public record Result(String name, long params, long trainable, int tokensPerStep, double tokensPerSecond,
                         double mfu) {}

    /** Best-of-3 GFLOP/s of an n x n x n sgemm through {@link Gemm}. */
    public static double peakGflops(int n) {
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
            b[i] = (float) r.nextGaussian();
        }
        double best = 0;
        for (int rep = 0; rep < 4; rep++) {
            long t0 = System.nanoTime();
            Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
            double s = (System.nanoTime() - t0) / 1e9;
            if (rep > 0) best = Math.max(best, 2.0 * n * n * n / s / 1e9);
        }
        return best;
    }

    /** Runs the cases whose names are in {@code cases} ("micro", "lora"). */
    public static List<Result> run(List<String> cases, int steps, int batch, int seqLen, PrintStream out) {
        double peak = peakGflops(2048);
        out.printf(Locale.ROOT, "sgemm peak (%s, 2048^3): %.1f GFLOP/s; %d steps of %d x %d tokens%n",
                Gemm.backend().name(), peak, steps, batch, seqLen);
        List<Result> results = new java.util.ArrayList<>();
        if (cases.contains("micro")) {
            Config micro = qwen2(4096, 256, 688, 4, 4, 2, 64, true);
            results.add(measure("micro full fine-tune (d=256, 4 layers)", RandomWeights.create(micro, 1), null,
                    steps, batch, seqLen, peak));
            out.println(format(results.getLast()));
        }
        if (cases.contains("lora")) {
            LoraConfig r32 = new LoraConfig(32, 64, true, 0, new LoraConfig.TargetModules.AllLinear(), null, null,
                    Map.of(), Map.of(), null, null);
            results.add(measure("Qwen2-0.5B shape, LoRA r=32 all 7 projections",
                    RandomWeights.create(qwen2HalfB(), 1), r32, steps, batch, seqLen, peak));
            out.println(format(results.getLast()));
        }
        return results;
    }

    static Result measure(String name, Weights w, LoraConfig lora, int steps, int batch, int seqLen, double peak) {
        List<Tensor> params;
        if (lora != null) {
            for (Tensor t : w.tensors()) t.setTrainable(false);
            Lora.attach(w, lora, 0);
            params = Lora.tensors(w);
        } else {
            params = w.tensors();
            for (Tensor t : params) t.setTrainable(true);
        }
        AdamW opt = new AdamW(AdamW.Hyper.TORCH_DEFAULTS, params);
        Decoder d = new Decoder(w);
        SplittableRandom r = new SplittableRandom(2);
        int[][] tokens = new int[batch][seqLen];
        float[][] weight = new float[batch][seqLen];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < seqLen; t++) {
                tokens[b][t] = r.nextInt(w.config().vocabSize());
                weight[b][t] = t == 0 ? 0 : 1f / (batch * (seqLen - 1));
            }
        long elapsed = 0;
        for (int s = -WARMUP_STEPS; s < steps; s++) {
            long t0 = System.nanoTime();
            for (Tensor p : params) p.zeroGrad();
            d.lossAndBackward(tokens, weight);
            opt.step(1e-5);
            if (s >= 0) elapsed += System.nanoTime() - t0;
        }
        long n = w.config().parameterCount();
        long trainable = params.stream().mapToLong(Tensor::numel).sum();
        double tps = (double) steps * batch * seqLen / (elapsed / 1e9);
        double mfu = 6.0 * n * tps / (peak * 1e9);
        return new Result(name, n, trainable, batch * seqLen, tps, mfu);
    }

    /** A Qwen2-style config: q/k/v bias, tied embeddings when {@code tied}. */
    public static Config qwen2(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads,
                               int headDim, boolean tied) {
        return new Config("Qwen2ForCausalLM", "qwen2", vocab, hidden, intermediate, layers, heads, kvHeads, headDim,
                1e-6, 1_000_000.0, null, 4096, tied, true, null, List.of(vocab - 1), "float32");
    }

    /** The shape of Qwen2.5-0.5B: 24 layers, d=896, 14 heads (2 KV), intermediate 4864, vocab 151936, tied. */
    public static Config qwen2HalfB() {
        return qwen2(151_936, 896, 4864, 24, 14, 2, 64, true);
    }

    public static String format(Result r) {
        return String.format(Locale.ROOT, "%-48s params %,d (trainable %,d)  %,.0f tokens/s  MFU %.1f%%",
                r.name(), r.params(), r.trainable(), r.tokensPerSecond(), 100 * r.mfu());
    }
}
