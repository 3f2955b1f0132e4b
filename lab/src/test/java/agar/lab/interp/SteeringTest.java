package agar.lab.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import agar.engine.model.Linear;
import agar.engine.model.LoraAdapter;
import agar.engine.model.Tensor;
import agar.engine.model.Weights;
import agar.engine.nn.Activation;
import agar.engine.nn.ActivationCache;
import agar.engine.nn.Decoder;
import agar.engine.nn.HookNames;
import agar.engine.nn.Hooks;
import agar.engine.nn.Positions;
import agar.lab.stats.Vectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

class SteeringTest {
    static final String H0 = HookNames.residPost(0), H1 = HookNames.residPost(1);

    /**
     * A stand-in evaluator: runs the hooks over a fixed activation h = (3, 4, 0) at each hook and reports the
     * "misaligned rate" as the mean over hooks of (h . e1) / 10, so effects are hand-computable.
     */
    static Function<Hooks, EvalOutcome> probeEvaluator(List<String> seen) {
        return hooks -> {
            double sum = 0;
            for (String h : List.of(H0, H1)) {
                float[] data = {3, 4, 0};
                hooks.run(new Activation(h, data, new int[] {1, 1, 3}, new int[] {0}, new int[] {1}));
                sum += data[0] / 10.0;
            }
            seen.add("x");
            long mis = Math.round(sum / 2 * 1000);
            return EvalOutcome.ofCounts(mis, 1000, 1000);
        };
    }

    @Test
    void planRunsEveryInterventionWithHandComputedEffects() {
        Directions d = new Directions(Map.of(H0, new float[] {2, 0, 0}, H1, new float[] {0, 5, 0}), Map.of());
        SteeringPlan plan = new SteeringPlan(List.of(H0, H1), new double[] {1.5}, true, true, true, AblationTarget.ZERO, false, 0, false, null,
                true, false, Positions.ALL, 42);
        List<String> seen = new ArrayList<>();
        List<SteeringResult> rs = Steering.run(d, plan, probeEvaluator(seen), null, null);
        // baseline + (2 hooks x 2 kinds) adds + 2 add-all + 2x2 ablations + 2 ablate-all
        assertEquals(1 + 4 + 2 + 4 + 2, rs.size());
        assertEquals(rs.size(), seen.size());
        assertEquals(0.3, rs.getFirst().outcome().misalignedRate(), 1e-9);
        // add 1.5 * (2,0,0) at H0: h0.e1 = 6 -> (0.6 + 0.3) / 2
        SteeringResult add0 = find(rs, "add", "misalignment", H0);
        assertEquals(0.45, add0.outcome().misalignedRate(), 1e-9);
        // ablating (2,0,0) at H0 zeroes h0.e1 -> (0 + 0.3) / 2; ablating (0,5,0) at H1 leaves e1 alone
        assertEquals(0.15, find(rs, "ablate", "misalignment", H0).outcome().misalignedRate(), 1e-9);
        assertEquals(0.3, find(rs, "ablate", "misalignment", H1).outcome().misalignedRate(), 1e-9);
        assertEquals(0.15, find(rs, "ablate", "misalignment", "all").outcome().misalignedRate(), 1e-9);
        String table = Steering.table(rs);
        assertTrue(table.contains("50.0%"), table); // H0 ablation removes half of the baseline's 30%
        assertTrue(Steering.json(rs).contains("\"misaligned_rate\""));
    }

    @Test
    void aNegativeScaleSubtractsAndCountsAsRemoval() {
        Directions d = new Directions(Map.of(H0, new float[] {2, 0, 0}, H1, new float[] {0, 5, 0}), Map.of());
        SteeringPlan plan = new SteeringPlan(List.of(H0), new double[] {-0.5}, false, false, false, AblationTarget.ZERO, false, 0, false, null,
                false, false, Positions.ALL, 42);
        List<SteeringResult> rs = Steering.run(d, plan, probeEvaluator(new ArrayList<>()), null, null);
        // h0.e1 = 3 - 0.5 * 2 = 2 -> (0.2 + 0.3) / 2 = 0.25, so 1 - 0.25 / 0.3 = 16.7% of the baseline removed
        assertEquals(0.25, find(rs, "add", "misalignment", H0).outcome().misalignedRate(), 1e-9);
        assertTrue(Steering.table(rs).contains("16.7%"), Steering.table(rs));
    }

    @Test
    void aPlanOnSomePositionsActsOnlyThereAndSaysWhere() {
        Directions d = new Directions(Map.of(H0, new float[] {2, 0, 0}, H1, new float[] {0, 5, 0}), Map.of());
        // the stand-in evaluator's activation sits at position 0
        for (var at : List.of(new Positions(0, 1), Positions.from(1))) {
            SteeringPlan plan = new SteeringPlan(List.of(H0), new double[] {1.5}, false, true, false, AblationTarget.ZERO, false, 0, false, null,
                    false, false, at, 42);
            List<SteeringResult> rs = Steering.run(d, plan, probeEvaluator(new ArrayList<>()), null, null);
            boolean acts = at.contains(0);
            assertEquals(acts ? 0.45 : 0.3, find(rs, "add", "misalignment", H0 + " @" + at).outcome().misalignedRate(), 1e-9);
            assertEquals(acts ? 0.15 : 0.3, find(rs, "ablate", "misalignment", H0 + " @" + at).outcome().misalignedRate(), 1e-9);
        }
        assertTrue(Steering.table(List.of(new SteeringResult("ablate", "misalignment", "all @0-8", 0,
                EvalOutcome.ofCounts(1, 2, 2)))).contains("all @0-8"));
    }

    @Test
    void meanAblationSetsTheCoordinateToTheBaselines() {
        // baseline at H0 projects to 1 on e1; ablating to it leaves h0.e1 = 1 -> (0.1 + 0.3) / 2 = 0.2
        Directions d = new Directions(Map.of(H0, new float[] {2, 0, 0}, H1, new float[] {0, 5, 0}),
                Map.of(H0, new float[] {1, 7, 0}, H1, new float[] {9, 2, 0}), Map.of());
        SteeringPlan plan = new SteeringPlan(List.of(H0, H1), null, false, true, true, AblationTarget.BASELINE, false, 0, false, null,
                false, false, Positions.ALL, 42);
        List<SteeringResult> rs = Steering.run(d, plan, probeEvaluator(new ArrayList<>()), null, null);
        assertEquals(0.2, find(rs, "mean-ablate", "misalignment", H0).outcome().misalignedRate(), 1e-9);
        // at H1 the coordinate along e2 is set to 2; e1 stays 3 -> unchanged
        assertEquals(0.3, find(rs, "mean-ablate", "misalignment", H1).outcome().misalignedRate(), 1e-9);
        assertEquals(0.2, find(rs, "mean-ablate", "misalignment", "all").outcome().misalignedRate(), 1e-9);
        assertTrue(Steering.table(rs).contains("33.3%"), Steering.table(rs));
        Directions none = new Directions(d.byHook(), Map.of());
        assertThrows(IllegalArgumentException.class, () -> Steering.run(none, plan, probeEvaluator(new ArrayList<>()), null, null));
    }

    static SteeringResult find(List<SteeringResult> rs, String what, String dir, String where) {
        return rs.stream().filter(r -> r.intervention().equals(what) && r.direction().equals(dir) && r.where().equals(where))
                .findFirst().orElseThrow();
    }

    @Test
    void randomControlHasTheSameNormAndIsSeeded() {
        float[] d = new float[256];
        new SplittableRandom(1).doubles(256).forEach(new java.util.function.DoubleConsumer() {
            int i;

            public void accept(double v) {
                d[i++] = (float) (v * 3);
            }
        });
        float[] r1 = Steering.randomLike(d, 5, H0), r2 = Steering.randomLike(d, 5, H0), r3 = Steering.randomLike(d, 6, H0);
        double n = Vectors.norm(Vectors.toDouble(d));
        assertEquals(n, Vectors.norm(Vectors.toDouble(r1)), 1e-4 * n);
        assertArrayEquals(r1, r2);
        assertNotEquals(r1[0], r3[0]);
        assertTrue(Math.abs(Vectors.cosine(d, r1)) < 0.5, "a random direction is far from the real one");
    }

    /** Rank-2 adapters on every o_proj, down_proj and q_proj of a tiny model, with non-zero B. */
    static Weights withLora() {
        Weights w = Tiny.weights(11);
        SplittableRandom rng = new SplittableRandom(2);
        for (Linear l : w.linears()) {
            String p = l.modulePath();
            if (!(p.endsWith("o_proj") || p.endsWith("down_proj") || p.endsWith("q_proj"))) continue;
            Tensor a = Tensor.zeros(p + ".lora_A.weight", 2, l.in()), b = Tensor.zeros(p + ".lora_B.weight", l.out(), 2);
            for (int i = 0; i < a.data.length; i++) a.data[i] = (float) (rng.nextDouble() - 0.5);
            for (int i = 0; i < b.data.length; i++) b.data[i] = (float) (rng.nextDouble() - 0.5);
            l.lora = new LoraAdapter(a, b, 2f, 0f);
        }
        return w;
    }

    @Test
    void loraBEditLeavesNoComponentAlongRAndRestores() {
        Weights w = withLora();
        float[] r = new float[Tiny.WIDTH];
        for (int i = 0; i < r.length; i++) r[i] = (float) Math.sin(i + 1);
        double[] u = Vectors.unit(Vectors.toDouble(r));
        Linear down = w.layers()[1].down(), q = w.layers()[1].q();
        float[] downB = down.lora.b().data.clone(), qB = q.lora.b().data.clone();
        assertTrue(Math.abs(alongR(down, u)) > 1e-3, "before the edit the adapter writes along r");
        try (LoraEdits.Restore edit = LoraEdits.removeDirection(w, layer -> r)) {
            assertEquals(2 * Tiny.LAYERS, edit.edited());
            assertEquals(0, alongR(down, u), 1e-5);
            assertEquals(0, alongR(w.layers()[0].o(), u), 1e-5);
            assertArrayEquals(qB, q.lora.b().data, "q_proj does not write to the residual stream");
        }
        assertArrayEquals(downB, down.lora.b().data, "restored exactly");
    }

    /** r . (scale * B A x) for a fixed random x. */
    static double alongR(Linear lin, double[] u) {
        SplittableRandom rng = new SplittableRandom(4);
        int rank = lin.lora.rank(), in = lin.in(), out = lin.out();
        double[] x = rng.doubles(in).toArray(), ax = new double[rank];
        for (int k = 0; k < rank; k++) for (int j = 0; j < in; j++) ax[k] += lin.lora.a().data[k * in + j] * x[j];
        double s = 0;
        for (int i = 0; i < out; i++) {
            double y = 0;
            for (int k = 0; k < rank; k++) y += lin.lora.b().data[i * rank + k] * ax[k];
            s += u[i] * lin.lora.scale() * y;
        }
        return s;
    }

    @Test
    void loraBEditSeenThroughTheDecoder() {
        // only layer 0's down_proj adapted: mlp_out(edited) - mlp_out(no adapter) must be orthogonal to r
        Weights w = Tiny.weights(12);
        Linear down = w.layers()[0].down();
        SplittableRandom rng = new SplittableRandom(8);
        Tensor a = Tensor.zeros("a", 1, down.in()), b = Tensor.zeros("b", down.out(), 1);
        for (int i = 0; i < a.data.length; i++) a.data[i] = (float) rng.nextGaussian();
        for (int i = 0; i < b.data.length; i++) b.data[i] = (float) rng.nextGaussian();
        down.lora = new LoraAdapter(a, b, 1f, 0f);
        float[] r = b.data.clone(); // the worst case: r is exactly what the adapter writes
        int[][] toks = {Tiny.tokens(new SplittableRandom(1), 5)};
        String hook = HookNames.block(0, "mlp_out");
        Decoder dec = new Decoder(w);
        float[] edited;
        try (LoraEdits.Restore e = LoraEdits.removeDirection(w, l -> r)) {
            edited = capture(dec, toks, hook);
        }
        float[] withAdapter = capture(dec, toks, hook);
        LoraAdapter keep = down.lora;
        down.lora = null;
        float[] base = capture(dec, toks, hook);
        down.lora = keep;
        double[] u = Vectors.unit(Vectors.toDouble(r));
        for (int t = 0; t < 5; t++) {
            double dotEdited = 0, dotFull = 0;
            for (int j = 0; j < Tiny.WIDTH; j++) {
                dotEdited += (edited[t * Tiny.WIDTH + j] - base[t * Tiny.WIDTH + j]) * u[j];
                dotFull += (withAdapter[t * Tiny.WIDTH + j] - base[t * Tiny.WIDTH + j]) * u[j];
            }
            assertEquals(0, dotEdited, 1e-4, "position " + t);
            assertTrue(Math.abs(dotFull) > 1e-3, "the unedited adapter does write along r");
        }
    }

    static float[] capture(Decoder d, int[][] toks, String hook) {
        ActivationCache c = new ActivationCache();
        d.runWithCache(toks, hook::equals, c);
        return c.get(hook).data().clone();
    }

    @Test
    void loraPlanNeedsAdaptersAndRestoresAfterEvaluation() {
        Weights w = withLora();
        float[] before = w.layers()[2].down().lora.b().data.clone();
        Directions d = new Directions(Map.of(H0, new float[Tiny.WIDTH]), Map.of());
        d.byHook().get(H0)[3] = 1;
        SteeringPlan plan = new SteeringPlan(List.of(H0), null, false, false, false, AblationTarget.ZERO, false, 0, true, null, true, false, Positions.ALL, 1);
        List<float[]> during = new ArrayList<>();
        Steering.run(d, plan, hooks -> {
            during.add(w.layers()[2].down().lora.b().data.clone());
            return EvalOutcome.ofCounts(0, 1, 1);
        }, w, null);
        assertEquals(3, during.size()); // baseline, misalignment, random
        assertArrayEquals(before, during.get(0));
        // with r = e3, row 3 of every B becomes 0 during the edit
        assertEquals(0f, during.get(1)[3 * 2]);
        assertEquals(0f, during.get(1)[3 * 2 + 1]);
        assertArrayEquals(before, w.layers()[2].down().lora.b().data);
        assertThrows(IllegalArgumentException.class, () -> Steering.run(d, plan, h -> EvalOutcome.ofCounts(0, 1, 1),
                Tiny.weights(1), null));
    }
}
