package agar.engine.blas;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * Sums of a vector's lanes in a fixed order. {@code reduceLanes(ADD)} leaves the order open, and HotSpot uses a
 * different one in compiled code (a tree) than in the interpreter (lane by lane), so a result would depend on whether
 * the JIT had compiled the loop yet: two runs of the same training could differ. These add lane 0, 1, 2, ... always.
 */
public final class Lanes {
    private Lanes() {}

    public static float sum(FloatVector v) {
        float s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    public static double sum(DoubleVector v) {
        double s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }
}
