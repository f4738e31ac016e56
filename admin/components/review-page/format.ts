import type { Member } from './types';

/** Labels and colors of statuses, dates, names: small pure helpers shared by the page's parts. */

export type Tone = 'blue' | 'green' | 'red' | 'amber' | 'grey';

export const STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  in_review: 'In review',
  approved: 'Approved',
  rejected: 'Rejected',
};

export const STATUS_TONES: Record<string, Tone> = {
  draft: 'grey',
  submitted: 'blue',
  in_review: 'amber',
  approved: 'green',
  rejected: 'red',
};

export const PROCESSING: Record<number, { label: string; tone: Tone }> = {
  0: { label: 'Processing pending', tone: 'grey' },
  1: { label: 'Processed', tone: 'green' },
  2: { label: 'Processing failed', tone: 'red' },
};

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
