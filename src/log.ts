/**
 * The project's logger: JSON lines in a cluster (or when asked), readable text on a terminal.
 * Lines about a stack carry `namespace` and `name` (use `forStack`). Never pass secrets here.
 */
import winston from 'winston';

export type LogFormat = 'json' | 'text';
export type Logger = winston.Logger;

export interface LoggerOptions {
  format?: LogFormat;
  level?: string;
  /** Where lines go; stderr by default so stdout stays free for command output. */
  stream?: NodeJS.WritableStream;
}

export function defaultLogFormat(stream: NodeJS.WritableStream = process.stderr): LogFormat {
  return (stream as { isTTY?: boolean }).isTTY ? 'text' : 'json';
}

const textFormat = winston.format.printf((info) => {
  const { level, message, timestamp, ...fields } = info;
  const rest = Object.entries(fields)
    .filter(([k]) => typeof k === 'string')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(timestamp)} ${level} ${String(message)}${rest ? ' ' + rest : ''}`;
});

export function createLogger(opts: LoggerOptions = {}): Logger {
  const stream = opts.stream ?? process.stderr;
  const format = opts.format ?? defaultLogFormat(stream);
  return winston.createLogger({
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    format: format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(winston.format.timestamp(), winston.format.colorize(), textFormat),
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** A child logger whose every line names the stack. */
export function forStack(log: Logger, namespace: string, name: string): Logger {
  return log.child({ namespace, name });
}
