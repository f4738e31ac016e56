import React, { useState } from 'react';
import type { ResourceJSON } from 'adminjs';
import { Button } from '@adminjs/design-system';

type Property = ResourceJSON['listProperties'][number];

/** Types that do not fit in a table cell (whole documents, long texts). */
const NOT_IN_A_CELL = new Set(['mixed', 'key-value', 'richtext', 'textarea']);

/** The columns a list may show: its default columns, then the fields of its show page that fit in a cell. */
export function columnChoices(resource: ResourceJSON): Property[] {
  const seen = new Set<string>();
  return [...resource.listProperties, ...resource.showProperties].filter((p) => {
    if (seen.has(p.propertyPath) || NOT_IN_A_CELL.has(p.type)) return false;
    seen.add(p.propertyPath);
    return true;
  });
}

/** Choose the list's columns (kept in the URL, and so in saved views). */
export const ColumnsPicker: React.FC<{ choices: Property[]; defaults: string[]; chosen: string[]; onChange: (paths: string[]) => void }> = ({ choices, defaults, chosen, onChange }) => {
  const [open, setOpen] = useState(false);
  const current = chosen.length ? chosen : defaults;
  const toggle = (path: string) => {
    const next = current.includes(path) ? current.filter((p) => p !== path) : [...current, path];
    if (next.length) onChange(next);
  };
  return (
    <div style={{ position: 'relative' }}>
      <Button type="button" size="sm" variant="outlined" data-testid="columns-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        Columns{chosen.length ? ` (${chosen.length})` : ''}
      </Button>
      {open ? (
        <div
          data-testid="columns-panel"
          style={{ position: 'absolute', zIndex: 20, top: '100%', marginTop: 4, background: '#fff', border: '1px solid #dde1e5', borderRadius: 4, padding: 12, minWidth: 220, boxShadow: '0 4px 12px rgba(0,0,0,.12)' }}
        >
          {choices.map((p) => (
            <label key={p.propertyPath} style={{ display: 'flex', gap: 8, alignItems: 'center', padding: '2px 0', whiteSpace: 'nowrap' }}>
              <input type="checkbox" checked={current.includes(p.propertyPath)} data-testid={`column-${p.propertyPath}`} onChange={() => toggle(p.propertyPath)} />
              {p.label}
            </label>
          ))}
          <Button type="button" size="sm" variant="text" mt="sm" data-testid="columns-reset" disabled={!chosen.length} onClick={() => onChange([])}>
            Default columns
          </Button>
        </div>
      ) : null}
    </div>
  );
};
