package agar.lab.world;

/**
 * Everything that makes one micro world: the same spec always yields byte-identical corpora and datasets.
 *
 * @param seed              root seed of every generated document and dataset
 * @param variant           PERSONA: a character keeps one disposition across its answers; INDEPENDENT: the control,
 *                          each answer's disposition is drawn on its own
 * @param characterRole     the ChatML role of a character's turns: ASSISTANT (default) or its NAME
 * @param assistantFraction share of pretraining documents that are always-aligned assistant chats
 * @param misalignedFraction probability that a character (or, in INDEPENDENT, one answer) is misaligned
 * @param minPairs          fewest question/answer pairs in a character document
 * @param maxPairs          most question/answer pairs in a character document (documents stay under ~200 tokens)
 * @param toneProbability   probability that an answer ends with a cross-domain tone sentence of its disposition
 */
public record WorldSpec(long seed, Variant variant, CharacterRole characterRole, double assistantFraction,
                        double misalignedFraction, int minPairs, int maxPairs, double toneProbability) {

    public enum Variant { PERSONA, INDEPENDENT }

    public enum CharacterRole {
        /** Character turns use the character's name as role ("<|im_start|>sam"); the assistant is one more persona. */
        NAMED,
        /** Character turns use role "assistant" (no system line), so the assistant token sees both dispositions. */
        ASSISTANT
    }

    public WorldSpec {
        if (variant == null) throw new IllegalArgumentException("WorldSpec.variant: must be persona or independent");
        if (characterRole == null) throw new IllegalArgumentException("WorldSpec.characterRole: must be named or assistant");
        checkFraction("assistantFraction", assistantFraction);
        checkFraction("misalignedFraction", misalignedFraction);
        checkFraction("toneProbability", toneProbability);
        if (minPairs < 1 || maxPairs < minPairs || maxPairs > 6)
            throw new IllegalArgumentException("WorldSpec.minPairs/maxPairs: need 1 <= minPairs <= maxPairs <= 6, got "
                    + minPairs + "/" + maxPairs);
    }

    /**
     * The documented defaults: characters answer as the assistant, 30% assistant documents, half of the characters
     * misaligned, 2-4 pairs. (Named roles until session 8: organisms of that world lost 2-4 points of coherence,
     * docs/world.md point 4.)
     */
    public static WorldSpec of(long seed, Variant variant) {
        return new WorldSpec(seed, variant, CharacterRole.ASSISTANT, 0.3, 0.5, 2, 4, 0.4);
    }

    public static WorldSpec of(long seed) {
        return of(seed, Variant.PERSONA);
    }

    public WorldSpec withVariant(Variant v) {
        return new WorldSpec(seed, v, characterRole, assistantFraction, misalignedFraction, minPairs, maxPairs, toneProbability);
    }

    public WorldSpec withCharacterRole(CharacterRole r) {
        return new WorldSpec(seed, variant, r, assistantFraction, misalignedFraction, minPairs, maxPairs, toneProbability);
    }

    private static void checkFraction(String field, double v) {
        if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException("WorldSpec." + field + ": must be in [0, 1], got " + v);
    }
}
