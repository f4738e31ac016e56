import { ApiClient } from 'adminjs';

const client = new ApiClient();

export interface QueueItem {
  id: string;
  templateId: string;
  templateTitle: string;
  gridId: string;
  gridTitle: string;
  submitterName: string;
  submittedAt: string;
  reviewStatus: string;
  reviewMode: 'submission' | 'section';
  overdue: boolean;
  openSections: number;
  mySections: number;
}

export interface QueueList {
  count: number;
  overdue: number;
  items: QueueItem[];
}

export interface QueueData {
  queue?: { waiting: QueueList; claimed: QueueList };
  claimedId?: string | null;
  notice?: { message: string; type: 'success' | 'error' | 'info' };
}

export const REVIEW_QUEUE_URL = '/admin/pages/reviewQueue';
export const reviewUrl = (id: string) => `/admin/resources/submissions/records/${encodeURIComponent(id)}/review`;

/** The review queue page's handler (admin/pages/review-queue.page.ts). */
export const queueApi = {
  load: async (): Promise<QueueData> => (await client.getPage({ pageName: 'reviewQueue' })).data as QueueData,
  /** Takes the first waiting submission into the user's review; its id, or null when nothing waits. */
  claimNext: async (): Promise<QueueData> => (await client.getPage({ pageName: 'reviewQueue', method: 'post', data: { op: 'claimNext' } })).data as QueueData,
};
