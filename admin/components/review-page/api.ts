import { ApiClient } from 'adminjs';
import type { ReviewData } from './types';

const client = new ApiClient();

/** The `review` record action: GET loads the page, each POST performs one `op` and answers the page again. */
export function reviewApi(resourceId: string, recordId: string) {
  return {
    load: async (): Promise<ReviewData> => (await client.recordAction({ resourceId, recordId, actionName: 'review' })).data as unknown as ReviewData,
    post: async (fields: Record<string, string>): Promise<ReviewData> => {
      const data = new FormData();
      for (const [k, v] of Object.entries(fields)) data.append(k, v);
      return (await client.recordAction({ resourceId, recordId, actionName: 'review', method: 'post', data })).data as unknown as ReviewData;
    },
  };
}
