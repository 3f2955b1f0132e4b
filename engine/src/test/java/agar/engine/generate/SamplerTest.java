package agar.engine.generate;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler against a naive reference: with top-k/top-p, sort every token by probability (ties: lower id first). */
class SamplerTest {

    /** The straightforward sampler: a stable sort of boxed ids by probability on every draw. */
    static final class Naive {
        final SamplingParams p;
        final SplittableRandom rng;

        Naive(SamplingParams p) {
            this.p = p;
            this.rng = new SplittableRandom(p.seed());
        }

        int next(float[] logits) {
            int V = logits.length;
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) max = Math.max(max, l);
            double[] probs = new double[V];
            double sum = 0;
            for (int j = 0; j < V; j++) sum += probs[j] = Math.exp((logits[j] - max) / p.temperature());
            if (p.topK() == 0 && p.topP() == 1) { // no filter: a draw in id order
                double u = rng.nextDouble() * sum;
                for (int j = 0; j < V; j++) if ((u -= probs[j]) < 0) return j;
                return Sampler.argmax(logits, 0, V);
            }
            Integer[] order = new Integer[V];
            for (int j = 0; j < V; j++) order[j] = j;
            Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a])); // stable: equal probabilities by id
            int keep = p.topK() > 0 ? Math.min(V, p.topK()) : V;
            double cum = 0;
            for (int j = 0; j < keep && p.topP() < 1; j++) {
                cum += probs[order[j]] / sum;
                if (cum >= p.topP()) {
                    keep = j + 1;
                    break;
                }
            }
            double kept = 0;
            for (int j = 0; j < keep; j++) kept += probs[order[j]];
            double u = rng.nextDouble() * kept;
            for (int j = 0; j < keep; j++) {
                u -= probs[order[j]];
                if (u < 0) return order[j];
            }
            return order[keep - 1];
        }
    }

    static SamplingParams params(double t, double topP, int topK, long seed) {
        return new SamplingParams(t, topP, topK, 1, seed, List.of(), false, 0);
    }

    /** Draws {@code draws} tokens from both samplers (the same RNG stream) and asserts they agree at every draw. */
    static void assertSameDraws(float[] logits, SamplingParams p, int draws) {
        Sampler fast = new Sampler(p, logits.length);
        Naive naive = new Naive(p);
        // the row sits at an offset in a batch of logits, as in the Generator
        float[] batch = new float[logits.length + 7];
        System.arraycopy(logits, 0, batch, 7, logits.length);
        for (int i = 0; i < draws; i++) assertEquals(naive.next(logits), fast.next(batch, 7), p + " draw " + i);
    }

    @Test
    void agreesWithTheNaiveSortOnRandomRows() {
        SplittableRandom r = new SplittableRandom(11);
        double[] temps = {0.05, 0.7, 1.0, 1.8};
        double[] topPs = {1.0, 0.999999, 0.95, 0.5, 0.1, 1e-9};
        int[] topKs = {0, 1, 2, 40, 1000};
        for (int V : new int[] {3, 97, 3000}) {
            for (int kind = 0; kind < 3; kind++) {
                float[] logits = new float[V];
                for (int j = 0; j < V; j++) logits[j] = switch (kind) {
                    case 0 -> (float) (r.nextDouble() * 12 - 6);              // spread out
                    case 1 -> (float) Math.floor(r.nextDouble() * 5);        // many exact ties
                    default -> j % 5 == 0 ? Float.NEGATIVE_INFINITY : (float) (r.nextGaussian() * 0.01); // masked, flat
                };
                if (kind == 2) logits[1] = 0.5f; // at least one finite logit
                for (double t : temps)
                    for (double topP : topPs)
                        for (int k : topKs) assertSameDraws(logits, params(t, topP, k, r.nextLong()), 5);
            }
        }
    }

    @Test
    void equalProbabilitiesFromDifferentLogitsStillGoInIdOrder() {
        // exp((-MIN_VALUE - 0) / 1) == exp(0) == 1 in double: tokens 2 and 5 tie on probability, while their logits
        // order them 5 before 2; at a low temperature the small logits all underflow to probability 0.
        float[] logits = new float[40];
        Arrays.fill(logits, -30f);
        logits[5] = 0f;
        logits[2] = -Float.MIN_VALUE;
        for (int j = 10; j < 40; j++) logits[j] = -30f + j * 1e-3f; // distinct logits, all with probability 0 below
        for (long seed = 0; seed < 50; seed++) {
            assertSameDraws(logits, params(1.0, 1.0, 2, seed), 3);
            assertSameDraws(logits, params(1.0, 0.9, 0, seed), 3);
            assertSameDraws(logits, params(0.01, 1.0, 40, seed), 3);
        }
        // both tied tokens come up, half the time each
        Sampler s = new Sampler(params(0.01, 1.0, 2, 3), 40);
        int twos = 0, n = 4000;
        for (int i = 0; i < n; i++) {
            int t = s.next(logits, 0);
            assertTrue(t == 2 || t == 5, "token " + t);
            if (t == 2) twos++;
        }
        assertEquals(0.5, twos / (double) n, 0.04);
    }

    @Test
    void topKKeepsExactlyTheKMostLikely() {
        float[] logits = {1f, 5f, 3f, 4f, 2f, 0f};
        Sampler s = new Sampler(params(100, 1.0, 3, 1), logits.length); // near-uniform over the three kept
        boolean[] seen = new boolean[logits.length];
        for (int i = 0; i < 600; i++) seen[s.next(logits, 0)] = true;
        assertArrayEquals(new boolean[] {false, true, true, true, false, false}, seen);
    }

    @Test
    void keysOrderByDescendingLogitThenId() {
        float[] l = {Float.NEGATIVE_INFINITY, -3f, -0f, 0f, Float.MIN_VALUE, 2.5f, Float.POSITIVE_INFINITY};
        for (int i = 0; i + 1 < l.length; i++) {
            assertTrue(Sampler.key(l[i + 1], 9) < Sampler.key(l[i], 0), l[i + 1] + " before " + l[i]);
            assertTrue(Sampler.key(l[i], 3) < Sampler.key(l[i], 4), "ties by id");
        }
    }

    @Test
    void selectBringsTheSmallestToTheFront() {
        SplittableRandom r = new SplittableRandom(4);
        for (int n : new int[] {1, 2, 5, 100, 1000}) {
            for (int rep = 0; rep < 20; rep++) {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = r.nextInt(n / 2 + 1) * 1000L + i; // distinct, clustered
                long[] sorted = a.clone();
                Arrays.sort(sorted);
                int from = r.nextInt(n), k = from + r.nextInt(n - from + 1);
                Sampler.select(a, 0, n, from); // as the sampler calls it: a sorted prefix first, then the next part
                Arrays.sort(a, 0, from);
                Sampler.select(a, from, n, k);
                Arrays.sort(a, from, k);
                assertArrayEquals(Arrays.copyOf(sorted, k), Arrays.copyOf(a, k), "n=" + n + " from=" + from + " k=" + k);
            }
        }
    }
}
