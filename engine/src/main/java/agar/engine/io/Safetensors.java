package agar.engine.io;

import agar.engine.model.Tensor;
import agar.engine.util.AtomicFiles;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reading and writing safetensors files (https://github.com/huggingface/safetensors, format section). */
public final class Safetensors {
    private static final JsonMapper JSON = new JsonMapper();

    private Safetensors() {}

    /** Opens a file lazily: names, shapes and dtypes now, tensor data on {@link SafetensorsFile#read}. */
    public static SafetensorsFile open(Path file) {
        return SafetensorsFile.open(file);
    }

    /** Every tensor of the file as f32, keyed by name, in file order. */
    public static Map<String, Tensor> readAll(Path file) {
        try (SafetensorsFile f = open(file)) {
            return f.readAll();
        }
    }

    /**
     * Writes {@code tensors} in {@code dtype} (floats rounded to nearest even; integer dtypes need integral values),
     * in list order, with string {@code metadata} (may be empty; Hugging Face's loader wants {"format": "pt"}).
     * The header is space-padded to a multiple of 8 bytes, so every tensor starts 8-aligned when sizes allow.
     * The file appears atomically (temporary sibling, then rename).
     */
    public static void write(Path file, List<Tensor> tensors, DType dtype, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            new java.util.TreeMap<>(metadata).forEach(m::put); // sorted: the same file bytes whatever the map's order
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (Tensor t : tensors) {
            if (t.name.equals("__metadata__") || !seen.add(t.name))
                throw new IllegalArgumentException(file + ": duplicate or reserved tensor name '" + t.name + "'");
            long bytes = (long) t.numel() * dtype.size;
            ObjectNode e = header.putObject(t.name);
            e.put("dtype", dtype.name());
            Arrays.stream(t.shape).forEach(e.putArray("shape")::add);
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        AtomicFiles.write(file, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeFully(ch, head);
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                int per = buf.capacity() / dtype.size;
                for (Tensor t : tensors)
                    for (int from = 0; from < t.data.length; from += per) {
                        buf.clear();
                        encode(file, t, from, Math.min(per, t.data.length - from), dtype, buf);
                        buf.flip();
                        writeFully(ch, buf);
                    }
            }
        });
    }

    /** Appends t.data[from, from + n) to buf in dtype. */
    private static void encode(Path file, Tensor t, int from, int n, DType dtype, ByteBuffer buf) {
        float[] x = t.data;
        switch (dtype) {
            case F32 -> {
                buf.asFloatBuffer().put(x, from, n);
                buf.position(4 * n);
            }
            case F16 -> {
                for (int i = from; i < from + n; i++) buf.putShort(DType.floatToF16(x[i]));
            }
            case BF16 -> {
                for (int i = from; i < from + n; i++) buf.putShort(DType.floatToBf16(x[i]));
            }
            case F64 -> {
                for (int i = from; i < from + n; i++) buf.putDouble(x[i]);
            }
            case I32, I64 -> {
                for (int i = from; i < from + n; i++) {
                    float v = x[i];
                    boolean fits = dtype == DType.I32 ? v >= -0x1p31f && v < 0x1p31f : v >= -0x1p63f && v < 0x1p63f;
                    if (v != Math.rint(v) || !fits)
                        throw new IllegalArgumentException(file + ": tensor '" + t.name + "': value " + v
                                + " at index " + i + " is not a " + dtype + " integer");
                    if (dtype == DType.I32) buf.putInt((int) v);
                    else buf.putLong((long) v);
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws java.io.IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
