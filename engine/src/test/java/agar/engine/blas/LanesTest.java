package agar.engine.blas;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LanesTest {
    /** Values where the order of addition changes the float result: the sum must be lane 0 + 1 + 2 + ... */
    @Test
    void sumsLanesInIndexOrder() {
        var species = FloatVector.SPECIES_PREFERRED;
        float[] x = new float[species.length()];
        for (int i = 0; i < x.length; i++) x[i] = i % 2 == 0 ? (i % 4 == 0 ? 1e8f : -1e8f) : 1f + i;
        float want = 0;
        for (float v : x) want += v;
        assertEquals(want, Lanes.sum(FloatVector.fromArray(species, x, 0)));
        double[] d = new double[DoubleVector.SPECIES_PREFERRED.length()];
        for (int i = 0; i < d.length; i++) d[i] = i % 2 == 0 ? 1e17 * (i % 4 == 0 ? 1 : -1) : 3.0 + i;
        double dw = 0;
        for (double v : d) dw += v;
        assertEquals(dw, Lanes.sum(DoubleVector.fromArray(DoubleVector.SPECIES_PREFERRED, d, 0)));
    }
}
