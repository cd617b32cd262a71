import { StewardError } from '../errors';

/** A trainer could not produce a model from valid data (collinear features, divergence). */
export class TrainingFailed extends StewardError {
  readonly code = 'training-failed';
}
