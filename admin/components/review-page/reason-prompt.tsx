import React, { useState } from 'react';

/**
 * Asks for a reason before a command that needs one (reject, reopen): a textarea and a confirm
 * button, enabled once something is typed. The reason stays when the server refuses it.
 */
export const ReasonPrompt: React.FC<{
  label: string;
  confirmLabel: string;
  danger?: boolean;
  busy: boolean;
  testIds: { input: string; confirm: string };
  onConfirm: (reason: string) => Promise<boolean>;
  onCancel: () => void;
}> = ({ label, confirmLabel, danger, busy, testIds, onConfirm, onCancel }) => {
  const [reason, setReason] = useState('');
  return (
    <div className="gbr-field" style={{ marginTop: 10, width: '100%' }}>
      <label htmlFor={testIds.input}>{label}</label>
      <textarea
        id={testIds.input}
        className="gbr-input"
        rows={3}
        value={reason}
        autoFocus
        data-testid={testIds.input}
        maxLength={2000}
        onChange={(e) => setReason(e.target.value)}
      />
      <div className="gbr-actions" style={{ marginTop: 8 }}>
        <button
          type="button"
          className={`gbr-btn ${danger ? 'danger solid' : ''}`}
          data-testid={testIds.confirm}
          disabled={busy || !reason.trim()}
          onClick={async () => {
            if (await onConfirm(reason.trim())) onCancel();
          }}
        >
          {confirmLabel}
        </button>
        <button type="button" className="gbr-btn link" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
};
