import { answerInspection } from '../../core/inspection/inspection-function';

/** The inspector function: untrusted files are read here, through one presigned URL, never in the API (issue 14). */
export const handler = answerInspection;
