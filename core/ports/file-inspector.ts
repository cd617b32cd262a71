import type { ArtifactInspectionJob, ArtifactInspectionResult, DatasetInspectionJob, DatasetInspectionResult } from '../inspection/inspection-job';

/**
 * Where an untrusted file (an uploaded ONNX model, a dataset file) is read
 * and checked: never in the caller's process. The inspector gets a presigned
 * GET URL for the one object and nothing else. Locally a child process with a
 * heap cap and a wall-clock kill (core/adapters/inspection/child-process-inspector.ts);
 * on AWS a separate Lambda function whose role can read nothing
 * (core/adapters/inspection/lambda-inspector.ts).
 *
 * Content problems come back inside the result (`refusal`, `problem`); a
 * passed isolation limit (time, memory, a crash the file caused) is thrown as
 * ValidationFailed naming the limit; anything else as DependencyFailed.
 */
export interface FileInspector {
  inspectArtifact(job: Omit<ArtifactInspectionJob, 'kind'>): Promise<ArtifactInspectionResult>;
  inspectDataset(job: Omit<DatasetInspectionJob, 'kind'>): Promise<DatasetInspectionResult>;
}
