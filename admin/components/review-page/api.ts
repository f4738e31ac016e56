import { ApiClient } from 'adminjs';
import type { ReviewData } from './types';

const client = new ApiClient();

/**
 * The `review` record action: GET loads the page, each POST performs one `op` and answers the page
 * again; both in `language` (the answer's labels and options, for a form in several languages).
 */
export function reviewApi(resourceId: string, recordId: string) {
  return {
    load: async (language?: string): Promise<ReviewData> =>
      (
        await client.recordAction({
          resourceId,
          recordId,
          actionName: 'review',
          ...(language ? { params: { lang: language } } : {}),
        })
      ).data as unknown as ReviewData,
    post: async (fields: Record<string, string>, language?: string): Promise<ReviewData> => {
      const data = new FormData();
      for (const [k, v] of Object.entries(fields)) data.append(k, v);
      if (language) data.append('lang', language);
      return (await client.recordAction({ resourceId, recordId, actionName: 'review', method: 'post', data }))
        .data as unknown as ReviewData;
    },
  };
}
