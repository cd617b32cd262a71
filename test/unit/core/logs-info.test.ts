import { Logger } from '@aws-lambda-powertools/logger';
import { type Log, logsInfo } from '../../../core/ports/log';

describe('logsInfo: whether a per-request info record is worth building', () => {
  it('follows the powertools logger level, also when it changes at run time', () => {
    const logger = new Logger({ serviceName: 'test', logLevel: 'WARN' });
    expect(logsInfo(logger)).toBe(false);
    logger.setLogLevel('INFO');
    expect(logsInfo(logger)).toBe(true);
    logger.setLogLevel('DEBUG');
    expect(logsInfo(logger)).toBe(true);
    logger.setLogLevel('ERROR');
    expect(logsInfo(logger)).toBe(false);
  });

  it('gives every record to a log without a level (test fakes, other loggers)', () => {
    const records: string[] = [];
    const fake: Log = { debug: () => undefined, info: (message) => records.push(message), warn: () => undefined, error: () => undefined };
    expect(logsInfo(fake)).toBe(true);
  });
});
