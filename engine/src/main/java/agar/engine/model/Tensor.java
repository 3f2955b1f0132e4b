package agar.engine.model;

import java.util.Arrays;

import agar.engine.blas.Bf16;

/**
 * A named parameter tensor, row-major f32 whatever its stored dtype (the f32 copy is the master weight that training
 * updates). {@code name} is the Hugging Face name, never renamed. {@code grad} exists only while the tensor is
 * trainable; backward passes accumulate into it.
 */
public final class Tensor {
    public final String name;
    public final int[] shape;
    public final float[] data;
    public float[] grad;
    private Bf16 bf16;         // inference's packed copy of data, made on first use; null until then
    private boolean notBf16;   // data holds values that bf16 cannot represent exactly

    public Tensor(String name, int[] shape, float[] data) {
        if (numel(shape) != data.length)
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs " + numel(shape)
                    + " values, got " + data.length);
        this.name = name;
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(String name, int... shape) {
        return new Tensor(name, shape, new float[Math.toIntExact(numel(shape))]);
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public int numel() {
        return data.length;
    }

    public boolean trainable() {
        return grad != null;
    }

    /** Makes the tensor trainable (allocates a zero gradient) or frozen (drops it). */
    public void setTrainable(boolean on) {
        dataChanged();
        grad = on ? (grad != null ? grad : new float[data.length]) : null;
    }

    /**
     * An exact bf16 copy of a frozen 2-D tensor for inference's matrix-vector products (half the bytes to read), or
     * null when the tensor is trainable, not a matrix, or holds values that bf16 cannot represent. Packed on first
     * use; {@link #dataChanged} drops it.
     */
    public synchronized Bf16 bf16() {
        if (grad != null || shape.length != 2 || notBf16) return null;
        if (bf16 == null) {
            if (!Bf16.exact(data)) {
                notBf16 = true;
                return null;
            }
            bf16 = Bf16.pack(data, shape[0], shape[1]);
        }
        return bf16;
    }

    /**
     * The packed bf16 copy when a product with {@code rows} rows of input should read it (decode batches up to
     * {@link Bf16#MAX_ROWS}; larger batches are bound by arithmetic and use f32 GEMM), else null.
     */
    public Bf16 bf16For(int rows) {
        return rows <= Bf16.MAX_ROWS ? bf16() : null;
    }

    /** Call after writing {@code data} directly, so that no packed copy of the old values is used again. */
    public synchronized void dataChanged() {
        bf16 = null;
        notBf16 = false;
    }

    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
