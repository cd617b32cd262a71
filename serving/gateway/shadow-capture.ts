import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../artifacts/model-artifacts';
import type { ShadowCapture } from './app';

const text = new TextDecoder('utf-8');

/**
 * Writes each captured shadow invocation as one JSON object under the
 * endpoint's capture URI, `<prefix>/<variant>/<yyyy>/<mm>/<dd>/<hh>/<requestId>.json`
 * (SageMaker data capture's layout by variant and hour), input and output as text.
 */
export function s3ShadowCapture(s3: S3Client): (record: ShadowCapture) => Promise<void> {
  return async (record) => {
    const location = parseS3Uri(record.captureUri);
    if (!location) throw new Error(`capture URI ${record.captureUri} is not s3://bucket/prefix`);
    const hour = record.at.slice(0, 13).replace(/[-T]/g, '/');
    const key = `${location.key.replace(/\/?$/, '/')}${record.variant}/${hour}/${record.requestId}.json`;
    const output = 'body' in record.output ? { contentType: record.output.contentType, data: text.decode(record.output.body) } : record.output;
    const body = JSON.stringify({
      endpointName: record.endpointName,
      variant: record.variant,
      requestId: record.requestId,
      ...(record.inferenceId ? { inferenceId: record.inferenceId } : {}),
      at: record.at,
      input: { contentType: record.input.contentType, data: text.decode(record.input.body) },
      output,
    });
    await s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: key, Body: body, ContentType: 'application/json' }));
  };
}
