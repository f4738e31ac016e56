import React from 'react';
import { FormGroup, Label, TextArea } from '@adminjs/design-system';

/** What a confirmation page (one record, or a bulk action) is told by its action: its question and a text to ask. */
export interface ConfirmCustom {
  confirm?: string;
  input?: { name: string; label: string; required: boolean } | null;
}

/** The text a confirmation asks with the question (a reason), labelled, marked when required. */
export function ConfirmInput(props: {
  input: NonNullable<ConfirmCustom['input']>;
  rows: number;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <FormGroup>
      <Label required={props.input.required}>{props.input.label}</Label>
      <TextArea
        width={1}
        rows={props.rows}
        value={props.value}
        onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => props.onChange(e.target.value)}
      />
    </FormGroup>
  );
}
