import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { ValueGroup } from '@adminjs/design-system';

/**
 * A repeating table's row as people count it: the first row is "1" (the table stores a 0-based
 * index; exports and the review page count from 1 as well).
 */
const RowNumber: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const raw = record?.params?.[property.path] as unknown;
  const n = raw === null || raw === undefined || raw === '' ? null : Number(raw);
  const text = n === null || !Number.isFinite(n) ? '' : String(n + 1);
  if (where === 'show')
    return (
      <ValueGroup label={property.label}>
        <span data-testid="row-number">{text}</span>
      </ValueGroup>
    );
  return <span data-testid="row-number">{text}</span>;
};

export default RowNumber;
