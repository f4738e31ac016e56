import { useEffect, useState } from 'react';
import { ApiClient, useNotice } from 'adminjs';
import type { SavedView } from '../../../src/views/saved-views.service';

export type { SavedView };

const api = new ApiClient();
/** The resource action of admin/features/saved-views.feature.ts. */
const ACTION = 'savedViews';

export interface SavedViews {
  list: SavedView[];
  loading: boolean;
  /** POSTs one change (`op`: create, rename, default, delete); true when it was made. */
  change: (fields: Record<string, string>) => Promise<boolean>;
}

interface ViewsAnswer {
  views?: SavedView[];
  notice?: { message: string; type: 'success' | 'error' };
}

/** The signed-in user's saved views of one list, and the way to change them. */
export function useSavedViews(resourceId: string): SavedViews {
  const addNotice = useNotice();
  const [list, setList] = useState<SavedView[]>([]);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    setLoading(true);
    api
      .resourceAction({ resourceId, actionName: ACTION })
      .then((response) => live && setList((response.data as ViewsAnswer).views ?? []))
      .catch(() => live && setList([]))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [resourceId]);

  const change = async (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(fields)) data.append(key, value);
    try {
      const response = await api.resourceAction({ resourceId, actionName: ACTION, method: 'post', data });
      const answer = response.data as ViewsAnswer;
      if (answer.views) setList(answer.views);
      if (answer.notice) addNotice(answer.notice);
      return answer.notice?.type !== 'error';
    } catch (error) {
      addNotice({ message: error instanceof Error ? error.message : String(error), type: 'error' });
      return false;
    }
  };

  return { list, loading, change };
}
