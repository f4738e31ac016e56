import React, { useContext, useState } from 'react';
import { Button, MessageBox } from '@adminjs/design-system';
import { adoptDefinition } from './state';
import type { Definition } from './types';
import { ReadOnly } from './ui';

/**
 * The whole definition as JSON, for bulk edits and copy-paste between templates. "Apply" replaces
 * the editor's state (still to be saved); items without an id get one, existing ids are kept.
 */
export const JsonTab: React.FC<{ definition: Definition; onApply: (definition: Definition) => void }> = ({
  definition,
  onApply,
}) => {
  const readOnly = useContext(ReadOnly);
  const current = JSON.stringify(definition, null, 2);
  const [text, setText] = useState(current);
  const [error, setError] = useState<string | null>(null);
  const [applied, setApplied] = useState(false);
  const changed = text !== current;

  const apply = () => {
    try {
      const next = adoptDefinition(JSON.parse(text));
      onApply(next);
      setText(JSON.stringify(next, null, 2));
      setError(null);
      setApplied(true);
    } catch (e) {
      setError(e instanceof SyntaxError ? `Invalid JSON: ${e.message}` : e instanceof Error ? e.message : String(e));
      setApplied(false);
    }
  };

  return (
    <div data-testid="json-tab">
      <div className="gbfb-muted" style={{ marginBottom: 8 }}>
        The definition being edited, as JSON.{' '}
        {readOnly
          ? ''
          : 'Apply replaces the editor\u2019s state; save afterwards to keep it. Existing ids must stay as they are: they bind fields to their columns.'}
      </div>
      <textarea
        className="gbfb-input mono"
        data-testid="json-textarea"
        spellCheck={false}
        readOnly={readOnly}
        value={text}
        style={{
          minHeight: 460,
          fontSize: 12,
          lineHeight: 1.5,
          whiteSpace: 'pre',
          overflowWrap: 'normal',
          overflow: 'auto',
        }}
        onChange={(e) => {
          setText(e.target.value);
          setApplied(false);
        }}
      />
      {error ? <MessageBox mt="default" variant="danger" message={error} data-testid="json-error" /> : null}
      {applied && !changed ? (
        <div className="gbfb-muted" style={{ marginTop: 8, color: '#007D7F' }} data-testid="json-applied">
          Applied to the editor.
        </div>
      ) : null}
      {readOnly ? null : (
        <div style={{ display: 'flex', gap: 8, marginTop: 10 }}>
          <Button size="sm" variant="contained" data-testid="json-apply" disabled={!changed} onClick={apply}>
            Apply
          </Button>
          <Button
            size="sm"
            variant="text"
            data-testid="json-revert"
            disabled={!changed}
            onClick={() => {
              setText(current);
              setError(null);
            }}
          >
            Revert
          </Button>
        </div>
      )}
    </div>
  );
};
