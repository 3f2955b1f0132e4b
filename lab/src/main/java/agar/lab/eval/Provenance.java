package agar.lab.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Hashes and code revision for eval-log headers. */
public final class Provenance {
    private Provenance() {}

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        }
    }

    /** sha256 of the stream's bytes, read to its end; the caller closes it. */
    public static String sha256(InputStream in) throws IOException {
        try {
            DigestInputStream d = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"));
            d.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(d.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** File name -> sha256 of every *.safetensors file directly in {@code dir} (model or adapter folder). */
    public static Map<String, String> weightsSha256(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                    .forEach(p -> out.put(p.getFileName().toString(), sha256(p)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list weights in " + dir, e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(dir + ": no .safetensors files to hash");
        return out;
    }

    /** {@code git rev-parse HEAD} in {@code dir}, or null if git or the repository is unavailable. */
    public static String gitRevision(Path dir) {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out.matches("[0-9a-f]{40,64}") ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
