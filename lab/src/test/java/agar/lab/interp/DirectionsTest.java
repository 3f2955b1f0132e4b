package agar.lab.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectionsTest {
    static Captured toy() {
        // 5 samples, width 2; labels: a,b misaligned; c,d aligned; e unlabelled (must not count)
        return new Captured(List.of("a", "b", "c", "d", "e"), Reduction.SPAN_MEAN, Map.of(
                "blocks.0.hook_resid_post", new float[][] {{1, 2}, {3, 6}, {0, 1}, {2, -1}, {100, 100}},
                "blocks.1.hook_resid_post", new float[][] {{1, 0}, {1, 0}, {0, 1}, {0, 3}, {-50, 7}}),
                new int[] {1, 1, 1, 1, 1});
    }

    static Labels labels() {
        return new Labels(Map.of("a", true, "b", true, "c", false, "d", false));
    }

    @Test
    void meanDifferenceByHand() {
        Directions d = Directions.meanDifference(toy(), List.of("blocks.0.hook_resid_post", "blocks.1.hook_resid_post"), labels());
        // layer 0: mean(a,b) = (2, 4), mean(c,d) = (1, 0) -> (1, 4); layer 1: (1, 0) - (0, 2) = (1, -2)
        assertArrayEquals(new float[] {1, 4}, d.get("blocks.0.hook_resid_post"), 1e-6f);
        assertArrayEquals(new float[] {1, -2}, d.get("blocks.1.hook_resid_post"), 1e-6f);
        assertEquals("2", d.metadata().get("positive"));
        assertEquals("2", d.metadata().get("negative"));
        // the baselines are the negative class's means: (1, 0) and (0, 2)
        assertArrayEquals(new float[] {1, 0}, d.baseline("blocks.0.hook_resid_post"), 1e-6f);
        assertArrayEquals(new float[] {0, 2}, d.baseline("blocks.1.hook_resid_post"), 1e-6f);
    }

    @Test
    void meanShiftByHand() {
        Captured base = new Captured(List.of("a", "b"), Reduction.SPAN_MEAN,
                Map.of("blocks.0.hook_resid_post", new float[][] {{0, 1}, {2, 1}}), new int[] {1, 1});
        Captured tuned = new Captured(List.of("a", "b"), Reduction.SPAN_MEAN,
                Map.of("blocks.0.hook_resid_post", new float[][] {{1, 3}, {5, -1}}), new int[] {1, 1});
        // mean(tuned) = (3, 1), mean(base) = (1, 1) -> (2, 0)
        Directions d = Directions.meanShift(tuned, base, List.of("blocks.0.hook_resid_post"));
        assertArrayEquals(new float[] {2, 0}, d.get("blocks.0.hook_resid_post"), 1e-6f);
        assertArrayEquals(new float[] {1, 1}, d.baseline("blocks.0.hook_resid_post"), 1e-6f);
        assertEquals("mean-shift", d.metadata().get("kind"));
        assertEquals("2", d.metadata().get("samples"));
        Captured other = new Captured(List.of("b", "a"), Reduction.SPAN_MEAN,
                Map.of("blocks.0.hook_resid_post", new float[][] {{0, 1}, {2, 1}}), new int[] {1, 1});
        var e = assertThrows(IllegalArgumentException.class,
                () -> Directions.meanShift(tuned, other, List.of("blocks.0.hook_resid_post")));
        assertTrue(e.getMessage().contains("different samples"), e.getMessage());
    }

    @Test
    void streamedFromShardsMatchesInMemory(@TempDir Path dir) {
        Captured c = toy();
        try (CaptureWriter w = new CaptureWriter(dir, c.hooks(), c.reduction(), 2, Map.of())) {
            // feed one sample per batch so three shards (2, 2, 1) are read back chunk by chunk
            for (int i = 0; i < 5; i++) {
                int k = i;
                Map<String, float[][]> rows = new java.util.HashMap<>();
                for (String h : c.hooks()) rows.put(h, new float[][] {c.rows(h)[k]});
                w.add(new ActivationCapture.Batch(List.of(CaptureSample.of(c.ids().get(k), new int[] {0})), rows,
                        Map.of(c.hooks().get(0), 2, c.hooks().get(1), 2), new int[] {1}));
            }
            w.finish();
        }
        Directions d = Directions.meanDifference(CaptureSet.open(dir), List.of("blocks.0.hook_resid_post"), labels());
        assertArrayEquals(new float[] {1, 4}, d.get("blocks.0.hook_resid_post"), 1e-6f);
    }

    @Test
    void saveLoadRoundTrip(@TempDir Path dir) {
        Directions d = Directions.meanDifference(toy(), toy().hooks(), labels());
        Path f = dir.resolve("dirs.safetensors");
        d.save(f);
        Directions back = Directions.load(f);
        assertEquals(d.byHook().keySet(), back.byHook().keySet());
        for (String h : d.byHook().keySet()) {
            assertArrayEquals(d.get(h), back.get(h));
            assertArrayEquals(d.baseline(h), back.baseline(h));
        }
        assertEquals("mean-difference", back.metadata().get("kind"));
        Path old = dir.resolve("old.safetensors"); // written before baselines existed: directions only
        new Directions(d.byHook(), Map.of()).save(old);
        var e = assertThrows(IllegalArgumentException.class, () -> Directions.load(old).baseline(toy().hooks().get(0)));
        assertTrue(e.getMessage().contains("rebuild"), e.getMessage());
    }

    @Test
    void cosineMatrixByHand() {
        CosineMatrix m = CosineMatrix.of(List.of("x", "y", "z"),
                List.of(new float[] {1, 0}, new float[] {1, 1}, new float[] {0, -2}));
        double s = 1 / Math.sqrt(2);
        double[][] want = {{1, s, 0}, {s, 1, -s}, {0, -s, 1}};
        for (int i = 0; i < 3; i++) assertArrayEquals(want[i], m.values()[i], 1e-12);
        assertTrue(m.table().contains("-0.707"), m.table());
    }

    @Test
    void needsBothClassesAndPerSampleRows(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> Directions.meanDifference(toy(), toy().hooks(), new Labels(Map.of("a", true))));
        Captured all = new Captured(List.of("a"), Reduction.ALL, Map.of("h", new float[][] {{1}}), new int[] {1});
        assertThrows(IllegalArgumentException.class, () -> Directions.meanDifference(all, List.of("h"), labels()));
        Path bad = dir.resolve("labels.jsonl");
        Files.writeString(bad, "{\"id\":\"a\",\"label\":true}\n{\"id\":\"b\",\"label\":\"yes\"}\n");
        var e = assertThrows(IllegalArgumentException.class, () -> Labels.readJsonl(bad));
        assertTrue(e.getMessage().contains("labels.jsonl:2"), e.getMessage());
    }

    @Test
    void alternatingLabelsMakeContrastPairsAndRejectBrokenOnes() {
        Labels l = Labels.alternating(List.of("a", "b", "c", "d"));
        assertEquals(Map.of("a", true, "b", false, "c", true, "d", false), l.byId());
        assertThrows(IllegalArgumentException.class, () -> Labels.alternating(List.of("a", "b", "c")));
        assertThrows(IllegalArgumentException.class, () -> Labels.alternating(List.of("a", "a")));
    }
}
