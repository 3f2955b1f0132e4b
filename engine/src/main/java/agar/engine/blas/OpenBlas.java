package agar.engine.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * cblas_sgemm from the OpenBLAS shipped in the org.bytedeco:openblas jar. JavaCPP only unpacks the library; the call
 * itself goes through FFM as a "critical" downcall, which may read heap arrays in place. JavaCPP's own float[]
 * overloads copy every array on every call, which costs ~30% at the sizes we use.
 *
 * <p>OpenBLAS runs single-threaded; a large product is cut into blocks of rows (or columns) of C, one call each, spread
 * over the cores by the same fork-join pool as the rest of the engine. OpenBLAS's own threads spin-wait between
 * calls, so on a machine with few cores they took the cores from the engine's threads (and vice versa): the micro
 * model's training step ran 4-6 times slower with them. Each element of C is still computed by one call over the
 * whole k, in the kernel's order, so results do not depend on the split.
 */
final class OpenBlas implements Gemm.Backend {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private final MethodHandle sgemm;
    /** Below this many multiply-adds a product runs as one call: forking costs more than it saves. */
    private static final long MIN_PARALLEL_WORK = 1L << 18;
    /** Rows (or columns) of C per block at least: the kernel works in panels of 16-ish. */
    private static final int MIN_BLOCK = 32;
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private OpenBlas(MethodHandle sgemm) {
        this.sgemm = sgemm;
    }

    static OpenBlas load() throws Throwable {
        String jni = org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        Path lib;
        try (var files = Files.list(Path.of(jni).getParent())) {
            lib = files.filter(f -> f.getFileName().toString().startsWith("libopenblas"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("libopenblas not unpacked beside " + jni));
        }
        SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
        MemorySegment fn = lookup.find("cblas_sgemm").orElseThrow(() -> new IllegalStateException("no cblas_sgemm in " + lib));
        FunctionDescriptor desc = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT);
        MemorySegment setThreads = lookup.find("openblas_set_num_threads")
                .orElseThrow(() -> new IllegalStateException("no openblas_set_num_threads in " + lib));
        Linker.nativeLinker().downcallHandle(setThreads, FunctionDescriptor.ofVoid(JAVA_INT)).invokeExact(1);
        return new OpenBlas(Linker.nativeLinker().downcallHandle(fn, desc, Linker.Option.critical(true)));
    }

    @Override
    public String name() {
        return "openblas";
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        long work = (long) m * n * k;
        boolean byRows = m >= n;
        int dim = byRows ? m : n;
        // one block per core: each block packs the whole of the other operand again, so more blocks cost more
        // (4 per core made the micro model's products 20-30% slower than 1 per core)
        int blocks = (int) Math.min(Math.min(CORES, dim / MIN_BLOCK), work / MIN_PARALLEL_WORK);
        if (CORES == 1 || blocks < 2 || Gemm.inParallelRegion()) {
            call(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        // block edges on multiples of 16 so that every block but the last fills the kernel's panels
        int step = (dim / blocks + 15) / 16 * 16;
        java.util.stream.IntStream.range(0, (dim + step - 1) / step).parallel().forEach(i -> {
            int lo = i * step, len = Math.min(step, dim - lo);
            if (byRows) // rows lo.. of op(A) and of C
                call(transA, transB, len, n, k, alpha, a, aOff + (transA ? lo : lo * lda), lda, b, bOff, ldb,
                        beta, c, cOff + lo * ldc, ldc);
            else        // columns lo.. of op(B) and of C
                call(transA, transB, m, len, k, alpha, a, aOff, lda, b, bOff + (transB ? lo * ldb : lo), ldb,
                        beta, c, cOff + lo, ldc);
        });
    }

    private void call(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    slice(a, aOff), lda, slice(b, bOff), ldb, beta, slice(c, cOff), ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    private static MemorySegment slice(float[] x, int off) {
        MemorySegment s = MemorySegment.ofArray(x);
        return off == 0 ? s : s.asSlice((long) off * Float.BYTES);
    }
}
