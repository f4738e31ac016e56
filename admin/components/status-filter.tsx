import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { FormGroup, Label, Select } from '@adminjs/design-system';
import type { Tone } from '../../src/review/status-display';
import { displaysOf, toneStyle } from './status-tone';

type Option = { value: string; label: string; tone: Tone };

/** A status filter whose options read and look like the badges (same labels, same colours). */
const StatusFilter: React.FC<BasePropertyProps> = ({ property, onChange, filter }) => {
  const displays = displaysOf(property.custom?.statuses);
  const options: Option[] = Object.entries(displays).map(([value, d]) => ({ value, label: d.label, tone: d.tone }));
  const current = (filter as Record<string, string> | undefined)?.[property.path] ?? '';
  const selected = options.find((o) => o.value === current);
  return (
    <FormGroup variant="filter">
      <Label>{property.label}</Label>
      <Select
        variant="filter"
        value={selected ?? ''}
        isClearable
        options={options}
        formatOptionLabel={(o: unknown) => {
          const option = o as Option;
          return <span style={toneStyle(option.tone)}>{option.label}</span>;
        }}
        onChange={(o: unknown) => onChange?.(property.path, o ? (o as Option).value : '')}
      />
    </FormGroup>
  );
};

export default StatusFilter;
