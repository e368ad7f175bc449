/** Pure date/time formatting helpers shared by the list, the chat and the rail. */

const DAY_MS = 86_400_000;
const WEEKDAY = new Intl.DateTimeFormat('en-GB', { weekday: 'long' });
const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function parseDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Local midnight of the day `d` falls on, as epoch milliseconds. */
export function startOfDay(d: Date | number): number {
  const x = new Date(d);
  x.setHours(0, 0, 0, 0);
  return x.getTime();
}

/** Whole calendar days between the day of `d` and the day of `now` (0 = today, 1 = yesterday). */
export function calendarDaysAgo(d: Date, now: number): number {
  return Math.round((startOfDay(now) - startOfDay(d)) / DAY_MS);
}

/** 24-hour clock time, e.g. `09:05`. */
export function formatClock(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `dd/MM/yyyy`. */
export function formatShortDate(d: Date): string {
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

/** Thread list time: `HH:mm` today, `Yesterday`, a weekday within the week, else `dd/MM/yyyy`. */
export function formatListTime(iso: string | null, now: number): string {
  const d = parseDate(iso);
  if (!d) return '';
  const days = calendarDaysAgo(d, now);
  if (days <= 0) return formatClock(d);
  if (days === 1) return 'Yesterday';
  if (days < 7) return WEEKDAY.format(d);
  return formatShortDate(d);
}

/** Chat day separator: `Today`, `Yesterday`, a weekday within the week, else a long date. */
export function formatDayLabel(d: Date, now: number): string {
  const days = calendarDaysAgo(d, now);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days < 7) return WEEKDAY.format(d);
  return LONG_DATE.format(d);
}

/** Full timestamp for tooltips: `03/11/2025 14:07`. */
export function formatFullTimestamp(iso: string | null): string {
  const d = parseDate(iso);
  return d ? `${formatShortDate(d)} ${formatClock(d)}` : '';
}

/** `0:07`, `12:30`, `1:02:03`. */
export function formatDuration(totalSec: number | null | undefined): string {
  if (totalSec == null || !Number.isFinite(totalSec) || totalSec < 0) return '';
  const s = Math.round(totalSec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** `532 B`, `48 KB`, `2.4 MB`. */
export function formatBytes(size: number | null | undefined): string {
  if (size == null || !Number.isFinite(size) || size < 0) return '';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${Math.round(size / 1024)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}
