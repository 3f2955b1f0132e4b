package agar.lab.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VectorsTest {

    @Test
    void cosineNormAndProjection() {
        assertEquals(5, Vectors.norm(new double[] {3, 4}), 0);
        assertEquals(0, Vectors.cosine(new double[] {1, 0}, new double[] {0, 2}), 0);
        assertEquals(-1, Vectors.cosine(new double[] {1, 1}, new double[] {-2, -2}), 1e-15);
        assertEquals(1 / Math.sqrt(2), Vectors.cosine(new float[] {1, 0}, new float[] {3, 3}), 1e-7);
        assertTrue(Double.isNaN(Vectors.cosine(new double[] {0, 0}, new double[] {1, 0})));

        double[] r = Vectors.unit(new double[] {1, 1, 0});
        double[] h = {3, 1, 2};
        double[] out = Vectors.projectOut(h, r); // (h.r) r = 2 sqrt2 * (1,1,0)/sqrt2 = (2,2,0)
        assertArrayEquals(new double[] {1, -1, 2}, out, 1e-14);
        assertEquals(0, Vectors.dot(out, r), 1e-14);
        assertThrows(IllegalArgumentException.class, () -> Vectors.projectOut(h, new double[] {1, 1, 0}));

        float[] acts = {9, 9, 3, 1, 2, 9}; // project the middle slice [2, 5)
        Vectors.projectOutInPlace(acts, 2, r);
        assertArrayEquals(new float[] {9, 9, 1, -1, 2, 9}, acts, 1e-6f);
    }

    @Test
    void meanDifference() {
        double[][] a = {{1, 2}, {3, 4}};
        double[][] b = {{0, 0}, {0, 2}, {0, 4}};
        assertArrayEquals(new double[] {2, 1}, Vectors.meanDifference(a, b), 1e-15);
        float[][] af = {{1, 2}, {3, 4}};
        float[][] bf = {{0, 0}, {0, 2}, {0, 4}};
        assertArrayEquals(new double[] {2, 1}, Vectors.meanDifference(af, bf), 1e-15);
    }

    @Test
    void topRightSingularVectorsByHandAndAgainstPowerIteration() {
        double[][] v = Vectors.topRightSingularVectors(new double[][] {{0, 1, 0}, {3, 0, 0}}, 2);
        assertEquals(1, Math.abs(v[0][0]), 1e-12); // singular values 3 then 1
        assertEquals(1, Math.abs(v[1][1]), 1e-12);
        double[] r1 = Vectors.topRightSingularVectors(new double[][] {{1, 2, 2}, {2, 4, 4}}, 1)[0];
        assertEquals(1, Math.abs(Vectors.dot(r1, new double[] {1 / 3.0, 2 / 3.0, 2 / 3.0})), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Vectors.topRightSingularVectors(new double[][] {{1, 2, 2}, {2, 4, 4}}, 2),
                "a rank-1 matrix has one direction");

        // a random 6 x 9 matrix: power iteration on A^T A with deflation is the reference
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        double[][] a = new double[6][9];
        for (double[] row : a) for (int j = 0; j < 9; j++) row[j] = rng.nextDouble() * 2 - 1;
        double[][] got = Vectors.topRightSingularVectors(a, 3);
        double[][] ata = new double[9][9];
        for (double[] row : a) for (int i = 0; i < 9; i++) for (int j = 0; j < 9; j++) ata[i][j] += row[i] * row[j];
        for (int k = 0; k < 3; k++) {
            double[] x = new double[9];
            java.util.Arrays.fill(x, 1);
            for (int it = 0; it < 5000; it++) {
                double[] y = new double[9];
                for (int i = 0; i < 9; i++) for (int j = 0; j < 9; j++) y[i] += ata[i][j] * x[j];
                x = Vectors.unit(y);
            }
            double lambda = 0;
            for (int i = 0; i < 9; i++) for (int j = 0; j < 9; j++) lambda += x[i] * ata[i][j] * x[j];
            for (int i = 0; i < 9; i++) for (int j = 0; j < 9; j++) ata[i][j] -= lambda * x[i] * x[j];
            assertEquals(1, Math.abs(Vectors.dot(got[k], x)), 1e-9, "singular vector " + k);
            for (int m = 0; m < k; m++) assertEquals(0, Vectors.dot(got[k], got[m]), 1e-9);
        }
    }
}
