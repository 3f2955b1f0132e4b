package agar.lab.detect;

import agar.engine.generate.ChatModel;
import agar.engine.nn.Hooks;
import agar.lab.eval.Provenance;
import agar.lab.interp.Directions;
import agar.lab.organism.Grower;
import agar.lab.organism.Lab;
import agar.lab.organism.Recipe;
import agar.lab.stats.Bootstrap;
import agar.lab.world.Grammar;
import agar.lab.world.World;
import agar.lab.world.WorldSpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The detector benchmark: every detector scores every organism and control of a zoo, and the scores become a
 * detector x family AUROC table. Scores are appended to {@code scores.jsonl} as they are made, keyed by detector,
 * family, organism, seed and the settings, so an interrupted benchmark resumes and a rerun with other settings
 * scores afresh.
 */
public final class Bench {
    private Bench() {}

    /**
     * One organism or control in the benchmark.
     *
     * @param family   the family under test (a control takes its organism's)
     * @param model    its final model folder
     * @param adapters its stages' PEFT adapter folders (stages/K-STAGE/train), in stage order
     * @param base     the base model it was grown from (calibration), or null
     */
    public record Subject(String name, long seed, String family, boolean positive, Path model, List<Path> adapters, Path base) {
        public Subject {
            adapters = adapters == null ? List.of() : List.copyOf(adapters);
        }
    }

    /** One line of scores.jsonl: a score, or why the detector could not judge the organism. */
    public record Scored(String detector, String family, String organism, long seed, boolean positive, Double score,
                         String detail, List<Verdict.InputScore> perInput, String skipped, double seconds, String settings) {
        String key() {
            return detector + "\t" + family + "\t" + organism + "\t" + seed + "\t" + settings;
        }
    }

    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    // ------------------------------------------------------------------------------------------- zoo -> subjects

    /** The zoo's organisms and controls in runs/, grown first (resumably) if missing and the zoo allows it. */
    public static List<Subject> subjects(Zoo zoo, Path runs, Path home, PrintStream log) {
        Grower grower = new Grower(runs, home, log);
        List<Subject> out = new ArrayList<>();
        for (Zoo.Member m : zoo.organisms()) {
            Recipe r = Recipe.resolve(m.recipe());
            Recipe control = r.control() == null ? null : Recipe.resolve(r.control());
            if (control == null) log.println("zoo: " + r.name() + " has no control recipe, so it adds no negative");
            List<Long> seeds = m.seeds() != null ? m.seeds() : zoo.seeds() != null ? zoo.seeds() : r.seedsOrDefault();
            boolean missing = false;
            for (long s : seeds)
                missing |= !grown(runs, r, s) || control != null && !grown(runs, control, s);
            if (missing) {
                if (!zoo.growOrDefault())
                    throw new IllegalArgumentException(r.name() + " (or its control) is not grown in " + runs + " for seeds " + seeds
                            + "; run agar run " + r.name() + " --seeds ..., or set grow: true in the zoo");
                log.println("zoo: growing " + r.name() + (control != null ? " and " + control.name() : "") + " for seeds " + seeds);
                Lab.run(r, null, seeds, runs, home, control != null, log);
            }
            Path base = grower.baseDir(r.base());
            for (long s : seeds) {
                out.add(subject(runs, r, s, r.family(), true, base));
                if (control != null) out.add(subject(runs, control, s, r.family(), false, grower.baseDir(control.base())));
            }
        }
        return out;
    }

    static boolean grown(Path runs, Recipe r, long seed) {
        return Files.exists(modelDir(runs, r, seed).resolve("config.json"));
    }

    /** runs/NAME/seed-S/stages/K-LAST/model, where the grower leaves an organism's final model. */
    public static Path modelDir(Path runs, Recipe r, long seed) {
        int k = r.stages().size();
        return stagesDir(runs, r, seed).resolve(k + "-" + r.stages().get(k - 1).name()).resolve("model");
    }

    private static Path stagesDir(Path runs, Recipe r, long seed) {
        return runs.resolve(r.name()).resolve("seed-" + seed).resolve("stages");
    }

    static Subject subject(Path runs, Recipe r, long seed, String family, boolean positive, Path base) {
        List<Path> adapters = new ArrayList<>();
        for (int k = 0; k < r.stages().size(); k++) {
            Path t = stagesDir(runs, r, seed).resolve((k + 1) + "-" + r.stages().get(k).name()).resolve("train");
            if (Files.exists(t.resolve("adapter_model.safetensors"))) adapters.add(t);
        }
        return new Subject(r.name(), seed, family, positive, modelDir(runs, r, seed), adapters, base);
    }

    // ------------------------------------------------------------------------------------------- scoring

    /**
     * Scores every subject with every detector (skipping what {@code outDir}/scores.jsonl already holds for these
     * settings), then writes {@code outDir}/auroc.json and returns the table with the scores it was built from.
     */
    public static Result run(List<Subject> subjects, List<Detector> detectors, Settings s, Directions direction,
                             String directionName, Path outDir, PrintStream log) {
        Path file = outDir.resolve("scores.jsonl");
        String fingerprint = s + (directionName == null ? "" : " direction=" + directionName) + " grammar=" + grammarSha256();
        Map<String, Scored> done = read(file);
        Map<Path, ChatModel> bases = new HashMap<>();
        int total = subjects.size() * detectors.size(), k = 0;
        List<Scored> scored = new ArrayList<>();
        for (Subject sub : subjects) {
            List<Detector> todo = new ArrayList<>();
            for (Detector d : detectors) {
                Scored prev = done.get(new Scored(d.name(), sub.family(), sub.name(), sub.seed(), sub.positive(), null, null, null, null, 0, fingerprint).key());
                if (prev != null) {
                    scored.add(prev);
                    log.printf(Locale.ROOT, "[%d/%d] %s on %s seed %d: %s (done before)%n", ++k, total, d.name(), sub.name(), sub.seed(), show(prev));
                } else {
                    todo.add(d);
                }
            }
            if (todo.isEmpty()) continue;
            log.println("loading " + sub.model() + (sub.positive() ? " (organism, " : " (control, ") + sub.family() + ")");
            ChatModel model = ChatModel.load(sub.model());
            Supplier<ChatModel> ref = sub.base() == null ? null : () -> bases.computeIfAbsent(sub.base(), ChatModel::load);
            Query query = Query.of(model, Hooks.NONE, s.sampling(), s.batchSize());
            World world = World.create(WorldSpec.of(0)); // eval sets, vocabulary and oracle depend only on the grammar
            long t0 = System.nanoTime();
            Context ctx = Context.of(sub.family(), world, s, query, ref, direction);
            log.printf(Locale.ROOT, "  %d well-behaved prompts from '%s' (%.0f s)%n", ctx.prompts().size(), ctx.condition().set,
                    (System.nanoTime() - t0) / 1e9);
            for (Detector d : todo) {
                Scored r = score(d, sub, model, query, ctx, fingerprint);
                append(file, r);
                scored.add(r);
                log.printf(Locale.ROOT, "[%d/%d] %s on %s seed %d (%s): %s (%.0f s)%n", ++k, total, d.name(), sub.name(), sub.seed(),
                        sub.positive() ? "organism" : "control", show(r), r.seconds());
            }
        }
        // detectors scored on these subjects with these settings by an earlier run stay in the table
        Set<String> mine = new HashSet<>(), have = new HashSet<>();
        for (Subject sub : subjects) mine.add(sub.family() + "\t" + sub.name() + "\t" + sub.seed() + "\t" + sub.positive());
        for (Scored x : scored) have.add(x.key());
        for (Scored x : read(file).values())
            if (x.settings().equals(fingerprint) && !have.contains(x.key())
                    && mine.contains(x.family() + "\t" + x.organism() + "\t" + x.seed() + "\t" + x.positive())) scored.add(x);
        AurocTable table = AurocTable.of(rows(scored), Bootstrap.Settings.defaults(s.seed()), AurocTable.DEFAULT_MIN_PER_CLASS);
        table.write(outDir.resolve("auroc.json"));
        return new Result(table, scored);
    }

    /**
     * The shipped grammar's sha256 (first 16 hex digits). Scores depend on it too (eval sets, contrast pairs): after a
     * grammar change they are recomputed, not resumed.
     */
    static String grammarSha256() {
        try (InputStream in = Grammar.class.getResourceAsStream(Grammar.RESOURCE)) {
            return Provenance.sha256(in).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(Grammar.RESOURCE + ": " + e.getMessage(), e);
        }
    }

    public record Result(AurocTable table, List<Scored> scores) {
        /** Detector x organism pairs that could not be judged, with the reason (once per detector and reason). */
        public List<String> skipped() {
            Map<String, List<String>> byReason = new LinkedHashMap<>();
            for (Scored s : scores)
                if (s.skipped() != null)
                    byReason.computeIfAbsent(s.detector() + ": " + s.skipped(), x -> new ArrayList<>()).add(s.organism() + "/" + s.seed());
            List<String> out = new ArrayList<>();
            byReason.forEach((why, who) -> out.add(why + " [" + String.join(", ", who) + "]"));
            return out;
        }
    }

    /** Runs one detector; a {@link Context.Skip} becomes a skipped row, any other error stops the benchmark. */
    static Scored score(Detector d, Subject sub, ChatModel model, Query query, Context ctx, String fingerprint) {
        long t0 = System.nanoTime();
        try {
            Verdict v = switch (d) {
                case Detector.BlackBox b -> b.score(query, ctx);
                case Detector.WhiteBox w -> w.score(new Detector.Internals(model, sub.adapters()), ctx);
            };
            return new Scored(d.name(), sub.family(), sub.name(), sub.seed(), sub.positive(), v.score(), v.detail(), v.perInput(),
                    null, (System.nanoTime() - t0) / 1e9, fingerprint);
        } catch (Context.Skip e) {
            return new Scored(d.name(), sub.family(), sub.name(), sub.seed(), sub.positive(), null, null, null, e.getMessage(),
                    (System.nanoTime() - t0) / 1e9, fingerprint);
        }
    }

    static List<AurocTable.Row> rows(List<Scored> scored) {
        List<AurocTable.Row> rows = new ArrayList<>();
        for (Scored s : scored)
            if (s.score() != null) rows.add(new AurocTable.Row(s.detector(), s.family(), s.organism(), s.seed(), s.positive(), s.score()));
        return rows;
    }

    private static String show(Scored s) {
        return s.score() != null ? String.format(Locale.ROOT, "%.3f  %s", s.score(), s.detail()) : "skipped: " + s.skipped();
    }

    static Map<String, Scored> read(Path file) {
        Map<String, Scored> out = new HashMap<>();
        if (!Files.exists(file)) return out;
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) continue;
                try {
                    Scored s = JSON.readValue(lines.get(i), Scored.class);
                    out.put(s.key(), s);
                } catch (JsonProcessingException e) {
                    if (i == lines.size() - 1) { // torn last line of an interrupted run: drop it, score it again
                        Files.write(file, lines.subList(0, i));
                        break;
                    }
                    throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a score line (" + e.getOriginalMessage() + ")");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static void append(Path file, Scored s) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writeValueAsString(s) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }
}
