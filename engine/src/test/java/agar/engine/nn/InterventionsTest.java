package agar.engine.nn;

import org.junit.jupiter.api.Test;

import agar.engine.model.RandomWeights;
import agar.engine.model.Weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InterventionsTest {
    final Weights w = RandomWeights.create(TinyConfigs.qwen2(), 4, 0.3f);
    final Decoder dec = new Decoder(w);
    final int[][] tokens = TinyConfigs.tokens(1, 40, 6, 4);
    final float[] dir = {1, 2, 0, 0, -1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1};

    @Test
    void projectingOutLeavesNoComponentAlongTheDirectionAndKeepsTheRest() {
        assertSetsCoordinate(HookNames.residPost(0), Interventions.projectOut(dir, Positions.ALL), 0);
    }

    @Test
    void projectingToAPointSetsEveryCoordinateAlongTheDirectionToThePoints() {
        float[] point = new float[16];
        for (int j = 0; j < 16; j++) point[j] = (j % 3) - 0.7f * j;
        // p . dir = -25.2 by hand, |dir| = 4
        assertSetsCoordinate(HookNames.residPost(1), Interventions.projectTo(dir, point, Positions.ALL), -25.2 / 4);
    }

    @Test
    void directionalPatchingTakesTheSourcesCoordinateWhereTheSourceHasThePosition() {
        // the source: another model's run over the first 3 tokens, batch 1, so it serves both rows (a shared prefix)
        String name = HookNames.residPost(1);
        ActivationCache other = new ActivationCache();
        new Decoder(RandomWeights.create(TinyConfigs.qwen2(), 9, 0.3f))
                .runWithCache(new int[][] {java.util.Arrays.copyOf(tokens[0], 3)}, name::equals, other);
        Activation s = other.get(name);
        double[] r = unit();
        double[] sourceCoord = new double[3];
        for (int t = 0; t < 3; t++)
            for (int j = 0; j < 16; j++) sourceCoord[t] += s.data()[s.offset(0, t) + j] * r[j];
        assertSetsCoordinate(name, Interventions.projectTo(dir, s, Positions.ALL), (row, t, before) -> t < 3 ? sourceCoord[t] : before);

        // whole-vector patching copies the source there and nothing elsewhere
        ActivationCache before = new ActivationCache(), after = new ActivationCache();
        dec.runWithCache(tokens, name::equals, before);
        dec.forward(tokens, Hooks.NONE.with(name, Interventions.patch(s, new Positions(1, 10))).with(name, after.recorder()));
        Activation a = before.get(name), b = after.get(name);
        for (int row = 0; row < 2; row++)
            for (int t = 0; t < tokens[row].length; t++)
                for (int j = 0; j < 16; j++)
                    assertEquals(t >= 1 && t < 3 ? s.data()[s.offset(0, t) + j] : a.data()[a.offset(row, t) + j],
                            b.data()[b.offset(row, t) + j], "row " + row + " position " + t);
        Activation narrow = new Activation(name, new float[8], new int[] {1, 1, 8}, new int[] {0}, new int[] {1});
        assertThrows(IllegalArgumentException.class, () -> Interventions.projectTo(new float[8], narrow, Positions.ALL));
        assertThrows(IllegalArgumentException.class, () -> dec.forward(tokens,
                Hooks.NONE.with(name, Interventions.patch(narrow, Positions.ALL))), "a source of another width");
    }

    private interface Target {
        double at(int row, int t, double coordinateBefore);
    }

    private double[] unit() {
        double norm = 0;
        for (float x : dir) norm += (double) x * x;
        double[] r = new double[16];
        for (int j = 0; j < 16; j++) r[j] = dir[j] / Math.sqrt(norm);
        return r;
    }

    /** After the hook every position's coordinate along dir is {@code target} and the orthogonal part is unchanged. */
    private void assertSetsCoordinate(String name, Hook hook, double target) {
        assertSetsCoordinate(name, hook, (row, t, before) -> target);
    }

    private void assertSetsCoordinate(String name, Hook hook, Target target) {
        ActivationCache before = new ActivationCache(), after = new ActivationCache();
        dec.runWithCache(tokens, name::equals, before);
        dec.forward(tokens, Hooks.NONE.with(name, hook).with(name, after.recorder()));
        double[] r = unit();
        Activation a = before.get(name), b = after.get(name);
        for (int row = 0; row < 2; row++)
            for (int t = 0; t < tokens[row].length; t++) {
                int o = a.offset(row, t);
                double dotA = 0, dotB = 0;
                for (int j = 0; j < 16; j++) {
                    dotA += a.data()[o + j] * r[j];
                    dotB += b.data()[o + j] * r[j];
                }
                double want = target.at(row, t, dotA);
                assertEquals(want, dotB, 1e-4, "row " + row + " position " + t);
                for (int j = 0; j < 16; j++) assertEquals(a.data()[o + j] - (dotA - want) * r[j], b.data()[o + j], 1e-4);
            }
    }

    @Test
    void addingAVectorOnlyFromAPositionChangesOnlyLaterLogits() {
        float[] base = dec.forward(tokens, Hooks.NONE).clone();
        float[] steered = dec.forward(tokens,
                Hooks.NONE.with(HookNames.block(1, "resid_pre"), Interventions.add(dir, 4f, Positions.from(3))));
        int V = 40;
        for (int t = 0; t < 3; t++)
            for (int v = 0; v < V; v++) assertEquals(base[t * V + v], steered[t * V + v], 1e-6, "before the position");
        assertNotEquals(base[4 * V], steered[4 * V]);
    }

    @Test
    void aRangeOfPositionsIsActedOnAndNothingOutsideIt() {
        String name = HookNames.residPost(0);
        ActivationCache before = new ActivationCache(), after = new ActivationCache();
        dec.runWithCache(tokens, name::equals, before);
        dec.forward(tokens, Hooks.NONE.with(name, Interventions.zero(new Positions(2, 5))).with(name, after.recorder()));
        Activation a = before.get(name), b = after.get(name);
        for (int row = 0; row < 2; row++)
            for (int t = 0; t < tokens[row].length; t++)
                for (int j = 0; j < 16; j++)
                    assertEquals(t >= 2 && t < 5 ? 0f : a.data()[a.offset(row, t) + j], b.data()[b.offset(row, t) + j],
                            "row " + row + " position " + t);
        assertEquals("2-4", new Positions(2, 5).toString());
        assertEquals("3-", Positions.from(3).toString());
        assertEquals(" @2-4", new Positions(2, 5).suffix());
        assertEquals("", Positions.ALL.suffix());
        assertEquals("", Positions.from(0).suffix(), "every position from 0 on is ALL");
        assertThrows(IllegalArgumentException.class, () -> new Positions(5, 5));
    }

    @Test
    void zeroingAttentionOutputEverywhereMatchesZeroedOutputProjection() {
        Hooks hooks = Hooks.NONE;
        for (int l = 0; l < 2; l++) hooks = hooks.with(HookNames.block(l, "attn_out"), Interventions.zero(Positions.ALL));
        float[] ablated = dec.forward(tokens, hooks);
        Weights noAttn = RandomWeights.create(TinyConfigs.qwen2(), 4, 0.3f);
        for (var lw : noAttn.layers()) java.util.Arrays.fill(lw.o().weight.data, 0f);
        float[] want = new Decoder(noAttn).forward(tokens, Hooks.NONE);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], ablated[i], 1e-6);
    }
}
