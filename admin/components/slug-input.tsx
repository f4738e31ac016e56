import React, { useEffect, useRef } from 'react';
import type { EditPropertyProps } from 'adminjs';
import { FormGroup, FormMessage, Input, Label } from '@adminjs/design-system';
import { slugFromTitle } from '../../src/grids/slug';

/**
 * The slug field of a create form: filled from the title as the title is typed, and still
 * editable. Once the person types in the slug itself, it stops following the title. On an edit
 * form (the record exists) the slug never changes by itself.
 */
const SlugInput: React.FC<EditPropertyProps> = ({ property, record, onChange }) => {
  const path = property.path;
  const title = String(record?.params?.title ?? '');
  const slug = String(record?.params?.[path] ?? '');
  const following = useRef(!record?.id && (slug === '' || slug === slugFromTitle(title)));
  const follow = (text: string) => {
    if (!following.current) return;
    const derived = slugFromTitle(text);
    if (derived !== String(record?.params?.[path] ?? '')) onChange(path, derived);
  };
  // The title's own field tells the form only when it loses focus; the slug follows each keystroke.
  useEffect(() => {
    const onInput = (event: Event) => {
      const target = event.target as HTMLInputElement | null;
      if (target?.name === 'title' && target.form === document.getElementById(path)?.closest('form'))
        follow(target.value);
    };
    document.addEventListener('input', onInput);
    return () => document.removeEventListener('input', onInput);
  });
  useEffect(() => {
    follow(title);
    // Only a change of the title moves the slug.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [title]);
  const error = record?.errors?.[path]?.message;
  return (
    <FormGroup error={Boolean(error)}>
      <Label htmlFor={path} required={property.isRequired}>
        {property.label}
      </Label>
      <Input
        id={path}
        name={path}
        value={slug}
        data-testid="slug-input"
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => {
          following.current = false;
          onChange(path, e.target.value);
        }}
      />
      <FormMessage>{error ?? property.description}</FormMessage>
    </FormGroup>
  );
};

export default SlugInput;
