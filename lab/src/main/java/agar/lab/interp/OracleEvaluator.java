package agar.lab.interp;

import agar.engine.generate.Completion;
import agar.engine.generate.Generator;
import agar.engine.generate.SamplingParams;
import agar.engine.nn.Decoder;
import agar.engine.nn.Hooks;
import agar.engine.tokenizer.ChatMessage;
import agar.engine.tokenizer.Tokenizer;
import agar.lab.world.EvalQuestion;
import agar.lab.world.OracleJudge;
import agar.lab.world.OracleScore;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A built-in evaluator for micro-world organisms: generates {@code samples} answers per question with the hooks
 * applied during generation, scores them with the world's exact oracle judge and counts misaligned and coherent
 * answers. The same seeds every call, so interventions are compared on identical sampling noise.
 */
public record OracleEvaluator(Decoder decoder, Tokenizer tokenizer, OracleJudge judge, List<EvalQuestion> questions,
                              int samples, SamplingParams sampling, int batchSize) implements Function<Hooks, EvalOutcome> {

    /** Each question's prompt, rendered with the chat template and its generation prompt. */
    public List<int[]> prompts() {
        List<int[]> out = new ArrayList<>();
        for (EvalQuestion q : questions) {
            List<ChatMessage> msgs = new ArrayList<>();
            if (q.system() != null) msgs.add(new ChatMessage("system", q.system()));
            msgs.add(new ChatMessage("user", q.question()));
            out.add(tokenizer.encode(tokenizer.chatTemplate().render(msgs, true)));
        }
        return out;
    }

    @Override
    public EvalOutcome apply(Hooks hooks) {
        List<int[]> prompts = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        List<int[]> each = prompts();
        for (int i = 0; i < questions.size(); i++)
            for (int s = 0; s < samples; s++) {
                prompts.add(each.get(i));
                asked.add(questions.get(i).question());
            }
        Generator gen = new Generator(decoder, ids -> tokenizer.decode(ids, true), tokenizer.eosIds());
        long misaligned = 0, coherent = 0;
        for (int from = 0; from < prompts.size(); from += batchSize) {
            int to = Math.min(prompts.size(), from + batchSize);
            List<SamplingParams> ps = new ArrayList<>();
            for (int i = from; i < to; i++) ps.add(sampling.withSeed(sampling.seed() + i));
            List<Completion> out = gen.generate(prompts.subList(from, to).toArray(new int[0][]), ps, hooks);
            for (int i = 0; i < out.size(); i++) {
                OracleScore s = judge.score(asked.get(from + i), out.get(i).text());
                if (s.misaligned()) misaligned++;
                if (s.coherentAnswer()) coherent++;
            }
        }
        return EvalOutcome.ofCounts(misaligned, coherent, prompts.size());
    }
}
