package agar.lab.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import agar.engine.nn.ActivationCache;
import agar.engine.nn.Decoder;
import agar.engine.nn.HookNames;
import agar.engine.nn.Hooks;
import agar.engine.nn.Positions;

import agar.lab.stats.Vectors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AblationTargetTest {
    static final String H0 = HookNames.residPost(0), H1 = HookNames.residPost(1);
    final Decoder base = new Decoder(Tiny.weights(1)), organism = new Decoder(Tiny.weights(2));
    final List<int[]> prompts = List.of(new int[] {5, 6, 7, 8, 9}, new int[] {5, 6, 7, 3}, new int[] {5, 6, 2});

    @Test
    void theReferenceIsTheOtherModelOnThePrefixEveryPromptShares() {
        var ref = AblationTarget.Reference.onSharedPrefix("base", base, prompts, List.of(H0, H1));
        assertEquals(2, ref.length()); // 5, 6: the third prompt parts there
        assertEquals(new Positions(1, 2), ref.within(Positions.from(1)), "cut to the prefix");
        assertEquals(new Positions(0, 1), ref.within(new Positions(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> ref.within(Positions.from(2)), "no reference past the prefix");
        // causal attention: the base's first two positions of a whole prompt are the reference
        for (String h : List.of(H0, H1)) {
            float[] whole = SteeringTest.capture(base, new int[][] {prompts.getFirst()}, h);
            assertArrayEquals(Arrays.copyOf(whole, 2 * Tiny.WIDTH), ref.byHook().get(h).data(), 1e-5f, h); // GEMM blocking differs by length
        }
        assertThrows(IllegalArgumentException.class, () -> AblationTarget.Reference.onSharedPrefix("base", base,
                List.of(new int[] {1, 2}, new int[] {2, 1}), List.of(H0)), "no shared first token");
    }

    @Test
    void patchingFromTheReferenceTakesItsActivationsThereAndOnlyThere() {
        var ref = AblationTarget.Reference.onSharedPrefix("base", base, prompts, List.of(H0));
        int[][] toks = {prompts.getFirst()};
        float[] own = SteeringTest.capture(organism, toks, H0), theirs = SteeringTest.capture(base, toks, H0);
        ActivationCache after = new ActivationCache();
        organism.forward(toks, Hooks.NONE.with(H0, ref.patch(H0, Positions.ALL)).with(H0, after.recorder()));
        float[] patched = after.get(H0).data();
        for (int t = 0; t < 5; t++)
            for (int j = 0; j < Tiny.WIDTH; j++)
                assertEquals(t < 2 ? theirs[t * Tiny.WIDTH + j] : own[t * Tiny.WIDTH + j], patched[t * Tiny.WIDTH + j],
                        1e-5, "position " + t);
        // the organism patched from itself is the organism
        var self = AblationTarget.Reference.onSharedPrefix("self", organism, prompts, List.of(H0));
        assertArrayEquals(organism.forward(toks, Hooks.NONE), organism.forward(toks, Hooks.NONE.with(H0, self.patch(H0, Positions.ALL))),
                1e-5f);
    }

    @Test
    void aPlanWithPatchingRunsBaseAblationAndPatchesAtEachHookAndAll() {
        var ref = AblationTarget.Reference.onSharedPrefix("base", base, prompts, List.of(H0, H1));
        Directions d = new Directions(Map.of(H0, new float[Tiny.WIDTH], H1, new float[Tiny.WIDTH]), Map.of());
        d.byHook().get(H0)[0] = 1;
        d.byHook().get(H1)[1] = 1;
        SteeringPlan plan = new SteeringPlan(List.of(H0, H1), null, false, true, false, ref, true, 0, false, null, false,
                false, new Positions(0, 2), 3);
        List<Hooks> seen = new ArrayList<>();
        List<SteeringResult> rs = Steering.run(d, plan, h -> {
            seen.add(h);
            return EvalOutcome.ofCounts(seen.size() == 1 ? 10 : 5, 20, 20);
        }, null, null);
        assertEquals(List.of("none", "base-ablate", "base-ablate", "patch", "patch", "patch"),
                rs.stream().map(SteeringResult::intervention).toList());
        assertEquals(List.of("-", H0 + " @0-1", H1 + " @0-1", H0 + " @0-1", H1 + " @0-1", "all @0-1"),
                rs.stream().map(SteeringResult::where).toList());
        assertEquals(true, seen.getLast().wants(H0) && seen.getLast().wants(H1), "patching all acts at every hook");
        assertEquals(true, Steering.table(rs).contains("50.0%"), "half of the baseline's misaligned answers removed");
        assertThrows(IllegalArgumentException.class, () -> new SteeringPlan(List.of(H0), null, false, false, false,
                AblationTarget.ZERO, true, 0, false, null, false, false, Positions.ALL, 0), "patching needs a model");
    }

    @Test
    void patchingTheWholeDifferenceSubspaceIsPatchingTheActivation() {
        // the differences of 2 prefix positions span 2 dimensions: patching those is patching everything there
        var ref = AblationTarget.Reference.onSharedPrefix("base", base, prompts, List.of(H0)).against(organism);
        int[][] toks = {prompts.getFirst()};
        ActivationCache whole = new ActivationCache();
        organism.forward(toks, Hooks.NONE.with(H0, ref.patch(H0, Positions.ALL)).with(H0, whole.recorder()));
        List<float[]> basis = ref.differenceBasis(H0, 2);
        assertEquals(0, Vectors.cosine(basis.get(0), basis.get(1)), 1e-6);
        ActivationCache along = new ActivationCache(), one = new ActivationCache();
        organism.forward(toks, Hooks.NONE.with(H0, ref.patchAlong(H0, basis, Positions.ALL)).with(H0, along.recorder()));
        assertArrayEquals(whole.get(H0).data(), along.get(H0).data(), 1e-5f);
        organism.forward(toks, Hooks.NONE.with(H0, ref.patchAlong(H0, basis.subList(0, 1), Positions.ALL)).with(H0, one.recorder()));
        double off = 0;
        for (int j = 0; j < 2 * Tiny.WIDTH; j++) off = Math.max(off, Math.abs(one.get(H0).data()[j] - whole.get(H0).data()[j]));
        assertEquals(true, off > 1e-3, "one direction leaves part of the difference");
        assertThrows(IllegalArgumentException.class, () -> AblationTarget.Reference.onSharedPrefix("base", base, prompts,
                List.of(H0)).differenceBasis(H0, 1), "without the evaluated model's run");
    }

    @Test
    void aPlanWithRankedPatchesRunsEachRankWithItsRandomControl() {
        var ref = AblationTarget.Reference.onSharedPrefix("base", base, prompts, List.of(H0, H1)).against(organism);
        SteeringPlan plan = new SteeringPlan(List.of(H0, H1), null, false, false, false, ref, false, 2, false, null, true,
                false, Positions.ALL, 3);
        List<SteeringResult> rs = Steering.run(null, plan, h -> EvalOutcome.ofCounts(1, 2, 2), null, null);
        assertEquals(1 + 2 * 2 * 3, rs.size()); // baseline + 2 ranks x (difference, random) x (H0, H1, all)
        assertEquals(List.of("patch-rank-1", "difference", H0), List.of(rs.get(1).intervention(), rs.get(1).direction(), rs.get(1).where()));
        assertEquals(List.of("patch-rank-2", "random", "all"), List.of(rs.getLast().intervention(), rs.getLast().direction(), rs.getLast().where()));
        List<float[]> rnd = Steering.randomBasis(Tiny.WIDTH, 2, 3, H0);
        assertEquals(0, Vectors.cosine(rnd.get(0), rnd.get(1)), 1e-6);
        assertEquals(1, Vectors.norm(Vectors.toDouble(rnd.get(1))), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Steering.run(null, new SteeringPlan(List.of(H0), null, false, true,
                false, ref, false, 0, false, null, true, false, Positions.ALL, 3), h -> EvalOutcome.ofCounts(1, 2, 2), null, null),
                "ablation needs directions");
    }

    @Test
    void theDifferenceDirectionPointsTowardTheEvaluatedModelWithTheMeanShiftAsItsLength() {
        var ref = AblationTarget.Reference.onSharedPrefix("base", base, prompts, List.of(H0, H1)).against(organism);
        Directions d = ref.differenceDirections();
        assertEquals("difference-from-model", d.metadata().get("kind"));
        assertEquals(List.of(H0, H1), List.copyOf(d.byHook().keySet()), "in the hooks' order");
        for (String h : List.of(H0, H1)) {
            float[] v = d.get(h), mine = SteeringTest.capture(organism, new int[][] {{5, 6}}, h),
                    theirs = SteeringTest.capture(base, new int[][] {{5, 6}}, h);
            double[] u = Vectors.unit(Vectors.toDouble(v));
            assertEquals(1, Math.abs(Vectors.cosine(v, ref.differenceBasis(h, 1).getFirst())), 1e-6);
            double shift = 0;
            for (int t = 0; t < 2; t++)
                for (int j = 0; j < Tiny.WIDTH; j++) shift += (mine[t * Tiny.WIDTH + j] - theirs[t * Tiny.WIDTH + j]) * u[j] / 2;
            assertEquals(true, shift > 0, "oriented toward the evaluated model");
            assertEquals(shift, Vectors.norm(Vectors.toDouble(v)), 1e-4);
            for (int j = 0; j < Tiny.WIDTH; j++)
                assertEquals((theirs[j] + theirs[Tiny.WIDTH + j]) / 2, d.baseline(h)[j], 1e-5, "the model's mean over the prefix");
        }
    }
}
