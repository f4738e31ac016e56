import { REVIEW_STATUS_DISPLAY, type Tone } from '../../../src/review/status-display';
import type { Member } from './types';

/** Labels and colors of statuses (from the one mapping), dates, names: small pure helpers shared by the page's parts. */

export type { Tone };

export const STATUS_LABELS: Record<string, string> = Object.fromEntries(
  Object.entries(REVIEW_STATUS_DISPLAY).map(([k, d]) => [k, d.label]),
);
export const STATUS_TONES: Record<string, Tone> = Object.fromEntries(
  Object.entries(REVIEW_STATUS_DISPLAY).map(([k, d]) => [k, d.tone]),
);

export const formatDateTime = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

/** "3 min ago", "2 h ago", then the date: the timeline reads at a glance, the title has the exact time. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 7 * 86_400) return `${Math.round(seconds / 86_400)} d ago`;
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** A due date (YYYY-MM-DD, a calendar day: no time zone shift). */
export const formatDay = (day: string | null): string => {
  if (!day) return '—';
  const [y, m, d] = day.slice(0, 10).split('-').map(Number);
  return new Date(y!, (m ?? 1) - 1, d ?? 1).toLocaleDateString(undefined, { dateStyle: 'medium' });
};

export const memberName = (members: Member[], id: string | null | undefined): string | null =>
  id ? (members.find((m) => m.id === id)?.name ?? `user #${id}`) : null;
