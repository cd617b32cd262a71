import { fitLeastSquares } from '../../../core/maths/least-squares';
import { linearScore, sigmoid, unscaledCoefficients } from '../../../core/maths/linear-model';
import { solveSymmetricPositiveDefinite } from '../../../core/maths/linear-system';
import { fitLogisticRegression } from '../../../core/maths/logistic-regression';
import { TrainingFailed } from '../../../core/maths/training-failed';

describe('solveSymmetricPositiveDefinite', () => {
  it('solves a known system and refuses a singular one', () => {
    const x = solveSymmetricPositiveDefinite(
      [
        [4, 2],
        [2, 3],
      ],
      [2, 5],
    )!;
    expect(x[0]).toBeCloseTo(-0.5, 12);
    expect(x[1]).toBeCloseTo(2, 12);
    expect(
      solveSymmetricPositiveDefinite(
        [
          [1, 2],
          [2, 4],
        ],
        [1, 2],
      ),
    ).toBeUndefined();
  });
});

describe('fitLeastSquares', () => {
  // y = 3 + 2·x1 − 0.5·x2, exactly; x3 is constant and must get no weight.
  const x = [
    [1, 10, 7],
    [2, 4, 7],
    [3, 8, 7],
    [4, 1, 7],
    [5, 6, 7],
    [6, 3, 7],
  ];
  const y = x.map(([a, b]) => 3 + 2 * a - 0.5 * b);

  it('recovers the coefficients of noise-free linear data', () => {
    const fit = fitLeastSquares(x, y, { l2: 0 });
    const { intercept, coefficients } = unscaledCoefficients(fit);
    expect(intercept).toBeCloseTo(3, 10);
    expect(coefficients[0]).toBeCloseTo(2, 10);
    expect(coefficients[1]).toBeCloseTo(-0.5, 10);
    expect(coefficients[2]).toBe(0);
    x.forEach((row, i) => expect(linearScore(fit, row)).toBeCloseTo(y[i], 10));
    expect(linearScore(fit, [10, 0, 7])).toBeCloseTo(23, 10);
  });

  it('shrinks coefficients with a ridge penalty', () => {
    const plain = unscaledCoefficients(fitLeastSquares(x, y, { l2: 0 })).coefficients[0];
    const ridge = unscaledCoefficients(fitLeastSquares(x, y, { l2: 5 })).coefficients[0];
    expect(Math.abs(ridge)).toBeLessThan(Math.abs(plain));
  });

  it('refuses collinear features without a penalty, and fits them with one', () => {
    const collinear = x.map(([a]) => [a, 2 * a]);
    expect(() => fitLeastSquares(collinear, y, { l2: 0 })).toThrow(TrainingFailed);
    expect(() => fitLeastSquares(collinear, y, { l2: 0.1 })).not.toThrow();
  });
});

describe('fitLogisticRegression', () => {
  it('finds the closed-form maximum likelihood for one binary feature', () => {
    // x = 0: 3 of 4 positive → intercept logit(0.75) = ln 3; x = 1: 1 of 4 → slope logit(0.25) − ln 3 = −2 ln 3.
    const x = [[0], [0], [0], [0], [1], [1], [1], [1]];
    const y = [1, 1, 1, 0, 1, 0, 0, 0];
    const fit = fitLogisticRegression(x, y, { l2: 0, maxIterations: 100, tolerance: 1e-12 });
    const { intercept, coefficients } = unscaledCoefficients(fit);
    expect(fit.converged).toBe(true);
    expect(intercept).toBeCloseTo(Math.log(3), 8);
    expect(coefficients[0]).toBeCloseTo(-2 * Math.log(3), 8);
    expect(sigmoid(linearScore(fit, [1]))).toBeCloseTo(0.25, 8);
  });

  it('stops where the penalised gradient vanishes', () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const x = Array.from({ length: 300 }, () => [random() * 10, random() * 2 - 1, 100 + random()]);
    const y = x.map(([a, b]) => (random() < sigmoid(0.8 * (a - 5) - 2 * b) ? 1 : 0));
    const l2 = 1;
    const fit = fitLogisticRegression(x, y, { l2, maxIterations: 100, tolerance: 1e-10 });
    expect(fit.converged).toBe(true);
    // Gradient in the standardised space the objective is defined in.
    const z = x.map((row) => row.map((v, j) => (v - fit.scaling.center[j]) / fit.scaling.scale[j]));
    const residual = z.map((row, i) => sigmoid(fit.intercept + row.reduce((s, v, j) => s + v * fit.coefficients[j], 0)) - y[i]);
    expect(Math.abs(residual.reduce((s, r) => s + r, 0))).toBeLessThan(1e-6);
    for (let j = 0; j < 3; j++) {
      const g = z.reduce((s, row, i) => s + residual[i] * row[j], 0) + l2 * fit.coefficients[j];
      expect(Math.abs(g)).toBeLessThan(1e-6);
    }
    // Same rows, same model.
    expect(fitLogisticRegression(x, y, { l2, maxIterations: 100, tolerance: 1e-10 })).toEqual(fit);
  });

  it('keeps finite coefficients on perfectly separable data thanks to the L2 penalty', () => {
    const x = [[1], [2], [3], [4], [5], [6]];
    const y = [0, 0, 0, 1, 1, 1];
    const fit = fitLogisticRegression(x, y, { l2: 1, maxIterations: 100, tolerance: 1e-10 });
    expect(fit.converged).toBe(true);
    expect(Number.isFinite(fit.coefficients[0])).toBe(true);
    expect(sigmoid(linearScore(fit, [6]))).toBeGreaterThan(0.5);
    expect(sigmoid(linearScore(fit, [1]))).toBeLessThan(0.5);
  });

  it('refuses a target that is not 0/1', () => {
    expect(() => fitLogisticRegression([[1], [2]], [0, 2], { l2: 1, maxIterations: 10, tolerance: 1e-8 })).toThrow(TrainingFailed);
  });
});
