import { ApiClient } from 'adminjs';
import type { Answer, FillData } from './types';

const client = new ApiClient();

/**
 * The answer page's record action (`answer` on submissions, `fill` on templates): GET loads the
 * form; POST saves the answer (`data`, JSON) and, with `submit`, sends it for review.
 */
export function fillApi(resourceId: string, recordId: string, actionName: string) {
  return {
    load: async (): Promise<FillData> =>
      (await client.recordAction({ resourceId, recordId, actionName })).data as unknown as FillData,
    /** `language`: the language the server's messages come back in (the page's). */
    save: async (answer: Answer, submit: boolean, language?: string): Promise<FillData> => {
      const data = new FormData();
      data.append('data', JSON.stringify(answer));
      data.append('submit', String(submit));
      if (language) data.append('lang', language);
      return (await client.recordAction({ resourceId, recordId, actionName, method: 'post', data }))
        .data as unknown as FillData;
    },
  };
}
