import type { TenantObjectStore } from '../../core/ports/object-store';
import type { PartitionScorer, PartitionScoringOutcome, PartitionScoringRequest } from '../../core/ports/partition-scorer';
import { scoreStoredPartition } from './stored-partition';
import { StoredModels } from './stored-models';

/**
 * Scores partitions on the calling thread: what a Lambda does, where each Map
 * iteration is its own function instance (the fan-out is the parallelism).
 * Models stay loaded between partitions and jobs of a warm instance.
 */
export class InProcessPartitionScorer implements PartitionScorer {
  private readonly models = new StoredModels();

  score(objects: TenantObjectStore, request: PartitionScoringRequest): Promise<PartitionScoringOutcome> {
    return scoreStoredPartition(objects, request, this.models);
  }

  close(): Promise<void> {
    return this.models.release();
  }
}
