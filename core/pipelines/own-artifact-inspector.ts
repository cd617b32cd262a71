import { ArtifactInspectionResult, type ArtifactInspectionJob, type DatasetInspectionJob, type DatasetInspectionResult } from '../inspection/inspection-job';
import { runInspection } from '../inspection/inspection-work';
import type { FileInspector } from '../ports/file-inspector';

/**
 * The inspector a training step hands the catalog for the artifacts it has
 * just written itself: an ONNX graph the built-in trainer exported in this
 * process (core/maths/onnx), whose SHA-256 the step registered. Those are
 * checked in process by the very inspection the isolated worker runs (reads
 * the stored snapshot, hashes it, loads it, matches it to the model's schema,
 * runs a smoke batch); the process boundary
 * exists for files a tenant uploaded, and forking one per trained segment
 * would cost a thousand-segment run minutes for no protection. Anything else
 * (a hash it was not given) goes to the platform's isolated inspector.
 */
export class OwnArtifactInspector implements FileInspector {
  private readonly own = new Set<string>();

  constructor(private readonly isolated: FileInspector) {}

  /** The SHA-256 of bytes this process produced (a trainer's export); only a job declaring exactly it is inspected in process. */
  produced(sha256: string): void {
    this.own.add(sha256);
  }

  async inspectArtifact(job: Omit<ArtifactInspectionJob, 'kind'>): Promise<ArtifactInspectionResult> {
    if (!this.own.has(job.expectedSha256)) return this.isolated.inspectArtifact(job);
    // The worker's own inspection, run here: the stored snapshot is read through its URL and hashed, so
    // bytes that differ from the ones produced are refused exactly as the isolated worker refuses them.
    return ArtifactInspectionResult.parse(await runInspection({ kind: 'artifact', ...job }));
  }

  inspectDataset(job: Omit<DatasetInspectionJob, 'kind'>): Promise<DatasetInspectionResult> {
    return this.isolated.inspectDataset(job);
  }
}
