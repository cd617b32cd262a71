import { regressionMetrics } from '../../../core/evaluation/regression-metrics';

describe('regressionMetrics', () => {
  it('matches scikit-learn docs examples (MSE 0.375, MAE 0.5, R² 0.9486)', () => {
    const m = regressionMetrics([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(m.mae).toBeCloseTo(0.5, 12);
    expect(m.r2).toBeCloseTo(0.9486081370449679, 12);
  });

  it('is exact for perfect predictions and negative for worse than the mean', () => {
    expect(regressionMetrics([1, 2, 3], [1, 2, 3])).toEqual({ rmse: 0, mae: 0, r2: 1 });
    expect(regressionMetrics([1, 2, 3], [3, 2, 1]).r2).toBeCloseTo(-3, 12);
  });

  it('reports R² as null for a constant truth', () => {
    expect(regressionMetrics([2, 2], [1, 3]).r2).toBeNull();
  });
});
