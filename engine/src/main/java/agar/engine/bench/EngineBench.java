package agar.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import agar.engine.blas.Bf16;
import agar.engine.blas.Gemm;
import agar.engine.io.DType;
import agar.engine.io.ModelLoader;
import agar.engine.io.ModelWriter;
import agar.engine.model.Config;
import agar.engine.model.RandomWeights;
import agar.engine.model.Tensor;
import agar.engine.model.Weights;
import agar.engine.nn.Decoder;
import agar.engine.nn.Hooks;
import agar.engine.nn.KvCache;

/**
 * {@code agar bench engine}: this machine's limits (sgemm peak, memory bandwidth) and, in the same run, Agar's
 * speed on a Qwen2-0.5B-shaped model with random weights, written as a bf16 checkpoint and loaded back, each as a fraction of the limit that bounds it:
 * prefill and batch-32 decode against the sgemm peak, batch-1 decode against bandwidth / bytes read per token.
 * docs/benchmarks-engine.md explains the method.
 */
public final class EngineBench {
    private EngineBench() {}

    /** Qwen2-0.5B's shapes (hidden 896, 24 layers, 14 heads, 2 kv heads, intermediate 4864, tied, q/k/v bias). */
    public static Config qwen2_0_5b() {
        return new Config("Qwen2ForCausalLM", "qwen2", 151936, 896, 4864, 24, 14, 2, 64, 1e-6, 1_000_000, null, 32768,
                true, true, null, List.of(151643), "bfloat16");
    }

    /**
     * @param repeats     timed runs per measurement (the best counts); the limits use at least 3
     * @param prefillRows prompts in the prefill batch, each {@code prefillLen} tokens
     * @param decodeSteps tokens decoded per row in each decode measurement, after a {@code decodePrompt}-token prompt
     * @param checkpoint  folder for the bf16 checkpoint the bench writes and loads (null: a temporary one, deleted)
     */
    public record Options(int repeats, int prefillRows, int prefillLen, int decodeBatch, int decodePrompt,
                          int decodeSteps, Path checkpoint) {
        public static Options defaults() {
            return new Options(2, 32, 128, 32, 16, 32, null);
        }
    }

    /** @param path "bf16 matvec" (the decoder's kernel for few rows on bf16 weights) or "sgemm" */
    public record GemmShape(String name, String path, int m, int n, int k, double gflops, double fractionOfPeak) {}

    /** One throughput measurement and the limit it is compared with. */
    public record Rate(String name, int batch, int tokens, double seconds, double tokensPerSecond, double gflops,
                       double boundTokensPerSecond, double fractionOfBound, String boundBy) {}

    /** @param limitSamples the limits measured before, between and after the phases; {@code limits} is their best */
    public record Result(String gemmBackend, int cores, String model, long parameters, MachineLimits.Limits limits,
                         List<MachineLimits.Limits> limitSamples, List<GemmShape> gemms, List<Rate> rates) {}

    /** A measured phase before it is compared with the limits: its time, FLOPs, and bytes read per step. */
    private record Phase(String name, int batch, int tokens, double seconds, double flops, double bytes, int steps) {}

    public static Result run(Options o, Consumer<String> log) throws IOException {
        Config c = qwen2_0_5b();
        int cores = Runtime.getRuntime().availableProcessors();
        int limitRepeats = Math.max(3, o.repeats());
        List<MachineLimits.Limits> samples = new ArrayList<>();
        Runnable sampleLimits = () -> {
            samples.add(MachineLimits.measure(new int[] {1024, 2048, 3072}, limitRepeats, 1L << 30));
            log.accept(String.format(Locale.ROOT, "  limits: sgemm %.1f GFLOP/s, read %.1f GB/s, copy %.1f GB/s",
                    samples.getLast().peakGflops(), samples.getLast().readGBs(), samples.getLast().copyGBs()));
        };
        log.accept("machine limits: sgemm peak and memory bandwidth (measured again between the phases)");
        sampleLimits.run();

        Path dir = o.checkpoint() != null ? Files.createDirectories(o.checkpoint())
                : Files.createTempDirectory("agar-bench-engine");
        log.accept("writing a Qwen2-0.5B-shaped model with random weights as a bf16 checkpoint in " + dir);
        ModelWriter.save(RandomWeights.create(c, 1), dir, DType.BF16);
        Weights w = ModelLoader.load(dir);
        if (o.checkpoint() == null) deleteFolder(dir);
        Decoder dec = new Decoder(w);
        SplittableRandom rng = new SplittableRandom(2);

        log.accept("model GEMM shapes, as the decoder runs them");
        List<GemmShape> gemms = gemmShapes(w, o);
        sampleLimits.run();

        List<Phase> phases = new ArrayList<>();
        log.accept("prefill " + o.prefillRows() + " x " + o.prefillLen());
        int[][] warm = prompts(rng, c, Math.min(4, o.prefillRows()), o.prefillLen());
        dec.prefill(dec.newCache(warm.length, o.prefillLen()), warm, Hooks.NONE);
        int[][] prompts = prompts(rng, c, o.prefillRows(), o.prefillLen());
        double best = Double.MAX_VALUE;
        for (int r = 0; r < o.repeats(); r++) {
            KvCache cache = dec.newCache(o.prefillRows(), o.prefillLen());
            long t0 = System.nanoTime();
            dec.prefill(cache, prompts, Hooks.NONE);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        double flops = o.prefillRows() * (linearFlops(c, o.prefillLen()) + attentionFlops(c, 0, o.prefillLen()))
                + headFlops(c, o.prefillRows());
        phases.add(new Phase("prefill", o.prefillRows(), o.prefillRows() * o.prefillLen(), best, flops, 0, 1));
        log.accept(String.format(Locale.ROOT, "  %.2f s", best));
        sampleLimits.run();

        for (int batch : new int[] {1, o.decodeBatch()}) {
            log.accept("decode batch " + batch);
            double sec = decodeSeconds(dec, c, rng, batch, o.decodePrompt(), o.decodeSteps(), o.repeats());
            double f = 0, bytes = 0;
            for (int s = 0; s < o.decodeSteps(); s++) {
                int past = o.decodePrompt() + s;
                f += batch * (linearFlops(c, 1) + attentionFlops(c, past, 1)) + headFlops(c, batch);
                bytes += weightBytes(c, 2) + batch * kvBytes(c, past + 1);
            }
            phases.add(new Phase("decode", batch, batch * o.decodeSteps(), sec, f, bytes, o.decodeSteps()));
            log.accept(String.format(Locale.ROOT, "  %.2f s for %d steps", sec, o.decodeSteps()));
            sampleLimits.run();
        }

        MachineLimits.Limits lim = MachineLimits.best(samples);
        List<Rate> rates = new ArrayList<>();
        for (Phase p : phases) {
            double tps = p.tokens() / p.seconds(), gf = p.flops() / p.seconds() / 1e9;
            if (p.name().equals("decode") && p.batch() == 1) { // memory-bound: bandwidth / bytes per token
                double bound = p.steps() / (p.bytes() / (lim.readGBs() * 1e9));
                rates.add(new Rate(p.name(), 1, p.tokens(), p.seconds(), tps, gf, bound, tps / bound,
                        "memory read bandwidth / bf16 weight bytes"));
            } else {
                double bound = p.tokens() / (p.flops() / (lim.peakGflops() * 1e9));
                rates.add(new Rate(p.name(), p.batch(), p.tokens(), p.seconds(), tps, gf, bound, gf / lim.peakGflops(),
                        "sgemm peak"));
            }
        }
        List<GemmShape> scaled = gemms.stream().map(g -> new GemmShape(g.name(), g.path(), g.m(), g.n(), g.k(),
                g.gflops(), g.gflops() / lim.peakGflops())).toList();
        return new Result(Gemm.backend().name(), cores, "Qwen2-0.5B shapes, random weights, bf16 checkpoint",
                c.parameterCount(), lim, samples, scaled, rates);
    }

    private static void deleteFolder(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(dir);
    }

    private static Rate flopRate(String name, int batch, int tokens, double sec, double flops, double peak) {
        double gf = flops / sec / 1e9;
        return new Rate(name, batch, tokens, sec, tokens / sec, gf, tokens / (flops / (peak * 1e9)), gf / peak,
                "sgemm peak");
    }

    /** Best wall time of {@code steps} decode steps for {@code batch} rows after a prompt of {@code prompt} tokens. */
    private static double decodeSeconds(Decoder dec, Config c, SplittableRandom rng, int batch, int prompt, int steps,
                                        int repeats) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r <= repeats; r++) { // run 0 warms up
            KvCache cache = dec.newCache(batch, prompt + steps);
            dec.prefill(cache, prompts(rng, c, batch, prompt), Hooks.NONE);
            int[] next = new int[batch];
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                for (int b = 0; b < batch; b++) next[b] = rng.nextInt(c.vocabSize());
                dec.step(cache, next, null, Hooks.NONE);
            }
            if (r > 0) best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    /** The projections of one transformer layer as (name, out, in). */
    private static List<int[]> layerShapes(Config c) { // q, k, v, o, gate, up, down
        int d = c.hiddenSize();
        return List.of(new int[] {c.qDim(), d}, new int[] {c.kvDim(), d}, new int[] {c.kvDim(), d},
                new int[] {d, c.qDim()}, new int[] {c.intermediateSize(), d}, new int[] {c.intermediateSize(), d},
                new int[] {d, c.intermediateSize()});
    }

    /** 2 x (multiply-adds of every layer's projections) for one row of {@code tokens} tokens. */
    static double linearFlops(Config c, int tokens) {
        long perToken = 0;
        for (int[] s : layerShapes(c)) perToken += (long) s[0] * s[1];
        return 2.0 * perToken * c.numHiddenLayers() * tokens;
    }

    /** Scores and weighted values: 4 x heads x headDim flops per (query, visible key), all layers. */
    static double attentionFlops(Config c, int past, int tokens) {
        long keys = 0;
        for (int t = 0; t < tokens; t++) keys += past + t + 1;
        return 4.0 * c.numAttentionHeads() * c.headDim() * keys * c.numHiddenLayers();
    }

    /** The LM head on the rows whose logits are computed (prefill and decode compute the last position only). */
    static double headFlops(Config c, int rows) {
        return 2.0 * c.vocabSize() * c.hiddenSize() * rows;
    }

    /** Bytes of weights one decode step reads at {@code bytesPerValue}: every layer, the norms and the LM head. */
    static long weightBytes(Config c, int bytesPerValue) {
        long values = c.parameterCount() - (c.tieWordEmbeddings() ? 0 : (long) c.vocabSize() * c.hiddenSize())
                + c.hiddenSize(); // the embedding table is not read, except one row (when tied, it is the head)
        return values * bytesPerValue;
    }

    /** f32 keys and values a decode step reads for one row with {@code keys} positions. */
    static long kvBytes(Config c, int keys) {
        return 2L * c.numHiddenLayers() * c.kvDim() * keys * Float.BYTES;
    }

    /** The model's projections at prefill, batch-32 and batch-1 sizes, through the kernel the decoder picks. */
    private static List<GemmShape> gemmShapes(Weights w, Options o) {
        List<GemmShape> out = new ArrayList<>();
        var l0 = w.layers()[0];
        Tensor[] layer = {l0.q().weight, l0.k().weight, l0.o().weight, l0.gate().weight, l0.down().weight};
        String[] names = {"q_proj", "k_proj", "o_proj", "gate_proj", "down_proj"};
        for (int m : new int[] {o.prefillRows() * o.prefillLen(), o.decodeBatch(), 1})
            for (int i = 0; i < layer.length; i++) out.add(gemm(names[i], layer[i], m));
        for (int m : new int[] {o.decodeBatch(), 1}) out.add(gemm("lm_head", w.lmHead(), m));
        return out;
    }

    /** Best GFLOP/s of y[m, n] = x[m, k] W[n, k]^T, as LinearOps.matmul computes it. */
    private static GemmShape gemm(String name, Tensor w, int m) {
        int n = w.shape[0], k = w.shape[1];
        SplittableRandom r = new SplittableRandom(m + n + k);
        float[] x = new float[m * k], y = new float[m * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        Bf16 packed = w.bf16For(m);
        Runnable product = () -> {
            if (packed != null) packed.linear(x, y, m, false);
            else Gemm.linear(x, w.data, y, m, n, k, false);
        };
        // Warm up for half a second, not one call: until the JIT has compiled the kernel, a small product runs
        // interpreted and looks 30-50 times slower than it is.
        for (long t0 = System.nanoTime(); System.nanoTime() - t0 < 500_000_000L; ) product.run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < (m >= 1024 ? 2 : 5); i++) {
            long t0 = System.nanoTime();
            product.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return new GemmShape(name, packed != null ? "bf16 matvec" : "sgemm", m, n, k, 2.0 * m * n * k / best, 0);
    }

    private static int[][] prompts(SplittableRandom rng, Config c, int rows, int len) {
        int[][] p = new int[rows][];
        for (int b = 0; b < rows; b++) p[b] = rng.ints(len, 0, c.vocabSize()).toArray();
        return p;
    }

    /** The human-readable report. */
    public static String table(Result r) {
        StringBuilder s = new StringBuilder();
        MachineLimits.Limits l = r.limits();
        s.append(String.format(Locale.ROOT, "agar bench engine  (%s, %d cores, GEMM backend %s)%n%n", r.model(),
                r.cores(), r.gemmBackend()));
        s.append("machine limits (best of " + r.limitSamples().size() + " samples taken between the phases)\n");
        for (int i = 0; i < l.sizes().length; i++)
            s.append(String.format(Locale.ROOT, "  sgemm %4d^3            %8.1f GFLOP/s%n", l.sizes()[i], l.gflops()[i]));
        s.append(String.format(Locale.ROOT, "  sgemm peak (best)       %8.1f GFLOP/s%n", l.peakGflops()));
        s.append(String.format(Locale.ROOT, "  memory read             %8.1f GB/s%n", l.readGBs()));
        s.append(String.format(Locale.ROOT, "  memory copy (r+w)       %8.1f GB/s%n%n", l.copyGBs()));
        s.append("model GEMM shapes  y[m,n] = x[m,k] W[n,k]^T\n");
        for (GemmShape g : r.gemms())
            s.append(String.format(Locale.ROOT, "  %-10s m=%-5d n=%-6d k=%-5d %-12s %8.1f GFLOP/s  %5.1f%% of peak%n",
                    g.name(), g.m(), g.n(), g.k(), g.path(), g.gflops(), 100 * g.fractionOfPeak()));
        s.append(String.format(Locale.ROOT, "%n%-8s %5s %8s %10s %9s %12s %8s  %s%n", "phase", "batch", "tokens",
                "tokens/s", "GFLOP/s", "bound tok/s", "of bound", "bound"));
        for (Rate t : r.rates())
            s.append(String.format(Locale.ROOT, "%-8s %5d %8d %10.1f %9.1f %12.1f %7.1f%%  %s%n", t.name(), t.batch(),
                    t.tokens(), t.tokensPerSecond(), t.gflops(), t.boundTokensPerSecond(), 100 * t.fractionOfBound(),
                    t.boundBy()));
        return s.toString();
    }
}
