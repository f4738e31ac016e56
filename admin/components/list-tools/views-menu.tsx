import React, { useState } from 'react';
import { Button, Input } from '@adminjs/design-system';
import type { SavedViews } from './use-saved-views';

const sameQuery = (a: Record<string, string>, b: Record<string, string>) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};

const selectStyle: React.CSSProperties = { height: 32, minWidth: 200, border: '1px solid #c0c0ca', borderRadius: 4, padding: '0 8px', background: '#fff' };
const row: React.CSSProperties = { display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' };

type Mode = { kind: 'idle' } | { kind: 'save' } | { kind: 'rename' } | { kind: 'delete' };

/**
 * The user's saved views of this list: pick one (its filters, search, columns and sort replace the
 * list's), save the current list as a new one (optionally the default), and rename, make default
 * or delete the one shown.
 */
export const ViewsMenu: React.FC<{ views: SavedViews; current: Record<string, string>; onPick: (query: Record<string, string>) => void }> = ({ views, current, onPick }) => {
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  const [name, setName] = useState('');
  const [asDefault, setAsDefault] = useState(false);
  const selected = views.list.find((v) => sameQuery(v.query, current));
  const hasQuery = Object.keys(current).length > 0;

  const done = (ok: boolean) => {
    if (ok) setMode({ kind: 'idle' });
  };

  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      <div style={row}>
        <label htmlFor="saved-views" style={{ fontWeight: 600 }}>
          View
        </label>
        <select
          id="saved-views"
          data-testid="views-menu"
          style={selectStyle}
          value={selected?.id ?? ''}
          disabled={views.loading}
          onChange={(e) => {
            const view = views.list.find((v) => v.id === e.target.value);
            setMode({ kind: 'idle' });
            onPick(view ? view.query : {});
          }}
        >
          <option value="">{hasQuery && !selected ? 'Unsaved filters' : 'All records'}</option>
          {views.list.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
              {v.isDefault ? ' (default)' : ''}
            </option>
          ))}
        </select>
        {hasQuery && !selected ? (
          <Button type="button" size="sm" variant="outlined" data-testid="view-save-open" onClick={() => { setName(''); setAsDefault(false); setMode({ kind: 'save' }); }}>
            Save view
          </Button>
        ) : null}
        {selected ? (
          <>
            <Button type="button" size="sm" variant="text" data-testid="view-rename-open" onClick={() => { setName(selected.name); setMode({ kind: 'rename' }); }}>
              Rename
            </Button>
            <Button
              type="button"
              size="sm"
              variant="text"
              data-testid="view-default-toggle"
              title={selected.isDefault ? 'Stop opening this list with this view' : 'Open this list with this view'}
              onClick={async () => done(await views.change({ op: 'default', id: selected.id, isDefault: String(!selected.isDefault) }))}
            >
              {selected.isDefault ? 'Default ✓' : 'Make default'}
            </Button>
            <Button type="button" size="sm" variant="text" color="danger" data-testid="view-delete-open" onClick={() => setMode({ kind: 'delete' })}>
              Delete
            </Button>
          </>
        ) : null}
      </div>
      {mode.kind === 'save' || (mode.kind === 'rename' && selected) ? (
        <form
          style={row}
          data-testid={mode.kind === 'save' ? 'view-save-form' : 'view-rename-form'}
          onSubmit={async (e) => {
            e.preventDefault();
            if (mode.kind === 'save') done(await views.change({ op: 'create', name, query: JSON.stringify(current), isDefault: String(asDefault) }));
            else if (selected) done(await views.change({ op: 'rename', id: selected.id, name }));
          }}
        >
          <Input value={name} maxLength={100} required aria-label="View name" placeholder="Name of the view" data-testid="view-name" onChange={(e: React.ChangeEvent<HTMLInputElement>) => setName(e.target.value)} />
          {mode.kind === 'save' ? (
            <label style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
              <input type="checkbox" checked={asDefault} data-testid="view-default" onChange={(e) => setAsDefault(e.target.checked)} />
              Open this list with it
            </label>
          ) : null}
          <Button type="submit" size="sm" variant="contained" data-testid="view-submit" disabled={!name.trim()}>
            {mode.kind === 'save' ? 'Save' : 'Rename'}
          </Button>
          <Button type="button" size="sm" variant="text" onClick={() => setMode({ kind: 'idle' })}>
            Cancel
          </Button>
        </form>
      ) : null}
      {mode.kind === 'delete' && selected ? (
        <div style={row} data-testid="view-delete-confirm">
          <span>Delete the view “{selected.name}”? The records stay as they are.</span>
          <Button type="button" size="sm" variant="contained" color="danger" data-testid="view-delete" onClick={async () => done(await views.change({ op: 'delete', id: selected.id }))}>
            Delete view
          </Button>
          <Button type="button" size="sm" variant="text" onClick={() => setMode({ kind: 'idle' })}>
            Cancel
          </Button>
        </div>
      ) : null}
    </div>
  );
};
