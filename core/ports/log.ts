/** Structured logging as the domain needs it; powertools' Logger satisfies it. */
export interface Log {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Powertools' threshold for INFO (`LogLevelThreshold.INFO`); its Logger exposes the current one as `level`. */
const INFO_THRESHOLD = 12;

/**
 * Whether `log.info` would print now. Per-request info records (the API's
 * access log, the gateway's invocation log) are built only when they will be
 * written: at WARN, building the record and powertools' work before its level
 * check (it reads the X-Ray trace id from the environment on every call) cost
 * ~2 µs a call for nothing. Read on every call, so a level changed at run time
 * (powertools' sampling, `setLogLevel`) still counts; a log without a numeric
 * `level` (test fakes, other loggers) always gets the record.
 */
export function logsInfo(log: Log): boolean {
  const level = (log as { readonly level?: unknown }).level;
  return typeof level !== 'number' || level <= INFO_THRESHOLD;
}
