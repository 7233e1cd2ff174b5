/** Five-field cron schedules (minute hour day-of-month month day-of-week), in UTC. Pure. */

export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Cron's rule: when both day fields are restricted, a time matching either runs. */
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

function parseField(text: string, field: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`${field.name} '${part}' is not a number, a range a-b, * or a step /n`);
    const from = m[1] === '*' ? field.min : Number(m[2]);
    const to = m[1] === '*' ? field.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? field.max : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < field.min || to > field.max || from > to) throw new Error(`${field.name} '${part}' is outside ${field.min}-${field.max}`);
    if (step < 1) throw new Error(`${field.name} '${part}' has a step below 1`);
    for (let v = from; v <= to; v += step) out.add(field.name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}

/** The schedule, or an Error whose message says which field is wrong. */
export function parseCron(expr: string): CronSchedule {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`'${expr}' has ${parts.length} fields; cron needs five (minute hour day-of-month month day-of-week)`);
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(p, FIELDS[i]));
  return { minutes, hours, days, months, weekdays, dayRestricted: parts[2] !== '*', weekdayRestricted: parts[4] !== '*' };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const day = s.days.has(d.getUTCDate());
  const weekday = s.weekdays.has(d.getUTCDay());
  if (s.dayRestricted && s.weekdayRestricted) return day || weekday;
  return day && weekday;
}

/** The first minute strictly after `afterMs` that the schedule runs at (ms since the epoch). */
export function nextRun(s: CronSchedule, afterMs: number): number {
  const t = new Date(Math.floor(afterMs / 60_000) * 60_000 + 60_000);
  // Four years of minutes bound the search: every valid schedule (Feb 29 included) runs within them.
  for (let i = 0; i < 4 * 366 * 24 * 60; i++) {
    if (!s.months.has(t.getUTCMonth() + 1) || !dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (s.minutes.has(t.getUTCMinutes())) return t.getTime();
    t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
  }
  throw new Error('the schedule never runs (e.g. February 30)');
}

/**
 * The longest wait between two runs of the schedule, in seconds, over the runs after `fromMs`
 * (at most `maxRuns`, within about 13 months): how old the last backup may be while the schedule
 * keeps to itself (a weekday schedule waits the weekend through).
 */
export function longestGapSeconds(s: CronSchedule, fromMs: number, maxRuns = 2000): number {
  const horizon = fromMs + 400 * 24 * 3600_000;
  let previous = nextRun(s, fromMs);
  let longest = 0;
  for (let i = 0; i < maxRuns; i++) {
    const next = nextRun(s, previous);
    // The first gap always counts (a Feb 29 schedule waits years); later ones within the horizon.
    if (i > 0 && next > horizon) break;
    longest = Math.max(longest, next - previous);
    previous = next;
  }
  return longest / 1000;
}
