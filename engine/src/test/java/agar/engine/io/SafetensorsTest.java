package agar.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import agar.engine.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path tmp;

    static Tensor random(String name, Random r, boolean integral, int... shape) {
        float[] x = new float[Math.toIntExact(Tensor.numel(shape))];
        for (int i = 0; i < x.length; i++)
            x[i] = integral ? r.nextInt(-1000, 1000) : (float) (r.nextGaussian() * Math.exp(r.nextDouble(-8, 8)));
        return new Tensor(name, shape, x);
    }

    /** What a stored value reads back as: f16/bf16 round-trip through their bit patterns. */
    static float stored(DType dt, float v) {
        return switch (dt) {
            case F16 -> DType.f16ToFloat(DType.floatToF16(v));
            case BF16 -> DType.bf16ToFloat(DType.floatToBf16(v));
            default -> v;
        };
    }

    @Test
    void metadataIsWrittenInKeyOrderSoTheBytesDoNotDependOnTheMap() throws IOException {
        List<Tensor> ts = List.of(random("x", new Random(1), false, 2));
        java.util.Map<String, String> ba = new java.util.LinkedHashMap<>(), ab = new java.util.LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        ab.put("a", "1");
        ab.put("b", "2");
        Path f1 = tmp.resolve("ba.safetensors"), f2 = tmp.resolve("ab.safetensors");
        Safetensors.write(f1, ts, DType.F32, ba);
        Safetensors.write(f2, ts, DType.F32, ab);
        assertArrayEquals(java.nio.file.Files.readAllBytes(f2), java.nio.file.Files.readAllBytes(f1));
    }

    @Test
    void roundTripsEveryDtype() throws IOException {
        Random r = new Random(3);
        for (DType dt : DType.values()) {
            List<Tensor> ts = List.of(random("a.weight", r, !dt.isFloat(), 5, 7), random("scalar", r, !dt.isFloat()),
                    random("empty", r, !dt.isFloat(), 0, 3), random("b.bias", r, !dt.isFloat(), 3));
            Path f = tmp.resolve(dt + ".safetensors");
            Safetensors.write(f, ts, dt, Map.of("format", "pt", "note", "ünïcode"));
            try (SafetensorsFile sf = Safetensors.open(f)) {
                assertEquals(Map.of("format", "pt", "note", "ünïcode"), sf.metadata());
                assertEquals(List.of("a.weight", "scalar", "empty", "b.bias"), List.copyOf(sf.entries().keySet()));
                for (Tensor t : ts) {
                    Tensor back = sf.read(t.name);
                    assertEquals(dt, sf.entry(t.name).dtype());
                    assertArrayEquals(t.shape, back.shape, t.name);
                    for (int i = 0; i < t.data.length; i++)
                        assertEquals(stored(dt, t.data[i]), back.data[i], dt + " " + t.name + "[" + i + "]");
                }
            }
            long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLen % 8, "header padded to 8 bytes");
            assertEquals(8 + headerLen + (35 + 1 + 0 + 3) * (long) dt.size, Files.size(f));
        }
    }

    @Test
    void lossyDtypesReallyRound() {
        // guards the test above against a stored() that is the identity
        assertTrue(stored(DType.BF16, 0.1f) != 0.1f && stored(DType.F16, 0.1f) != 0.1f);
    }

    @Test
    void readsNumpyWrittenFile() {
        Path f = Fixtures.dir("dtypes").resolve("values.safetensors");
        Map<String, Tensor> all = Safetensors.readAll(f);
        assertEquals(List.of("f32", "f16", "bf16", "i32", "i64"), List.copyOf(all.keySet()));
        assertArrayEquals(new int[] {4, 4}, all.get("i32").shape);
        assertArrayEquals(new int[] {2, 8}, all.get("i64").shape);
        assertArrayEquals(all.get("i32").data, all.get("i64").data, 0f);
        float[] f32 = all.get("f32").data;
        assertEquals(1.0f, f32[0]);
        assertEquals(Float.NEGATIVE_INFINITY, f32[15]);
        for (int i = 0; i < f32.length; i++) {
            assertEquals(stored(DType.F16, f32[i]), all.get("f16").data[i], "f16[" + i + "]");
            assertEquals(stored(DType.BF16, f32[i]), all.get("bf16").data[i], "bf16[" + i + "]");
        }
        try (SafetensorsFile sf = Safetensors.open(f)) {
            assertEquals("tools/make_fixtures.py", sf.metadata().get("writer"));
        }
    }

    @Test
    void writeIsAtomicAndReplaces() throws IOException {
        Path f = tmp.resolve("m.safetensors");
        Safetensors.write(f, List.of(new Tensor("x", new int[] {2}, new float[] {1, 2})), DType.F32, Map.of());
        Safetensors.write(f, List.of(new Tensor("y", new int[] {1}, new float[] {3})), DType.F32, Map.of());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }
        assertEquals(List.of("y"), List.copyOf(Safetensors.readAll(f).keySet()));
    }

    @Test
    void writeRejectsNonIntegersInIntegerDtypes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.write(tmp.resolve("i.safetensors"),
                List.of(new Tensor("ids", new int[] {2}, new float[] {1, 2.5f})), DType.I32, Map.of()));
        assertTrue(e.getMessage().contains("'ids'") && e.getMessage().contains("2.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(tmp.resolve("j.safetensors"),
                List.of(new Tensor("big", new int[] {1}, new float[] {0x1p31f})), DType.I32, Map.of()));
    }

    // ---------------------------------------------------------------- damaged files

    /** A file with the given header text and {@code dataBytes} zero bytes of data. */
    Path craft(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = tmp.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    static String failure(Path f) {
        var e = assertThrows(CheckpointException.class, () -> Safetensors.readAll(f));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e.getMessage();
    }

    static void contains(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), () -> "'" + p + "' not in: " + message);
    }

    @Test
    void truncatedDataNamesTheTensor() throws IOException {
        Path f = Fixtures.copy("llama-tiny", tmp.resolve("m")).resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 100));
        contains(failure(f), "tensor 'lm_head.weight'", "truncated");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path f = Fixtures.copy("qwen2-tiny", tmp.resolve("m")).resolve("model.safetensors");
        Files.write(f, Arrays.copyOf(Files.readAllBytes(f), 50));
        contains(failure(f), "header length", "runs past the end of the file (50 bytes)");
        Files.write(f, new byte[5]);
        contains(failure(f), "5 bytes, shorter than the 8-byte header length");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        Path f = tmp.resolve("x.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-2).array());
        contains(failure(f), "not plausible");
    }

    @Test
    void corruptHeader() throws IOException {
        contains(failure(craft("a.safetensors", "{\"w\": {\"dtype\": \"F32\", ", 0)), "header is not valid JSON");
        contains(failure(craft("b.safetensors", "[1, 2]", 0)), "does not start with '{'");
        contains(failure(craft("c.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)),
                "not valid JSON", "Duplicate field 'w'");
        contains(failure(craft("d.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)),
                "tensor 'w'", "data_offsets");
        contains(failure(craft("e.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
                4)), "tensor 'w'", "invalid dimension -1");
        contains(failure(craft("f.safetensors", "{\"__metadata__\":{\"n\":1}}", 0)), "__metadata__ key 'n'");
    }

    @Test
    void offsetsMustMatchDtypeAndShape() throws IOException {
        contains(failure(craft("a.safetensors", "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}",
                8)), "tensor 'w'", "span 8 bytes but BF16 [2, 3] needs 12");
        contains(failure(craft("b.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                8)), "tensor 'w'", "end before they begin");
    }

    @Test
    void overlapsHolesAndTrailingBytes() throws IOException {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        contains(failure(craft("o.safetensors",
                "{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)),
                "tensor 'b'", "overlap tensor 'a'");
        contains(failure(craft("h.safetensors",
                "{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20)),
                "tensor 'b'", "[8, 12) before it belong to no tensor");
        contains(failure(craft("t.safetensors", "{" + a + "}", 11)), "after tensor 'a'", "3 trailing data bytes");
    }

    @Test
    void unsupportedDtypeIsNamed() throws IOException {
        contains(failure(craft("u.safetensors", "{\"mask\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}",
                4)), "tensor 'mask'", "unsupported dtype 'U8'", "BF16");
    }

    @Test
    void integersThatF32CannotHoldAreRefused() throws IOException {
        Path f = tmp.resolve("i.safetensors");
        byte[] h = "{\"n\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putLong(1L << 40).putLong((1L << 24) + 1);
        Files.write(f, b.array());
        contains(failure(f), "tensor 'n'", "16777217 at index 1");
        assertTrue(SafetensorsFile.exactInFloat(Long.MIN_VALUE) && !SafetensorsFile.exactInFloat(Long.MAX_VALUE));
    }

    @Test
    void unknownNameIsAnError() {
        Path f = Fixtures.dir("qwen2-tiny").resolve("model.safetensors");
        try (SafetensorsFile sf = Safetensors.open(f)) {
            var e = assertThrows(CheckpointException.class, () -> sf.read("lm_head.weight"));
            contains(e.getMessage(), f.toString(), "no tensor 'lm_head.weight'");
        }
    }
}
