import { handle } from 'hono/aws-lambda';
import { createApp } from '../../api/app';
import { awsPlatform } from '../shared/aws-platform';

/** API Gateway (REST, proxy integration) → the same hono app the local server runs. */
export const handler = handle(createApp(awsPlatform()));
