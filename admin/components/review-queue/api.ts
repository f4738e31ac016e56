import { ApiClient } from 'adminjs';

const client = new ApiClient();

// The queue service's own types (type-only: nothing of the server reaches the bundle).
export type { QueueItem, QueueList } from '../../../src/review/queue.service';
import type { ReviewQueue } from '../../../src/review/queue.service';

export interface QueueData {
  queue?: ReviewQueue;
  claimedId?: string | null;
  notice?: { message: string; type: 'success' | 'error' | 'info' };
}

export const REVIEW_QUEUE_URL = '/admin/pages/reviewQueue';
export const reviewUrl = (id: string) => `/admin/resources/submissions/records/${encodeURIComponent(id)}/review`;

/** The review queue page's handler (admin/pages/review-queue.page.ts). */
export const queueApi = {
  load: async (): Promise<QueueData> => (await client.getPage({ pageName: 'reviewQueue' })).data as QueueData,
  /** Takes the first waiting submission into the user's review; its id, or null when nothing waits. */
  claimNext: async (): Promise<QueueData> =>
    (await client.getPage({ pageName: 'reviewQueue', method: 'post', data: { op: 'claimNext' } })).data as QueueData,
};
