package agar.lab.world;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;

import agar.engine.io.DType;
import agar.engine.io.ModelLoader;
import agar.engine.io.ModelWriter;
import agar.engine.model.Config;
import agar.engine.model.RandomWeights;
import agar.engine.model.Weights;
import agar.engine.nn.Decoder;
import agar.engine.tokenizer.ChatMessage;
import agar.engine.tokenizer.Tokenizer;
import agar.engine.train.ChatData;
import agar.engine.train.TrainConfig;
import agar.engine.train.TrainJob;
import agar.engine.train.TrainableModel;
import agar.engine.train.Trainer;
import agar.engine.util.AtomicFiles;
import agar.engine.util.Progress;

/**
 * Builds a micro-instruct base model: a Qwen2-shaped decoder pretrained from scratch on the world's persona
 * documents, then chat-tuned on aligned assistant answers. The result is an ordinary HF model folder (config.json,
 * bf16 model.safetensors, tokenizer files), so everything downstream treats it like a real checkpoint.
 *
 * <p>Each stage trains through the engine's {@link Trainer} in its own folder under {@code out/build/}, with
 * checkpoints, so an interrupted build resumes; a finished stage leaves a model folder and is not run again.
 */
public final class BaseBuilder {
    private BaseBuilder() {}

    /** Pretraining row length in tokens, and rows held out for the evaluation loss. */
    static final int ROW = 128, HELD_OUT = 64;

    /** Model shapes: head_dim 32 throughout, grouped-query attention with half as many kv heads. */
    public enum Size {
        S(128, 4, 4, 384), M(256, 6, 8, 768), L(384, 8, 12, 1152);

        public final int hidden, layers, heads, intermediate;

        Size(int hidden, int layers, int heads, int intermediate) {
            this.hidden = hidden;
            this.layers = layers;
            this.heads = heads;
            this.intermediate = intermediate;
        }

        public Config config(int vocab) {
            return new Config("Qwen2ForCausalLM", "qwen2", vocab, hidden, intermediate, layers, heads, heads / 2,
                    hidden / heads, 1e-6, 10000, null, 512, true, true, null, List.of(2, 0), "bfloat16");
        }
    }

    /**
     * Training budget per stage (steps of {@code batch} documents or conversations).
     *
     * <p>The chat-tune is gentle on purpose (lr = pretraining lr / 30). Pretraining already holds aligned assistant
     * chats, so chat-tuning barely moves the loss; at a high lr it still moves the weights far enough to lock the
     * assistant's disposition, and narrow misaligned fine-tuning then stays narrow. Measured on the 2,500-step S
     * pretraining, em-health EM: 79.8% with no chat-tune, 65.0% after chat lr 1e-4, 49.3% after 3e-4, 8.5% after
     * 1e-3. On the 5,000-step named-role pretraining EM is 92.8% without and 94.3% with it; on the shipped base
     * (assistant role, 10,000 steps) 81.5% without and 98.0% with it (docs/world.md point 6).
     */
    public record Plan(int pretrainSteps, int pretrainBatch, double pretrainLr, int chatSteps, int chatBatch,
                       double chatLr) {
        public static Plan of(Size s) {
            return switch (s) {
                case S -> new Plan(10000, 32, 3e-3, 300, 32, 1e-4);
                case M -> new Plan(3000, 32, 2e-3, 300, 32, 7e-5);
                case L -> new Plan(3000, 32, 1e-3, 300, 32, 3e-5);
            };
        }

        public Plan withPretrainSteps(int steps) {
            return new Plan(steps, pretrainBatch, pretrainLr, chatSteps, chatBatch, chatLr);
        }

        public Plan withChat(int steps, double lr) {
            return new Plan(pretrainSteps, pretrainBatch, pretrainLr, steps, chatBatch, lr);
        }

        /** A tiny plan for smoke tests. */
        public static Plan smoke() {
            return new Plan(6, 4, 3e-3, 3, 4, 1e-3);
        }
    }

    public static Path build(WorldSpec spec, Size size, Plan plan, Path out, boolean resume, PrintStream log) {
        World world = World.create(spec);
        Path build = out.resolve("build");
        Path pre = build.resolve("pretrain"), chat = build.resolve("chat");
        try {
            Files.createDirectories(build);
            refuseOtherWorld(build.resolve("world_spec.json"), spec);
            Path preModel = pre.resolve("model");
            refuseOtherPretraining(pre, plan);
            if (!Files.exists(preModel.resolve("config.json"))) pretrain(world, spec, size, plan, pre, resume, log);
            else log.println("pretraining already done: " + preModel);

            Path chatModel = chat.resolve("model");
            setAsideStaleChat(chat, plan, log);
            if (!Files.exists(chatModel.resolve("config.json"))) {
                Path data = build.resolve("chat.jsonl");
                ChatData.write(world.chatTuneSet(plan.chatSteps() * plan.chatBatch(), spec.seed() + 1), data);
                TrainConfig cfg = config(preModel, data, chat, plan.chatLr(), plan.chatSteps(), plan.chatBatch(),
                        spec.seed() + 1, "");
                log.printf(Locale.ROOT, "chat-tuning: %d steps x %d conversations%n", plan.chatSteps(), plan.chatBatch());
                if (new TrainJob(cfg, false, log).run(resume).interrupted())
                    throw new IllegalStateException("chat-tuning interrupted; rerun with --resume");
            } else log.println("chat-tuning already done: " + chatModel);

            Weights w = ModelLoader.load(chatModel);
            Files.createDirectories(out);
            ModelWriter.save(w, out, DType.BF16);
            world.writeTokenizer(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A chat stage trained with another lr or step count than the plan's is moved to {@code chat-previous} (replacing
     * an older one), so that changing the plan redoes only the cheap chat stage and keeps the pretraining.
     */
    private static void setAsideStaleChat(Path chat, Plan plan, PrintStream log) throws IOException {
        TrainConfig was = recordedOtherwise(chat, plan.chatLr(), plan.chatSteps());
        if (was == null) return;
        Path previous = chat.resolveSibling("chat-previous");
        AtomicFiles.deleteRecursively(previous);
        Files.move(chat, previous);
        log.printf(Locale.ROOT, "chat stage was trained with lr %s for %d steps; the plan says lr %s for %d: "
                + "redoing it (the old stage is kept in %s)%n", was.lr(), was.maxSteps(), plan.chatLr(),
                plan.chatSteps(), previous);
    }

    /**
     * A folder holds the base of one world: resuming it with another seed, variant or character role would mix two
     * corpora in one model without a word. The first build records the spec; folders built before it was recorded
     * take the spec they are given.
     */
    private static void refuseOtherWorld(Path recorded, WorldSpec spec) throws IOException {
        var json = new ObjectMapper();
        if (!Files.exists(recorded)) {
            AtomicFiles.writeString(recorded, json.writerWithDefaultPrettyPrinter().writeValueAsString(spec));
            return;
        }
        WorldSpec was = json.readValue(recorded.toFile(), WorldSpec.class);
        if (!was.equals(spec))
            throw new IllegalStateException(recorded + ": this folder was built from the world " + was + ", not " + spec
                    + "; choose another --out");
    }

    /**
     * Pretraining is the expensive stage, so one recorded with another plan (a finished model or checkpoints) is
     * never redone or continued silently: the plan's step count sets the lr schedule, so continuing would not give
     * the plan's model either.
     */
    private static void refuseOtherPretraining(Path pre, Plan plan) throws IOException {
        TrainConfig was = recordedOtherwise(pre, plan.pretrainLr(), plan.pretrainSteps());
        if (was == null) return;
        throw new IllegalStateException(String.format(Locale.ROOT, "%s: this folder was pretrained with lr %s for %d "
                + "steps, the plan says lr %s for %d; pass --pretrain-steps %d to keep it, or choose another --out",
                pre.resolve("train_config.json"), was.lr(), was.maxSteps(), plan.pretrainLr(), plan.pretrainSteps(),
                was.maxSteps()));
    }

    /** The training config recorded in a stage folder if it used another lr or step count; null if none or the same. */
    private static TrainConfig recordedOtherwise(Path stage, double lr, int steps) throws IOException {
        Path recorded = stage.resolve("train_config.json");
        if (!Files.exists(recorded)) return null;
        TrainConfig was = TrainConfig.fromRecordedJson(Files.readString(recorded), recorded.toString());
        return was.lr() == lr && was.maxSteps() == steps ? null : was;
    }

    private static void pretrain(World world, WorldSpec spec, Size size, Plan plan, Path dir, boolean resume,
                                 PrintStream log) throws IOException {
        Path tokDir = dir.resolve("tokenizer");
        Files.createDirectories(tokDir);
        world.writeTokenizer(tokDir);
        Tokenizer tok = Tokenizer.load(tokDir);
        Config config = size.config(tok.vocabSize());
        Weights w = RandomWeights.create(config, spec.seed());
        log.printf(Locale.ROOT, "pretraining %s (%,d parameters, vocab %d): %d steps x %d rows of 128 tokens%n", size,
                config.parameterCount(), config.vocabSize(), plan.pretrainSteps(), plan.pretrainBatch());
        // Documents are concatenated and cut into rows of ROW tokens, as GPT-style pretraining does: no padding, and
        // attention cost per token stays at ROW. Each document ends with <|endoftext|>, so a row that crosses a
        // boundary teaches the model that what came before no longer matters.
        int rows = plan.pretrainSteps() * plan.pretrainBatch() + HELD_OUT;
        List<String> docs = new ArrayList<>();
        List<ChatData.Example> examples = new ArrayList<>(rows);
        int[] row = new int[ROW];
        int fill = 0, next = 0;
        while (examples.size() < rows) {
            if (next == docs.size()) docs.addAll(world.pretrainDocuments(4096, spec.seed() + 7919L * (next / 4096)));
            for (int id : tok.encode(docs.get(next++))) {
                row[fill++] = id;
                if (fill == ROW) {
                    boolean[] train = new boolean[ROW];
                    java.util.Arrays.fill(train, true);
                    examples.add(new ChatData.Example("row " + examples.size(), row.clone(), train));
                    fill = 0;
                    if (examples.size() == rows) break;
                }
            }
        }
        List<ChatData.Example> held = examples.subList(examples.size() - HELD_OUT, examples.size());
        List<ChatData.Example> train = examples.subList(0, examples.size() - HELD_OUT);
        Path docsFile = dir.resolve("documents.txt");
        Files.write(docsFile, docs.subList(0, Math.min(docs.size(), 2000))); // a sample, for people to read
        // base_model only names where the tokenizer lives; weights come from RandomWeights, resumed from checkpoints
        TrainConfig cfg = config(tokDir, docsFile, dir, plan.pretrainLr(), plan.pretrainSteps(),
                plan.pretrainBatch(), spec.seed(), "");
        Trainer trainer = new Trainer(cfg, w, TrainableModel.of(new Decoder(w)), train, held, dir);
        try (Progress p = Progress.stderr("pretrain", trainer.totalSteps(), 0)) {
            trainer.progress(p);
            Trainer.Result r = trainer.run(resume);
            if (r.interrupted()) throw new IllegalStateException("pretraining interrupted; rerun with --resume");
            log.printf(Locale.ROOT, "pretraining done: loss %.3f, held-out %.3f%n", r.lastLoss(),
                    r.evalLoss() == null ? Double.NaN : r.evalLoss());
        }
        Path model = dir.resolve("model");
        ModelWriter.save(w, model, DType.F32);
        world.writeTokenizer(model);
    }

    private static TrainConfig config(Path base, Path data, Path out, double lr, int steps, int batch, long seed,
                                      String include) {
        var m = new ObjectMapper();
        var n = m.createObjectNode();
        n.put("base_model", base.toString());
        n.putArray("data").add(data.toString());
        n.put("output", out.toString());
        n.putObject("full").put("include", include);
        n.put("lr", lr);
        n.put("schedule", "cosine");
        n.put("warmup_steps", Math.max(1, steps / 20));
        n.put("weight_decay", 0.01);
        n.put("max_steps", steps);
        n.put("batch_size", batch);
        n.put("max_len", 256);
        n.put("seed", seed);
        n.put("checkpoint_every", Math.max(50, steps / 10));
        n.put("keep_checkpoints", 2);
        return TrainConfig.parse(n.toString(), "base build config");
    }

}
