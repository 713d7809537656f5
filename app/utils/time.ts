/**
 * Instants are stored as UTC text 'YYYY-MM-DD HH:MM:SS.mmm': sortable as strings, identical on
 * SQLite and MySQL, and never shifted by a server's time zone.
 */
export function toDbInstant(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

export function fromDbInstant(s: string): Date {
  return new Date(s.replace(" ", "T") + "Z");
}

export function nowInstant(): string {
  return toDbInstant(new Date());
}

/** Today's calendar date in China (UTC+8), which is the business day for banks and CNIPA. */
export function todayInChina(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
