package agar.lab.organism;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import agar.lab.eval.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resuming a run reuses its models, so a run folder grown one way must refuse to be continued another way. */
class GrowerResumeTest {
    @Test
    void aRunFolderRefusesARecipeGrownFromAnotherBaseOrOtherWeights(@TempDir Path dir) throws Exception {
        Path a = TinyModel.write(dir.resolve("a")), b = TinyModel.write(dir.resolve("b"));
        Recipe r = Recipe.parse(new ByteArrayInputStream("""
                name: tiny
                family: control
                made_to: test
                hazard: none
                base: %s
                stages:
                  - {name: s, data: {world: chat, n: 4}, train: {full: {}, lr: 1.0e-3, batch_size: 4}}
                evals:
                  - {name: em, set: em, samples: 1, max_new_tokens: 2}
                """.formatted(a).getBytes(StandardCharsets.UTF_8)), "test recipe");
        Path runs = dir.resolve("runs");
        Grower g = new Grower(runs, dir, new PrintStream(PrintStream.nullOutputStream()));
        Grower.Grown first = g.grow(r, 0, true);
        assertTrue(Files.exists(first.dir().resolve("grown-from.json")));

        Grower.Grown again = g.grow(r, 0, true); // the same recipe resumes onto the same model
        assertEquals(first.model(), again.model());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.grow(r.withBase(b.toString()), 0, true));
        assertTrue(e.getMessage().contains("grown from a different recipe") && e.getMessage().contains(b.toString()),
                e.getMessage());
        // the same base folder with other weights (rebuilt, or replaced by a new shipped base) is another base too
        Path weights = a.resolve("model.safetensors");
        byte[] w = Files.readAllBytes(weights);
        w[w.length - 1] ^= 0x55;
        Files.write(weights, w);
        IllegalArgumentException rebuilt = assertThrows(IllegalArgumentException.class, () -> g.grow(r, 0, true));
        assertTrue(rebuilt.getMessage().contains("different recipe or base") && rebuilt.getMessage().contains(
                Provenance.sha256(weights)), rebuilt.getMessage());
        // a different seed is a different folder, free to grow
        assertEquals(runs.resolve("tiny").resolve("seed-1"), g.grow(r.withBase(b.toString()), 1, true).dir());
    }
}
