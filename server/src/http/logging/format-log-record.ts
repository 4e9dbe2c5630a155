/** A log record as pino writes it (one JSON line), before it is made readable. */
export type LogRecord = {
  level?: number;
  time?: number;
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  err?: { type?: string; message?: string; stack?: string };
  /** A block of `label: value` lines, one per setting (the start-up summary). */
  summary?: Record<string, unknown>;
  [field: string]: unknown;
};

export type FormatOptions = {
  /** ANSI colours (a terminal that has not asked for NO_COLOR). */
  isColored: boolean;
  /** What the handling of the request said on the way (a 4xx's code and message), shown at its end. */
  notes?: readonly string[];
};

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
// Fields every line has, or that the line shows in its own place.
const shownElsewhere = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'reqId',
  'req',
  'res',
  'responseTime',
  'err',
  'summary',
]);

const paint = (isColored: boolean, code: string, text: string) =>
  isColored ? `\u001b[${code}m${text}\u001b[0m` : text;

/** `HH:MM:SS` in local time: the day is not news to a person watching a terminal. */
function clock(time: number | undefined): string {
  const date = new Date(time ?? Date.now());
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
}

export function formatDuration(milliseconds: number): string {
  if (milliseconds >= 1000) return `${(milliseconds / 1000).toFixed(1)} s`;
  if (milliseconds >= 10) return `${Math.round(milliseconds)} ms`;
  return `${milliseconds.toFixed(1)} ms`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? typeof value;
}

function details(record: LogRecord): string {
  const pairs = Object.entries(record)
    .filter(([key, value]) => !shownElsewhere.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return pairs.length > 0 ? `  ${pairs.join(' ')}` : '';
}

function errorText(record: LogRecord, level: number): string {
  const error = record.err;
  if (!error) return '';
  const headline = `${error.type && error.type !== 'Error' ? `${error.type}: ` : ''}${error.message ?? ''}`;
  // The stack is for errors (a bug to report); a warning's message says enough.
  const stack =
    level >= 50 && error.stack
      ? error.stack
          .split('\n')
          .slice(1)
          .map((line) => `\n    ${line.trim()}`)
          .join('')
      : '';
  return ` — ${headline}${stack}`;
}

/**
 * One record as a person reads it on a terminal: a request as one line (`GET /health 200 1.2 ms`),
 * the start-up summary as a block, anything else as time, level (when not INFO), message and
 * details. The JSON form stays the machine's: this is only how a terminal shows it.
 */
export function formatLogRecord(record: LogRecord, options: FormatOptions): string {
  const { isColored } = options;
  const level = record.level ?? 30;
  const time = paint(isColored, '2', clock(record.time));
  const levelName = levelNames[level] ?? String(level);
  const levelText =
    level === 30 ? '' : `${paint(isColored, level >= 50 ? '31' : level >= 40 ? '33' : '2', levelName)} `;

  if (record.req && record.res && typeof record.responseTime === 'number') {
    const status = record.res.statusCode ?? 0;
    const statusText = paint(isColored, status >= 500 ? '31' : status >= 400 ? '33' : '32', String(status));
    const notes = options.notes && options.notes.length > 0 ? `  ${options.notes.join('; ')}` : '';
    return `${time} ${levelText}${record.req.method ?? '?'} ${record.req.url ?? '?'} ${statusText} ${formatDuration(record.responseTime)}${notes}${errorText(record, level)}\n`;
  }

  if (record.summary && typeof record.summary === 'object') {
    const entries = Object.entries(record.summary);
    const width = Math.max(0, ...entries.map(([label]) => label.length));
    const lines = entries.map(
      ([label, value]) =>
        `  ${paint(isColored, '2', label.padEnd(width))}  ${typeof value === 'string' ? value : formatValue(value)}`,
    );
    return `${time} ${levelText}${paint(isColored, '1', record.msg ?? '')}\n${lines.join('\n')}\n`;
  }

  return `${time} ${levelText}${record.msg ?? ''}${details(record)}${errorText(record, level)}\n`;
}
