import React, { useState } from 'react';
import { useDefaultText } from './language';
import { deriveKey } from './naming';
import type { ItemError } from './errors';
import type { Field } from './types';
import { AddButton, IconButton, TextInput } from './ui';

type Option = NonNullable<Field['options']>[number];

/**
 * Options of a choice field: value (what submissions store) and label (what people see). The value
 * of an option added here follows its label until typed by hand; existing values never change on
 * their own, since submissions hold them.
 */
export const OptionsEditor: React.FC<{
  options: Option[];
  errors: ItemError[];
  testPrefix: string;
  onChange: (options: Option[]) => void;
}> = ({ options, errors, testPrefix, onChange }) => {
  const [fresh, setFresh] = useState<ReadonlySet<string>>(() => new Set());
  const tx = useDefaultText();
  const values = (except: number) => new Set(options.filter((_, i) => i !== except).map((o) => o.value));
  const update = (i: number, option: Option) => onChange(options.map((o, k) => (k === i ? option : o)));
  // Messages are listed on the field's row; here the inputs concerned are outlined.
  const invalid = (i: number, part: 'value' | 'label') => errors.some((e) => e.part === `options[${i}].${part}`);

  const setLabel = (i: number, label: string) => {
    const option = options[i]!;
    if (!fresh.has(option.value)) return update(i, { ...option, label: tx.edit(option.label, label) });
    const value = deriveKey(label, values(i)) || option.value;
    setFresh((f) => new Set(f).add(value));
    update(i, { value, label: tx.edit(option.label, label) });
  };
  const setValue = (i: number, value: string) => {
    setFresh((f) => {
      const next = new Set(f);
      next.delete(options[i]!.value);
      return next;
    });
    update(i, { ...options[i]!, value });
  };
  const add = () => {
    let n = options.length + 1;
    while (values(-1).has(`option_${n}`)) n++;
    const option = { value: `option_${n}`, label: `Option ${n}` };
    setFresh((f) => new Set(f).add(option.value));
    onChange([...options, option]);
  };
  const move = (i: number, by: -1 | 1) => {
    const next = [...options];
    [next[i], next[i + by]] = [next[i + by]!, next[i]!];
    onChange(next);
  };

  return (
    <div className="gbfb-sub" data-testid={`${testPrefix}-options`}>
      <span className="gbfb-label">Options</span>
      {options.map((o, i) => (
        <div
          key={i}
          style={{
            display: 'grid',
            gridTemplateColumns: '24px 1fr 1.4fr auto',
            gap: 8,
            alignItems: 'center',
            marginBottom: 6,
          }}
        >
          <span className="gbfb-row-num">{i + 1}</span>
          <TextInput
            mono
            value={o.value}
            placeholder="value"
            aria-label="Option value"
            testId={`${testPrefix}-option-value-${i}`}
            invalid={invalid(i, 'value')}
            onChange={(v) => setValue(i, v)}
          />
          <TextInput
            value={tx.show(o.label)}
            placeholder="Label"
            aria-label="Option label"
            testId={`${testPrefix}-option-label-${i}`}
            invalid={invalid(i, 'label')}
            onChange={(v) => setLabel(i, v)}
          />
          <span style={{ display: 'flex', gap: 2 }}>
            <IconButton icon="ArrowUp" title="Move option up" disabled={i === 0} onClick={() => move(i, -1)} />
            <IconButton
              icon="ArrowDown"
              title="Move option down"
              disabled={i === options.length - 1}
              onClick={() => move(i, 1)}
            />
            <IconButton
              icon="Trash2"
              danger
              title="Remove option"
              onClick={() => onChange(options.filter((_, k) => k !== i))}
            />
          </span>
        </div>
      ))}
      <div style={{ marginTop: 6 }}>
        <AddButton label="Add option" testId={`${testPrefix}-add-option`} onClick={add} />
      </div>
    </div>
  );
};
