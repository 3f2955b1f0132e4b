package agar.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: temperature, then top-k, then top-p (nucleus), then a draw from the
 * row's own seeded RNG, so a row's text depends on its seed and not on what else is in the batch.
 *
 * <p>Top-k/top-p walk the tokens from most to least likely (ties: lower id first). At a 150k vocabulary a full sort
 * would dominate a decode step, so only the prefix that is needed is selected and sorted, as packed
 * {@code (logit, id)} longs. The probabilities are a monotone function of the logits, so this prefix holds the same
 * probabilities in the same order as a sort by probability; only tokens whose logits differ but whose
 * probabilities are equal (e.g. both underflow to 0 at a low temperature) may stand in another order, and
 * {@link #tokenAt} puts the drawn position back into id order among them.
 */
public final class Sampler {
    /** First prefix selected for top-p; it grows fourfold while the nucleus is not yet complete. */
    private static final int FIRST_PREFIX = 64;

    private final SamplingParams p;
    private final SplittableRandom rng;
    private final double[] probs;
    private long[] keys; // (descending logit, id), allocated on the first top-k/top-p draw

    public Sampler(SamplingParams p, int vocab) {
        this.p = p;
        this.rng = new SplittableRandom(p.seed());
        this.probs = new double[vocab];
    }

    public int next(float[] logits, int off) {
        int V = probs.length;
        if (p.temperature() == 0) return argmax(logits, off, V);
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < V; j++) max = Math.max(max, logits[off + j]);
        double sum = 0;
        for (int j = 0; j < V; j++) sum += probs[j] = Math.exp((logits[off + j] - max) / p.temperature());
        if ((p.topK() > 0 || p.topP() < 1) && !Double.isNaN(sum)) return nextFiltered(logits, off, sum);
        double u = rng.nextDouble() * sum;
        for (int j = 0; j < V; j++) {
            u -= probs[j];
            if (u < 0) return j;
        }
        return argmax(logits, off, V); // also where NaN/+inf logits leave no distribution
    }

    /** Top-k, then the smallest prefix whose mass reaches top-p, then a draw within it, in descending order. */
    private int nextFiltered(float[] logits, int off, double sum) {
        int V = probs.length;
        if (keys == null) keys = new long[V];
        for (int j = 0; j < V; j++) keys[j] = key(logits[off + j], j);
        int keep = p.topK() > 0 ? Math.min(V, p.topK()) : V;
        int sorted = 0; // keys[0, sorted) hold the most likely tokens, in order
        if (p.topP() < 1) { // smallest prefix whose mass reaches top_p
            double cum = 0;
            boolean reached = false;
            for (int j = 0; j < keep && !reached; j++) {
                if (j == sorted) sorted = sortNext(sorted, Math.min(keep, Math.max(FIRST_PREFIX, 4 * sorted)));
                cum += probs[token(j)] / sum;
                if (cum >= p.topP()) {
                    keep = j + 1;
                    reached = true;
                }
            }
        }
        if (sorted < keep) sorted = sortNext(sorted, keep);
        double kept = 0;
        for (int j = 0; j < keep; j++) kept += probs[token(j)];
        double u = rng.nextDouble() * kept;
        for (int j = 0; j < keep; j++) {
            u -= probs[token(j)];
            if (u < 0) return tokenAt(j, sorted);
        }
        return tokenAt(keep - 1, sorted);
    }

    /** Brings the smallest keys of [from, V) to [from, to), sorted; returns to. */
    private int sortNext(int from, int to) {
        select(keys, from, keys.length, to);
        Arrays.sort(keys, from, to);
        return to;
    }

    private int token(int position) {
        return (int) keys[position];
    }

    /**
     * The token a sort by probability (ties: lower id first) has at {@code position}: if the probability there is
     * shared by several tokens, the (position - start of its run)-th of them in id order.
     */
    private int tokenAt(int position, int sorted) {
        int t = token(position);
        double pr = probs[t];
        int start = position;
        while (start > 0 && probs[token(start - 1)] == pr) start--;
        boolean alone = start == position && position + 1 < sorted && probs[token(position + 1)] != pr;
        if (alone) return t;
        int k = position - start;
        for (int j = 0; j < probs.length; j++) if (probs[j] == pr && k-- == 0) return j;
        throw new IllegalStateException("unreachable: the run of p=" + pr + " is shorter than " + (position - start + 1));
    }

    /** Ascending order of the key = descending logit, then ascending id. */
    static long key(float logit, int id) {
        int bits = Float.floatToIntBits(logit);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff); // signed-int order = float order
        return ((long) ~ordered << 32) | id;
    }

    /** Rearranges a[from, to) so that a[from, k) hold its smallest values (in any order); a quickselect. */
    static void select(long[] a, int from, int to, int k) {
        int lo = from, hi = to - 1;
        while (lo < hi && k > lo && k <= hi) {
            int mid = (lo + hi) >>> 1; // median of three: logits are not adversarial, this keeps it linear
            long x = a[lo], y = a[mid], z = a[hi];
            long pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            int i = lo, j = hi;
            while (i <= j) { // Hoare partition: a[lo, j] <= pivot <= a[i, hi]
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    long t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return;
        }
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (x[off + j] > x[off + best]) best = j;
        return best;
    }

    /** log-softmax of the raw logits at one index, and the top-n alternatives. */
    static float logSoftmax(float[] logits, int off, int V, int token) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < V; j++) max = Math.max(max, logits[off + j]);
        for (int j = 0; j < V; j++) sum += Math.exp(logits[off + j] - max);
        return (float) (logits[off + token] - max - Math.log(sum));
    }

    static Completion.TokenLogprob[] top(float[] logits, int off, int V, int n) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < V; j++) max = Math.max(max, logits[off + j]);
        for (int j = 0; j < V; j++) sum += Math.exp(logits[off + j] - max);
        double lse = max + Math.log(sum);
        int[] best = new int[n];
        Arrays.fill(best, -1);
        for (int j = 0; j < V; j++) { // insertion into a short sorted list
            int pos = n;
            while (pos > 0 && (best[pos - 1] < 0 || logits[off + j] > logits[off + best[pos - 1]])) pos--;
            if (pos < n) {
                System.arraycopy(best, pos, best, pos + 1, n - pos - 1);
                best[pos] = j;
            }
        }
        Completion.TokenLogprob[] out = new Completion.TokenLogprob[Math.min(n, V)];
        for (int i = 0; i < out.length; i++) out[i] = new Completion.TokenLogprob(best[i], (float) (logits[off + best[i]] - lse));
        return out;
    }
}
