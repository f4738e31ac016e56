import React, { useEffect, useMemo, useRef, useState } from 'react';
import type { ActionProps } from 'adminjs';
import { useLocation, useNavigate } from 'react-router';
import { Box } from '@adminjs/design-system';
import { COLUMNS_FILTER, SEARCH_FILTER, SEARCH_MAX, viewQueryOf } from '../../../src/search/list-query';
import { SearchBox } from './search-box';
import { ColumnsPicker, columnChoices } from './columns-picker';
import { ViewsMenu } from './views-menu';
import KeysetList from '../keyset-list';
import { useSavedViews } from './use-saved-views';

const searchKey = `filters.${SEARCH_FILTER}`;
const columnsKey = `filters.${COLUMNS_FILTER}`;

/**
 * Every list of the panel (registered as AdminJS's `DefaultListAction` override): a search box,
 * the user's saved views (pick, save, rename, make default, delete), a column picker, then
 * the list itself with keyset navigation past a depth (keyset-list.tsx). The search, the columns, the filters and the sort all live in the URL, so a
 * view is the URL's list query, and the back button and a shared link show the same list.
 */
const ListWithTools: React.FC<ActionProps> = (props) => {
  const { resource } = props;
  const location = useLocation();
  const navigate = useNavigate();
  const views = useSavedViews(resource.id);
  const current = useMemo(() => viewQueryOf(location.search), [location.search]);
  const params = new URLSearchParams(location.search);

  // The default view applies when the list is opened without a query: once per opening of this
  // list, so clearing the filters afterwards shows the whole list as asked.
  const opened = useRef<string | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (views.loading) return;
    if (opened.current !== resource.id) {
      opened.current = resource.id;
      const fallback = views.list.find((v) => v.isDefault);
      if (fallback && Object.keys(viewQueryOf(location.search)).length === 0) {
        navigate({ search: `?${new URLSearchParams(fallback.query).toString()}` }, { replace: true });
      }
    }
    setReady(true);
    // Once the views have loaded, once per list opened: not again when the URL changes later.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [views.loading, resource.id]);

  /** Replaces the list query's view part (filters, search, columns, sort), back to the first page. */
  const applyQuery = (query: Record<string, string>) => {
    const next = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== '') next.set(key, value);
    navigate({ search: next.toString() ? `?${next.toString()}` : '' });
  };
  const setParam = (key: string, value: string) => {
    const next = { ...current };
    if (value) next[key] = value;
    else delete next[key];
    applyQuery(next);
  };

  const choices = columnChoices(resource);
  const chosen = (params.get(columnsKey) ?? '')
    .split(',')
    .filter((path) => choices.some((c) => c.propertyPath === path));
  const byPath = new Map(choices.map((c) => [c.propertyPath, c]));
  const shown = chosen.length
    ? { ...resource, listProperties: chosen.map((path) => byPath.get(path)!).filter(Boolean) }
    : resource;

  return (
    <>
      <Box
        variant="container"
        mb="lg"
        data-testid="list-tools"
        style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'flex-start' }}
      >
        <SearchBox
          key={`${resource.id}:${params.get(searchKey) ?? ''}`}
          initial={params.get(searchKey) ?? ''}
          maxLength={SEARCH_MAX}
          hint={typeof props.action.custom?.searchHint === 'string' ? props.action.custom.searchHint : 'Search'}
          onSearch={(text) => setParam(searchKey, text.trim())}
        />
        <ViewsMenu views={views} current={current} onPick={applyQuery} />
        <ColumnsPicker
          choices={choices}
          defaults={resource.listProperties.map((p) => p.propertyPath)}
          chosen={chosen}
          onChange={(paths) => setParam(columnsKey, paths.join(','))}
        />
      </Box>
      {ready ? <KeysetList {...props} resource={shown} /> : null}
    </>
  );
};

export default ListWithTools;
