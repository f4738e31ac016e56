import React, { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { Box, Button, Icon, Pagination, Text } from '@adminjs/design-system';
import { totalWords, type TotalKind } from '../../src/search/list-query';
import {
  ApiClient,
  RecordsTable,
  useNotice,
  useQueryParams,
  useSelectedRecords,
  type ActionProps,
  type RecordJSON,
} from 'adminjs';

/** The list action's answer (admin/features/keyset-list.feature.ts). */
type ListMeta = {
  total: number;
  perPage: number;
  page: number;
  direction: 'asc' | 'desc';
  sortBy?: string;
  cursors?: { prev: string | null; next: string | null };
  keysetDepth?: number;
  totalKind?: TotalKind;
};
type ListAnswer = {
  meta: ListMeta;
  records: RecordJSON[];
  notice?: Parameters<ReturnType<typeof useNotice>>[0];
  redirectUrl?: string;
};

const api = new ApiClient();
/** AdminJS's `data-css` name for an element of an action (its helper is not in the browser's AdminJS global). */
const actionElementCss = (resourceId: string, action: string, suffix: string) => `${resourceId}-${action}-${suffix}`;
const REFRESH_KEY = 'refresh';

/**
 * AdminJS's list (it replaces DefaultListAction) with keyset navigation past the depth the server
 * names: page numbers up to it, then "Previous" and "Next", each carrying the cursor of the row it
 * moves from, so a deep page costs what the first one does. The URL keeps the page number and the
 * cursor (`after` or `before`), so a deep page can be reloaded and shared.
 */
const KeysetList: React.FC<ActionProps> = ({ resource, setTag }) => {
  const location = useLocation();
  const navigate = useNavigate();
  const notice = useNotice();
  const { storeParams } = useQueryParams<{ after?: string; before?: string }>();
  const [records, setRecords] = useState<RecordJSON[]>([]);
  const [meta, setMeta] = useState<ListMeta>({ total: 0, perPage: 10, page: 1, direction: 'asc' });
  const [loading, setLoading] = useState(false);
  const { selectedRecords, handleSelect, handleSelectAll, setSelectedRecords } = useSelectedRecords(records);

  const fetchData = () => {
    setLoading(true);
    const promise = api.resourceAction({
      actionName: 'list',
      resourceId: resource.id,
      params: new URLSearchParams(location.search),
    });
    promise
      .then((response) => {
        const answer = response.data as ListAnswer;
        if (answer.notice) notice(answer.notice);
        if (answer.redirectUrl) {
          navigate(answer.redirectUrl);
          return;
        }
        setRecords(answer.records);
        setMeta(answer.meta);
        setLoading(false);
      })
      .catch(() => {
        setLoading(false);
        notice({ message: 'errorFetchingRecords', type: 'error', resourceId: resource.id });
      });
    return promise;
  };

  useEffect(() => {
    const search = new URLSearchParams(location.search);
    if (search.get(REFRESH_KEY)) {
      search.delete(REFRESH_KEY);
      navigate({ pathname: location.pathname, search: search.toString() }, { replace: true });
    } else {
      void fetchData();
    }
    // As AdminJS's own list: the effect follows the URL and the answer, not the (stable) helpers.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resource.id, location.search, location.state]);

  useEffect(() => {
    if (setTag) setTag(totalWords(meta.total, meta.totalKind));
    // As AdminJS's own list: the effect follows the URL and the answer, not the (stable) helpers.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [meta.total, meta.totalKind]);

  useEffect(() => {
    setSelectedRecords([]);
    // As AdminJS's own list: the effect follows the URL and the answer, not the (stable) helpers.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resource.id]);

  useEffect(() => {
    const search = new URLSearchParams(location.search);
    if (search.get(REFRESH_KEY)) {
      setSelectedRecords([]);
    } else {
      const ids = search.get('recordIds')?.split(',') ?? [];
      setSelectedRecords(records.filter((r) => ids.includes(r.id.toString())));
    }
    // As AdminJS's own list: the effect follows the URL and the answer, not the (stable) helpers.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [location.search, records]);

  const depth = meta.keysetDepth ?? Number.POSITIVE_INFINITY;
  // A count that stopped at its cap says only that the list goes on past it.
  const counted = meta.totalKind === 'atLeast' ? meta.total - 1 : meta.total;
  const lastPage = Math.max(Math.ceil(counted / meta.perPage), 1);
  const pagesWords = totalWords(lastPage + (meta.totalKind === 'atLeast' ? 1 : 0), meta.totalKind);
  const goTo = (page: number) => storeParams({ page: page.toString() });
  const next = () => {
    const page = meta.page + 1;
    if (page <= depth || !meta.cursors?.next) goTo(page);
    else storeParams({ page: page.toString(), after: meta.cursors.next });
  };
  const previous = () => {
    const page = meta.page - 1;
    if (page <= depth || !meta.cursors?.prev) goTo(page);
    else storeParams({ page: page.toString(), before: meta.cursors.prev });
  };
  // A short page past the depth is the last one, whatever the (estimated) total says.
  const atEnd = records.length < meta.perPage || (meta.page >= lastPage && meta.page <= depth);

  return (
    <Box variant="container" data-css={actionElementCss(resource.id, 'list', 'table-wrapper')}>
      <RecordsTable
        resource={resource}
        records={records}
        actionPerformed={() => fetchData()}
        onSelect={handleSelect}
        onSelectAll={handleSelectAll}
        selectedRecords={selectedRecords}
        direction={meta.direction}
        sortBy={meta.sortBy}
        isLoading={loading}
      />
      <Text mt="xl" textAlign="center" data-testid="keyset-pagination">
        {meta.page <= depth ? (
          <Pagination
            page={meta.page}
            perPage={meta.perPage}
            total={Math.min(meta.total, depth * meta.perPage)}
            onChange={goTo}
          />
        ) : null}
        {meta.page > depth || (meta.page === depth && lastPage > depth) ? (
          <Box flex flexDirection="row" justifyContent="center" alignItems="center" mt="default" style={{ gap: 8 }}>
            {meta.page > depth ? (
              <>
                <Button size="sm" variant="text" onClick={() => goTo(1)} data-testid="keyset-first">
                  <Icon icon="ChevronsLeft" /> First
                </Button>
                <Button size="sm" variant="outlined" onClick={previous} data-testid="keyset-prev">
                  <Icon icon="ChevronLeft" /> Previous
                </Button>
                <Text as="span" data-testid="keyset-page">
                  Page {meta.page.toLocaleString()} of {pagesWords}
                </Text>
              </>
            ) : null}
            <Button size="sm" variant="outlined" onClick={next} disabled={atEnd} data-testid="keyset-next">
              Next <Icon icon="ChevronRight" />
            </Button>
          </Box>
        ) : null}
      </Text>
    </Box>
  );
};

export default KeysetList;
