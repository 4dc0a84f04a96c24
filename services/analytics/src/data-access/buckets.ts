/** Time buckets as UTC keys that sort as they follow each other (`YYYY-MM-DDTHH:MM`, `…THH`, `YYYY-MM-DD`). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export const floorMinute = (t: number) => Math.floor(t / MINUTE_MS) * MINUTE_MS;
export const ceilMinute = (t: number) => Math.ceil(t / MINUTE_MS) * MINUTE_MS;
export const floorHour = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
export const ceilHour = (t: number) => Math.ceil(t / HOUR_MS) * HOUR_MS;

export const minuteKey = (t: number | Date) => new Date(t).toISOString().slice(0, 16);
export const hourKey = (t: number | Date) => new Date(t).toISOString().slice(0, 13);
export const dayKey = (t: number | Date) => new Date(t).toISOString().slice(0, 10);
