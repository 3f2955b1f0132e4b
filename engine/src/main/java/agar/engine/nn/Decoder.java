package agar.engine.nn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import agar.engine.blas.Gemm;
import agar.engine.model.Config;
import agar.engine.model.LayerWeights;
import agar.engine.model.Linear;
import agar.engine.model.Weights;

/**
 * A Qwen2/Llama decoder over {@link Weights}: one forward pass ({@link #body}) read top to bottom, with the
 * TransformerLens hook points inline, used by
 * <ul>
 *   <li>{@link #forward}: batched forward over ragged rows (each int[] its own length), logits [B, Tmax, V];</li>
 *   <li>{@link #prefill}/{@link #step}: KV-cache generation, logits [B, V] of each row's newest position;</li>
 *   <li>{@link #lossAndBackward}: training forward + backward; gradients accumulate into trainable tensors
 *       (Tensor.grad != null), LoRA A/B included.</li>
 * </ul>
 * Not thread-safe: inference reuses scratch buffers between calls so the decode loop allocates nothing per token.
 */
public final class Decoder {
    private final Weights w;
    private final Config c;
    private final float[] invFreq;
    private final Map<String, float[]> scratch = new HashMap<>();
    private long dropoutSeed;

    public Decoder(Weights weights) {
        this.w = weights;
        this.c = weights.config();
        this.invFreq = Rope.invFreq(c);
    }

    public Weights weights() {
        return w;
    }

    public Config config() {
        return c;
    }

    /** Seeds LoRA dropout for the next training call (the trainer sets it per step, so resumes are exact). */
    public void setDropoutSeed(long seed) {
        this.dropoutSeed = seed;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Public entry points

    /** Logits [B, Tmax, V] for every position; rows shorter than Tmax are padded (their padded logits are 0). */
    public float[] forward(int[][] tokens, Hooks hooks) {
        Batch bt = Batch.of(tokens, null);
        KvCache tmp = newCache(bt.batch, bt.seq);
        float[] xf = body(bt, tmp, hooks);
        float[] logits = new float[bt.n * c.vocabSize()];
        Gemm.linear(xf, w.lmHead().data, logits, bt.n, c.vocabSize(), c.hiddenSize(), false);
        for (int b = 0; b < bt.batch; b++)
            Arrays.fill(logits, (b * bt.seq + bt.len[b]) * c.vocabSize(), (b + 1) * bt.seq * c.vocabSize(), 0f);
        return logits;
    }

    /** TransformerLens's run_with_cache: logits, plus copies of every activation whose name passes the filter. */
    public float[] runWithCache(int[][] tokens, java.util.function.Predicate<String> filter, ActivationCache cache) {
        return forward(tokens, Hooks.NONE.withAll(filter, cache.recorder()));
    }

    public KvCache newCache(int batch, int capacity) {
        return new KvCache(c.numHiddenLayers(), batch, c.numKeyValueHeads(), capacity, c.headDim());
    }

    /**
     * Appends prompts (ragged) to the cache; returns logits [B, V] at each row's last prompt token. The returned
     * array (here and from {@link #step}) is a scratch buffer, valid until the next call.
     */
    public float[] prefill(KvCache cache, int[][] prompts, Hooks hooks) {
        Batch bt = Batch.of(prompts, cache.length.clone());
        float[] xf = body(bt, cache, hooks);
        for (int b = 0; b < bt.batch; b++) cache.length[b] += bt.len[b];
        return lastLogits(xf, bt);
    }

    /**
     * Appends one token per row (rows with {@code active[b] == false} are left as they are) and returns logits
     * [B, V] for the new positions (rows that were not active get meaningless values).
     */
    public float[] step(KvCache cache, int[] next, boolean[] active, Hooks hooks) {
        int B = next.length;
        int[] len = new int[B];
        for (int b = 0; b < B; b++) len[b] = active == null || active[b] ? 1 : 0;
        Batch bt = new Batch(B, 1, B, next.clone(), cache.length.clone(), len);
        float[] xf = body(bt, cache, hooks);
        for (int b = 0; b < B; b++) cache.length[b] += len[b];
        return lastLogits(xf, bt);
    }

    private float[] lastLogits(float[] xf, Batch bt) {
        int d = c.hiddenSize();
        float[] last = buf("last", bt.batch * d);
        for (int b = 0; b < bt.batch; b++)
            System.arraycopy(xf, (b * bt.seq + Math.max(bt.len[b] - 1, 0)) * d, last, b * d, d);
        float[] logits = buf("logits", bt.batch * c.vocabSize());
        LinearOps.matmul(w.lmHead(), last, logits, bt.batch);
        return logits;
    }

    /**
     * Training step: forward + backward. {@code labelWeight[b][t]} weighs the cross-entropy of predicting
     * tokens[b][t] from position t-1 (index 0 is ignored; 0 = no loss, as HF's label -100). Returns
     * sum(weight * CE); gradients of that sum are ADDED to every trainable tensor's grad. The caller normalises
     * (e.g. weights = 1 / number of assistant tokens in the accumulated batch).
     */
    public double lossAndBackward(int[][] tokens, float[][] labelWeight) {
        Batch bt = Batch.of(tokens, null);
        for (int b = 0; b < bt.batch; b++)
            if (labelWeight[b].length != tokens[b].length)
                throw new IllegalArgumentException("row " + b + ": " + labelWeight[b].length + " label weights for "
                        + tokens[b].length + " tokens");
        LayerTape[] tape = new LayerTape[c.numHiddenLayers() + 1]; // the last slot is the final norm's
        Rope.Angles angles = Rope.Angles.of(bt.positions(), invFreq); // forward and backward rotate by the same angles
        float[] xf = body(bt, angles, newCache(bt.batch, bt.seq), Hooks.NONE, tape);
        int d = c.hiddenSize(), n = bt.n;
        float[] dxf = new float[n * d];
        double loss = CrossEntropy.lossAndBackward(xf, w.lmHead(), bt, tokens, labelWeight, dxf);
        float[] dx = new float[n * d];
        RmsNorm.backward(dx, w.finalNorm().grad, dxf, tape[c.numHiddenLayers()].xIn, tape[c.numHiddenLayers()].r1,
                w.finalNorm().data, n, d);
        LayerGrads grads = LayerGrads.of(c, bt);
        for (int l = c.numHiddenLayers() - 1; l >= 0; l--) layerBackward(w.layers()[l], tape[l], bt, angles, grads, dx);
        if (w.embed().grad != null)
            for (int i = 0; i < n; i++)
                if (i % bt.seq < bt.len[i / bt.seq]) {
                    float[] g = w.embed().grad;
                    int o = bt.tokens[i] * d;
                    for (int j = 0; j < d; j++) g[o + j] += dx[i * d + j];
                }
        return loss;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The forward pass

    /** Rows b*T+t of a padded batch; row b holds len[b] tokens at positions start[b]..start[b]+len[b]-1. */
    record Batch(int batch, int seq, int n, int[] tokens, int[] start, int[] len) {
        static Batch of(int[][] rows, int[] start) {
            int B = rows.length, T = 0;
            for (int[] r : rows) T = Math.max(T, r.length);
            int[] flat = new int[B * T], len = new int[B];
            for (int b = 0; b < B; b++) {
                System.arraycopy(rows[b], 0, flat, b * T, rows[b].length);
                len[b] = rows[b].length;
            }
            return new Batch(B, T, B * T, flat, start != null ? start : new int[B], len);
        }

        int[] positions() {
            int[] pos = new int[n];
            for (int i = 0; i < n; i++) pos[i] = start[i / seq] + i % seq;
            return pos;
        }
    }

    /** Saved activations of one layer for backward. */
    static final class LayerTape {
        float[] xIn, xn1, r1, q, kc, vc, probs, z, xMid, xn2, r2, g, u, h;
        LinearOps.LoraTape lq, lk, lv, lo, lg, lu, ld;
    }

    /** {@link #body(Batch, Rope.Angles, KvCache, Hooks, LayerTape[])} for inference (no tape). */
    private float[] body(Batch bt, KvCache cache, Hooks hooks) {
        return body(bt, Rope.Angles.of(bt.positions(), invFreq), cache, hooks, null);
    }

    /** Runs the blocks and the final norm; returns ln_final output [n, d]. With a tape, keeps what backward needs. */
    private float[] body(Batch bt, Rope.Angles angles, KvCache cache, Hooks hooks, LayerTape[] tape) {
        int n = bt.n, d = c.hiddenSize(), H = c.numAttentionHeads(), KV = c.numKeyValueHeads(), hd = c.headDim();
        int I = c.intermediateSize();
        boolean train = tape != null;
        for (int b = 0; b < bt.batch; b++)
            if (bt.start[b] + bt.len[b] > cache.capacity)
                throw new IllegalArgumentException("context full: row " + b + " needs " + (bt.start[b] + bt.len[b])
                        + " positions, the cache holds " + cache.capacity);
        SplittableRandom dropout = train ? new SplittableRandom(dropoutSeed) : null;
        Attention.Shape shape = new Attention.Shape(bt.batch, bt.seq, H, KV, hd, cache.capacity);

        float[] x = train ? new float[n * d] : buf("x", n * d);
        float[] emb = w.embed().data;
        for (int i = 0; i < n; i++) {
            int tok = bt.tokens[i];
            if (tok < 0 || tok >= c.vocabSize())
                throw new IllegalArgumentException("token id " + tok + " outside the vocabulary [0, " + c.vocabSize() + ")");
            System.arraycopy(emb, tok * d, x, i * d, d);
        }
        hook(hooks, HookNames.EMBED, x, bt, d);

        for (int l = 0; l < c.numHiddenLayers(); l++) {
            LayerWeights lw = w.layers()[l];
            LayerTape t = train ? (tape[l] = new LayerTape()) : null;
            hook(hooks, HookNames.block(l, "resid_pre"), x, bt, d);
            if (train) t.xIn = x.clone();

            // attention: x + o(attn(rope(q(norm x)), rope(k(norm x)), v(norm x)))
            float[] xn = fresh(train, "xn", n * d), r1 = train ? new float[n] : null;
            RmsNorm.forward(xn, r1, x, lw.inputNorm().data, n, d, c.rmsNormEps());
            hook(hooks, HookNames.block(l, "ln1"), xn, bt, d);
            float[] q = fresh(train, "q", n * H * hd), k = fresh(false, "k", n * KV * hd), v = fresh(false, "v", n * KV * hd);
            LinearOps.LoraTape[] lqkv = LinearOps.forward(new Linear[] {lw.q(), lw.k(), lw.v()}, xn, n,
                    new float[][] {q, k, v}, train, dropout);
            Rope.apply(q, n, H, hd, angles, 1);
            Rope.apply(k, n, KV, hd, angles, 1);
            hook(hooks, HookNames.block(l, "q"), q, bt, H * hd);
            hook(hooks, HookNames.block(l, "k"), k, bt, KV * hd);
            hook(hooks, HookNames.block(l, "v"), v, bt, KV * hd);
            Attention.store(cache.k[l], k, shape, bt.start, bt.len);
            Attention.store(cache.v[l], v, shape, bt.start, bt.len);
            String patternName = HookNames.block(l, "pattern");
            float[] probs = train || hooks.wants(patternName) ? new float[bt.batch * H * bt.seq * cache.capacity] : null;
            float[] z = fresh(train, "z", n * H * hd);
            float[] scores = probs != null ? null : buf("scores", bt.batch * H * cache.capacity);
            if (train) Attention.forwardFull(z, probs, q, cache.k[l], cache.v[l], shape, bt.len);
            else Attention.forward(z, probs, scores, q, cache.k[l], cache.v[l], shape, bt.start, bt.len);
            if (probs != null && hooks.wants(patternName))
                hooks.run(new Activation(patternName, probs, new int[] {bt.batch, H, bt.seq, cache.capacity}, bt.start, bt.len));
            hook(hooks, HookNames.block(l, "z"), z, bt, H * hd);
            float[] attnOut = fresh(false, "attnOut", n * d);
            LinearOps.LoraTape lo = LinearOps.forward(lw.o(), z, n, attnOut, train, dropout);
            hook(hooks, HookNames.block(l, "attn_out"), attnOut, bt, d);
            for (int i = 0; i < n * d; i++) x[i] += attnOut[i];
            hook(hooks, HookNames.block(l, "resid_mid"), x, bt, d);
            if (train) {
                t.xn1 = xn; t.r1 = r1; t.q = q; t.probs = probs; t.z = z; t.xMid = x.clone();
                t.kc = cache.k[l]; t.vc = cache.v[l];
                t.lq = lqkv[0]; t.lk = lqkv[1]; t.lv = lqkv[2]; t.lo = lo;
            }

            // MLP: x + down(silu(gate(norm x)) * up(norm x))
            float[] xn2 = fresh(train, "xn2", n * d), r2 = train ? new float[n] : null;
            RmsNorm.forward(xn2, r2, x, lw.postNorm().data, n, d, c.rmsNormEps());
            hook(hooks, HookNames.block(l, "ln2"), xn2, bt, d);
            float[] g = fresh(train, "g", n * I), u = fresh(train, "u", n * I), h = fresh(train, "h", n * I);
            LinearOps.LoraTape[] lgu = LinearOps.forward(new Linear[] {lw.gate(), lw.up()}, xn2, n, new float[][] {g, u},
                    train, dropout);
            hook(hooks, HookNames.block(l, "mlp_pre"), g, bt, I);
            SwiGlu.forward(h, g, u, n * I);
            hook(hooks, HookNames.block(l, "mlp_post"), h, bt, I);
            float[] mlpOut = fresh(false, "mlpOut", n * d);
            LinearOps.LoraTape ld = LinearOps.forward(lw.down(), h, n, mlpOut, train, dropout);
            hook(hooks, HookNames.block(l, "mlp_out"), mlpOut, bt, d);
            for (int i = 0; i < n * d; i++) x[i] += mlpOut[i];
            hook(hooks, HookNames.block(l, "resid_post"), x, bt, d);
            if (train) {
                t.xn2 = xn2; t.r2 = r2; t.g = g; t.u = u; t.h = h;
                t.lg = lgu[0]; t.lu = lgu[1]; t.ld = ld;
            }
        }

        float[] xf = fresh(train, "xf", n * d), rf = train ? new float[n] : null;
        RmsNorm.forward(xf, rf, x, w.finalNorm().data, n, d, c.rmsNormEps());
        hook(hooks, HookNames.LN_FINAL, xf, bt, d);
        if (train) {
            LayerTape t = tape[c.numHiddenLayers()] = new LayerTape();
            t.xIn = x.clone();
            t.r1 = rf;
        }
        return xf;
    }

    /** Backward's gradients inside a layer, allocated once per step and reused layer after layer. */
    private record LayerGrads(float[] dh, float[] dg, float[] du, float[] dxn, float[] dz, float[] dq, float[] dkc,
                              float[] dvc, float[] dk, float[] dv) {
        static LayerGrads of(Config c, Batch bt) {
            int n = bt.n, I = c.intermediateSize(), q = n * c.numAttentionHeads() * c.headDim();
            int kv = n * c.numKeyValueHeads() * c.headDim(); // [n, KV*hd] = [B, KV, T, hd] in size
            return new LayerGrads(new float[n * I], new float[n * I], new float[n * I], new float[n * c.hiddenSize()],
                    new float[q], new float[q], new float[kv], new float[kv], new float[kv], new float[kv]);
        }
    }

    private void layerBackward(LayerWeights lw, LayerTape t, Batch bt, Rope.Angles angles, LayerGrads g, float[] dx) {
        int n = bt.n, d = c.hiddenSize(), H = c.numAttentionHeads(), KV = c.numKeyValueHeads(), hd = c.headDim();
        int I = c.intermediateSize();
        // MLP: dx is the gradient at resid_post, which is also the gradient at resid_mid through the residual.
        float[] dh = g.dh(), dg = g.dg(), du = g.du(), dxn = g.dxn(); // dh and dxn accumulate: zeroed first
        Arrays.fill(dh, 0f);
        Arrays.fill(dxn, 0f);
        LinearOps.backward(lw.down(), t.h, n, dx, dh, t.ld);
        SwiGlu.backward(dg, du, dh, t.g, t.u, n * I);
        LinearOps.backward(lw.gate(), t.xn2, n, dg, dxn, t.lg);
        LinearOps.backward(lw.up(), t.xn2, n, du, dxn, t.lu);
        RmsNorm.backward(dx, lw.postNorm().grad, dxn, t.xMid, t.r2, lw.postNorm().data, n, d);

        // attention
        Attention.Shape shape = new Attention.Shape(bt.batch, bt.seq, H, KV, hd, bt.seq);
        float[] dz = g.dz(), dq = g.dq(), dkc = g.dkc(), dvc = g.dvc(), dk = g.dk(), dv = g.dv(); // dz accumulates
        Arrays.fill(dz, 0f);
        LinearOps.backward(lw.o(), t.z, n, dx, dz, t.lo);
        Attention.backwardFull(dq, dkc, dvc, dz, t.probs, t.q, t.kc, t.vc, shape, bt.len);
        Attention.load(dk, dkc, shape, bt.len);
        Attention.load(dv, dvc, shape, bt.len);
        Rope.apply(dq, n, H, hd, angles, -1);
        Rope.apply(dk, n, KV, hd, angles, -1);
        Arrays.fill(dxn, 0f);
        LinearOps.backward(lw.q(), t.xn1, n, dq, dxn, t.lq);
        LinearOps.backward(lw.k(), t.xn1, n, dk, dxn, t.lk);
        LinearOps.backward(lw.v(), t.xn1, n, dv, dxn, t.lv);
        RmsNorm.backward(dx, lw.inputNorm().grad, dxn, t.xIn, t.r1, lw.inputNorm().data, n, d);
    }

    private static void hook(Hooks hooks, String name, float[] data, Batch bt, int width) {
        if (hooks.wants(name)) hooks.run(new Activation(name, data, new int[] {bt.batch, bt.seq, width}, bt.start, bt.len));
    }

    /** Training keeps every activation, so it gets new arrays; inference reuses scratch buffers. */
    private float[] fresh(boolean train, String key, int size) {
        return train ? new float[size] : buf(key, size);
    }

    /** A reusable buffer of exactly {@code size} floats (hooks see whole arrays, so no oversized ones). */
    private float[] buf(String key, int size) {
        return scratch.computeIfAbsent(key + ":" + size, k -> new float[size]);
    }
}
