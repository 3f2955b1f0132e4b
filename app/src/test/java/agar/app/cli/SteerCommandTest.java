package agar.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import agar.engine.io.ModelLoader;
import agar.engine.model.Tensor;
import agar.engine.model.Weights;
import agar.engine.nn.HookNames;
import agar.engine.train.Lora;
import agar.engine.train.LoraConfig;
import agar.lab.interp.Directions;
import agar.lab.organism.TinyModel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** agar steer --adapter attaches a PEFT folder to its base, so --lora-b can edit the organism's B matrices. */
class SteerCommandTest {
    @TempDir
    Path dir;

    @Test
    void loraBEditsTheAttachedAdapterAndNeedsOne() throws Exception {
        Path base = TinyModel.write(dir.resolve("base"));
        Path adapter = adapter(base, List.of("o_proj", "down_proj"), 2);
        Weights w = ModelLoader.load(base);

        int layers = w.config().numHiddenLayers(), width = w.config().hiddenSize();
        Map<String, float[]> byHook = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            float[] d = new float[width];
            d[l] = 1;
            byHook.put(HookNames.residPost(l), d);
        }
        Path dirs = dir.resolve("dirs.safetensors");
        new Directions(byHook, Map.of()).save(dirs);

        Path json = dir.resolve("steer.json");
        var ok = EvalCommandTest.agar("steer", "--model", base.toString(), "--adapter", adapter.toString(), "--directions",
                dirs.toString(), "--lora-b", "--samples", "1", "--max-new-tokens", "3", "--json", json.toString());
        assertEquals(0, ok.code(), ok.err());
        JsonNode rows = new ObjectMapper().readTree(json.toFile());
        List<String> edits = new java.util.ArrayList<>();
        for (JsonNode r : rows) if (r.path("intervention").asText().equals("lora-b-ablate")) edits.add(r.path("direction").asText());
        assertEquals(List.of("misalignment", "random"), edits, rows.toString());

        var none = EvalCommandTest.agar("steer", "--model", base.toString(), "--directions", dirs.toString(), "--lora-b",
                "--samples", "1", "--max-new-tokens", "3");
        assertNotEquals(0, none.code());
        assertTrue(none.err().contains("--lora-b edits LoRA adapters: attach them with --adapter DIR"), none.err());
        assertTrue(Files.exists(adapter.resolve(LoraConfig.WEIGHTS_FILE)));

        var empty = EvalCommandTest.agar("steer", "--model", base.toString(), "--directions", dirs.toString(), "--ablate",
                "--to-position", "0");
        assertNotEquals(0, empty.code());
        assertTrue(empty.err().contains("--from-position/--to-position: positions [0, 0)"), empty.err());
    }

    @Test
    void toModelPatchesFromTheBaseAndSavesTheDifference() throws Exception {
        Path base = TinyModel.write(dir.resolve("base"));
        Path adapter = adapter(base, List.of("down_proj"), 3);
        Path json = dir.resolve("steer.json"), diff = dir.resolve("diff.safetensors");
        var ok = EvalCommandTest.agar("steer", "--model", base.toString(), "--adapter", adapter.toString(), "--to-model",
                base.toString(), "--patch", "--patch-rank", "1", "--layers", "0", "--save-difference", diff.toString(),
                "--samples", "1", "--max-new-tokens", "3", "--json", json.toString());
        assertEquals(0, ok.code(), ok.err());
        List<String> rows = new java.util.ArrayList<>();
        for (JsonNode r : new ObjectMapper().readTree(json.toFile()))
            rows.add(r.path("intervention").asText() + " " + r.path("direction").asText() + " " + r.path("where").asText().replaceAll("@0-\\d+", "@P"));
        String h = HookNames.residPost(0);
        assertEquals(List.of("none - -", "patch - " + h + " @P", "patch - all @P", "patch-rank-1 difference " + h + " @P",
                "patch-rank-1 difference all @P", "patch-rank-1 random " + h + " @P", "patch-rank-1 random all @P"), rows);
        Directions d = Directions.load(diff);
        assertEquals("difference-from-model", d.metadata().get("kind"));
        assertEquals(List.of(h), List.copyOf(d.byHook().keySet()));

        var noModel = EvalCommandTest.agar("steer", "--model", base.toString(), "--patch");
        assertNotEquals(0, noModel.code());
        assertTrue(noModel.err().contains("need --to-model DIR"), noModel.err());
        var nothing = EvalCommandTest.agar("steer", "--model", base.toString(), "--ablate");
        assertNotEquals(0, nothing.code());
        assertTrue(nothing.err().contains("--directions FILE is needed"), nothing.err());
    }

    /** An organism's adapter folder on {@code base}: rank 2 on the modules, B random (a fresh adapter's B is 0). */
    private Path adapter(Path base, List<String> modules, long seed) throws Exception {
        Weights w = ModelLoader.load(base);
        LoraConfig c = new LoraConfig(2, 4, false, 0, new LoraConfig.TargetModules.Names(modules),
                null, null, null, null, base.toString(), "CAUSAL_LM");
        Lora.attach(w, c, 1);
        SplittableRandom rng = new SplittableRandom(seed);
        for (Tensor t : Lora.tensors(w)) for (int i = 0; i < t.data.length; i++) t.data[i] = (float) rng.nextGaussian();
        Path out = dir.resolve("adapter");
        Lora.save(w, c, out);
        return out;
    }
}
